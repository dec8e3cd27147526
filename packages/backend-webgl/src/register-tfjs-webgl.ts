/**
 * Registers tfjs's WebGL backend and its kernels with tfjs-core (the package does it when imported; no WebGL context
 * is made until `createWebglBackend` initializes it). The only side effect of this package; `package.json`'s
 * `sideEffects` names this file and the bundles that contain it.
 */
export { MathBackendWebGL } from '@tensorflow/tfjs-backend-webgl';
