/**
 * Registers the native tfjs backend and its kernels with tfjs-core, once, when the addon loads. Side effects only
 * here (named in package.json's `sideEffects`); `registerNativeBackend()` is idempotent.
 */
import * as tf from '@tensorflow/tfjs-core';
import { nativeAddon } from './addon.js';
import { registerElementwiseKernels } from './kernels/elementwise.js';
import { registerLayoutKernels } from './kernels/layout.js';
import { registerProductKernels } from './kernels/products.js';
import { registerReduceKernels } from './kernels/reduce.js';
import { NativeKernelBackend, nativeTfjsBackendName } from './native-kernel-backend.js';

let registered = false;

/** Registers the tfjs backend `seqmodel-native` and its kernels; throws when the addon is unavailable. */
export function registerNativeBackend(): void {
  if (registered) return;
  const addon = nativeAddon();
  // Priority 0: a registered backend must never become tfjs's default behind the user's back.
  tf.registerBackend(nativeTfjsBackendName, () => new NativeKernelBackend(addon), 0);
  registerElementwiseKernels();
  registerLayoutKernels();
  registerReduceKernels();
  registerProductKernels();
  registered = true;
}

/** The tfjs kernel names the native backend implements. */
export function nativeKernelNames(): string[] {
  return tf
    .getKernelsForBackend(nativeTfjsBackendName)
    .map((k) => k.kernelName)
    .sort();
}
