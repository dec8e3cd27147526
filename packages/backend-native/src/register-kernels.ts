/**
 * Registers the native tfjs backend and its kernels with tfjs-core, once, when the addon loads. Side effects only
 * here (named in package.json's `sideEffects`); `registerNativeBackend()` is idempotent. `registerAddonBackend`
 * registers the same kernel table for another tfjs backend over an addon with the same functions
 * (`@seqmodel/backend-cuda`'s, whose buffers live in device memory).
 */
import * as tf from '@tensorflow/tfjs-core';
import { type NativeAddon, nativeAddon } from './addon.js';
import { registerElementwiseKernels } from './kernels/elementwise.js';
import { registerLayoutKernels } from './kernels/layout.js';
import { registerProductKernels } from './kernels/products.js';
import { registerReduceKernels } from './kernels/reduce.js';
import { kernelRegistrar } from './kernels/support.js';
import { NativeKernelBackend, nativeTfjsBackendName } from './native-kernel-backend.js';

const registered = new Set<string>();

/**
 * Registers the tfjs backend `backendName` (priority 0: never tfjs's default behind the user's back) as a
 * `NativeKernelBackend` over `addon`, with the native kernel table; once per name.
 */
export function registerAddonBackend(backendName: string, addon: NativeAddon, label: string): void {
  if (registered.has(backendName)) return;
  tf.registerBackend(backendName, () => new NativeKernelBackend(addon, label), 0);
  const register = kernelRegistrar(backendName);
  registerElementwiseKernels(register);
  registerLayoutKernels(register);
  registerReduceKernels(register);
  registerProductKernels(register);
  registered.add(backendName);
}

/** Registers the tfjs backend `seqmodel-native` and its kernels; throws when the addon is unavailable. */
export function registerNativeBackend(): void {
  if (registered.has(nativeTfjsBackendName)) return;
  registerAddonBackend(nativeTfjsBackendName, nativeAddon(), 'native backend');
}

/** The tfjs kernel names a backend registered here implements (default: the native backend). */
export function nativeKernelNames(backendName = nativeTfjsBackendName): string[] {
  return tf
    .getKernelsForBackend(backendName)
    .map((k) => k.kernelName)
    .sort();
}
