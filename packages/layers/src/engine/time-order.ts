/**
 * Which layers can run a sequence one step at a time (`model.stream()`) or in chunks (truncated BPTT): those whose
 * output at a step depends on that step and earlier ones only, through carried state. Layers say otherwise with
 * `readsBackwards` (a backwards or bidirectional recurrence, a transformer encoder) or `mixesSteps` (a convolution or
 * pooling over time).
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

/** The first of `layers` (inner layers included) that needs the whole sequence at once, or undefined. */
export function wholeSequenceLayer(layers: readonly Layer[]): WholeSequenceNeed | undefined {
  for (const layer of layers.flatMap(allLayers)) {
    const flags = layer as { readsBackwards?: boolean; mixesSteps?: boolean };
    if (flags.readsBackwards === true)
      return { layer, reason: 'readsBackwards', says: 'reads the sequence backwards' };
    if (flags.mixesSteps === true) {
      return {
        layer,
        reason: 'mixesSteps',
        says: 'combines several time steps into each output (a convolution or pooling over time)',
      };
    }
  }
  return undefined;
}
