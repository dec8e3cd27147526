/**
 * tfjs-core has one global engine with one current backend, and every op runs on the current one (moving its
 * inputs there first, silently). Several seqmodel backends share that engine, so each makes its own tfjs backend
 * current on entry to every public call ({@link activateTfjsBackend}: one string comparison when it already is)
 * and refuses tensors that live on another tfjs backend ({@link tfjsBackendNameOf}) instead of letting tfjs move
 * them.
 */
import { SeqmodelError } from '@seqmodel/core';
import * as tf from '@tensorflow/tfjs-core';

/** The tfjs backend instance called `name`, when it is registered and initialized. */
export function initializedTfjsBackend(name: string): tf.KernelBackend | undefined {
  return tf.engine().registry[name];
}

function registeredNames(): string {
  return (
    tf
      .engine()
      .backendNames()
      .map((n) => JSON.stringify(n))
      .join(', ') || '(none)'
  );
}

/**
 * Initializes the tfjs backend `name` (asynchronously, for backends such as wasm) and returns its instance. The
 * backend that was current before stays current. Rejects with a `SeqmodelError` when no package registered `name`
 * or when its initialization fails.
 */
export async function initTfjsBackend(name: string): Promise<tf.KernelBackend> {
  const engine = tf.engine();
  const ready = initializedTfjsBackend(name);
  if (ready) return ready;
  if (engine.findBackendFactory(name) === null) {
    throw new SeqmodelError(
      `tfjs backend ${JSON.stringify(name)}: expected a registered tfjs backend (import its package, e.g. ` +
        `@tensorflow/tfjs-backend-${name}), registered: ${registeredNames()}`,
    );
  }
  const previous = engine.backendName;
  const ok = await tf.setBackend(name);
  const instance = initializedTfjsBackend(name);
  if (!ok || !instance) {
    throw new SeqmodelError(
      `tfjs backend ${JSON.stringify(name)} failed to initialize (tfjs logged the cause as a warning above)`,
    );
  }
  if (previous && previous !== name && initializedTfjsBackend(previous)) await tf.setBackend(previous);
  return instance;
}

/**
 * Makes `instance` (registered as `name`) tfjs's current backend, synchronously. Cheap when it already is: this
 * runs on entry to every op.
 */
export function activateTfjsBackend(name: string, instance: tf.KernelBackend): void {
  const engine = tf.engine();
  if (engine.backendName === name) return;
  if (engine.registry[name] !== instance) {
    throw new SeqmodelError(
      `tfjs backend ${JSON.stringify(name)} was removed or replaced since this seqmodel backend was created; ` +
        'create a new seqmodel backend',
    );
  }
  // For an initialized backend, tf.setBackend does all its work before its first await, so the switch is
  // complete when it returns; the check below makes sure of it. Its promise can only reject for an unregistered
  // name, which was excluded above.
  tf.setBackend(name).catch(() => undefined);
  let current: tf.KernelBackend | undefined;
  try {
    current = tf.backend();
  } catch {
    current = undefined;
  }
  if (engine.backendName !== name || current !== instance) {
    throw new SeqmodelError(
      `tfjs backend ${JSON.stringify(name)}: could not be made current synchronously (is another tfjs backend ` +
        'still initializing? await its initialization before running ops)',
    );
  }
}

/** The name of the tfjs backend holding `x`'s data, or undefined when `x` is disposed. */
export function tfjsBackendNameOf(x: tf.Tensor): string | undefined {
  const engine = tf.engine();
  const owner = engine.state.tensorInfo.get(x.dataId)?.backend;
  if (owner === undefined) return undefined;
  for (const [name, instance] of Object.entries(engine.registry)) if (instance === owner) return name;
  return '(unknown)';
}
