/**
 * The PyTorch mapping registry: seqmodel class names to where their weights sit in a state dict. The built-in layers'
 * mappings (`mappings.ts`) are registered here; another package registers its layers with `registerTorchLayer`
 * (`@seqmodel/attention` does, for multi-head attention, layer normalization and the transformer blocks).
 */
import { invalidArgument, SeqmodelError } from '@seqmodel/core';
import type { Layer } from '../../engine/layer.js';
import type { TorchLayerMapping, TorchWeightBinding } from './mapping.js';
import { builtInTorchLayers } from './mappings.js';

const registry = new Map<string, TorchLayerMapping>(builtInTorchLayers.map((m) => [m.className, m]));

/**
 * Adds the PyTorch state-dict mapping of a layer class; registering a name twice throws unless `{ replace: true }`.
 *
 * @example
 * registerTorchLayer<ScaleShift>({
 *   className: 'ScaleShift',
 *   torchWeights: (layer, prefix) => [{ weight: layer.weights[0]!, pieces: [{ key: `${prefix}scale`, shape: [4] }] }],
 * });
 */
export function registerTorchLayer<L extends Layer>(
  mapping: TorchLayerMapping<L>,
  options: { readonly replace?: boolean } = {},
): void {
  if (typeof mapping !== 'object' || mapping === null || typeof mapping.torchWeights !== 'function') {
    invalidArgument(
      'registerTorchLayer(mapping)',
      mapping,
      'an object { className, torchWeights(layer, prefix) }',
    );
  }
  if (typeof mapping.className !== 'string' || mapping.className === '') {
    invalidArgument('registerTorchLayer(mapping).className', mapping.className, 'a non-empty string');
  }
  if (registry.has(mapping.className) && !options.replace) {
    throw new SeqmodelError(
      `registerTorchLayer: a PyTorch mapping for ${JSON.stringify(mapping.className)} is already registered; pass { replace: true } to replace it`,
    );
  }
  registry.set(mapping.className, mapping as unknown as TorchLayerMapping);
}

/** Removes a PyTorch mapping; returns whether one was registered. */
export function unregisterTorchLayer(className: string): boolean {
  return registry.delete(className);
}

/** Class names with a PyTorch mapping, sorted. */
export function listTorchLayerClasses(): string[] {
  return [...registry.keys()].sort();
}

/** The bindings of `layer`'s weights under `prefix`; a class without a mapping throws, listing the known ones. */
export function torchBindings(layer: Layer, prefix: string): TorchWeightBinding[] {
  const mapping = registry.get(layer.className);
  if (mapping === undefined) {
    throw new SeqmodelError(
      `${layer.describe()}: no PyTorch mapping for the class ${layer.className}; classes with one: ${listTorchLayerClasses().join(', ')} (others register theirs with registerTorchLayer)`,
    );
  }
  return mapping.torchWeights(layer, prefix);
}
