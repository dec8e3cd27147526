/**
 * Registers tfjs's WebGPU backend and its kernels with tfjs-core (the package does it when imported, in browsers
 * with `navigator.gpu`; no device is requested until `createWebgpuBackend` starts it). The only side effect of
 * this package; `package.json`'s `sideEffects` names this file and the bundles that contain it.
 */
export { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
