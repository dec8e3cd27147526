/**
 * Which layers can run a sequence one step at a time (`model.stream()`) or in chunks (truncated BPTT): those whose
 * output at a step depends on that step and earlier ones only, through carried state. Layers say otherwise with
 * `readsBackwards` (a backwards or bidirectional recurrence, a transformer encoder), `mixesSteps` (a convolution or
 * pooling over time, a layer that adds, removes or moves steps; `mixesStepsHow` may say what it does in words) or,
 * for training in chunks only, `mixesStepsInTraining` (BatchNormalization).
 */
import type { Layer } from './layer.js';

/** A layer and every layer inside it. */
export function allLayers(layer: Layer): Layer[] {
  return [layer, ...layer.sublayers.flatMap(allLayers)];
}

/** Why a layer needs the whole sequence at once. */
export interface WholeSequenceNeed {
  readonly layer: Layer;
  readonly reason: 'readsBackwards' | 'mixesSteps';
  /** The reason in words, to follow the layer's description in an error. */
  readonly says: string;
}

/**
 * The first of `layers` (inner layers included) that needs the whole sequence at once, or undefined. With `training`
 * (truncated BPTT) layers that mix steps only in training (`mixesStepsInTraining`: BatchNormalization's batch
 * statistics) count too.
 */
export function wholeSequenceLayer(
  layers: readonly Layer[],
  training = false,
): WholeSequenceNeed | undefined {
  // A frozen layer and the layers inside it run frozen (`CallContext.frozen`): they train as at inference. A layer
  // comes before the layers inside it in `allLayers`.
  const frozen = new Set<Layer>();
  for (const layer of layers.flatMap(allLayers)) {
    if (!layer.trainable) for (const inner of allLayers(layer)) frozen.add(inner);
    const flags = layer as {
      readsBackwards?: boolean;
      mixesSteps?: boolean;
      mixesStepsHow?: string;
      mixesStepsInTraining?: boolean;
    };
    if (flags.readsBackwards === true)
      return { layer, reason: 'readsBackwards', says: 'reads the sequence backwards' };
    if (flags.mixesSteps === true) {
      return {
        layer,
        reason: 'mixesSteps',
        says:
          flags.mixesStepsHow ??
          'combines several time steps into each output (a convolution or pooling over time)',
      };
    }
    if (training && flags.mixesStepsInTraining === true && !frozen.has(layer)) {
      return {
        layer,
        reason: 'mixesSteps',
        says: 'normalizes each step with statistics over every step of the batch in training (freeze it to use its moving statistics)',
      };
    }
  }
  return undefined;
}
