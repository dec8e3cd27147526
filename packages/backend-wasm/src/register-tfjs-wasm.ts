/**
 * Registers tfjs's wasm backend and its kernels with tfjs-core (the package does it when imported; the module is
 * only compiled when `createWasmBackend` initializes it). The only side effect of this package; `package.json`'s
 * `sideEffects` names this file and the bundles that contain it.
 */
export { getThreadsCount, setThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
