/**
 * Registers tfjs's CPU backend and its kernels with tfjs-core (the package does it when imported). The only side
 * effect of this package; `package.json`'s `sideEffects` names this file and the bundles that contain it.
 */
import '@tensorflow/tfjs-backend-cpu';
