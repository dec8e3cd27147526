/**
 * tfjs-backend-cpu prints a notice on the first tensor it stores under Node: "Hi, looks like you are running
 * TensorFlow.js in Node.js. To speed things up dramatically, install our node backend". A seqmodel user cannot act
 * on it: tfjs-node is not a seqmodel backend, and installing it changes nothing that seqmodel runs. The notice is
 * printed once per tfjs backend instance, guarded by the instance's public `firstUse` flag; clearing that flag
 * silences exactly this notice. tfjs's `IS_TEST` and `PROD` flags would silence every tfjs warning, so they are
 * left alone.
 */
import type * as tf from '@tensorflow/tfjs-core';

/** Keeps tfjs-backend-cpu's "install our node backend" notice from being printed by `instance` (others: no-op). */
export function silenceNodeBackendNotice(instance: tf.KernelBackend): void {
  const cpu = instance as { firstUse?: unknown };
  if (cpu.firstUse === true) cpu.firstUse = false;
}
