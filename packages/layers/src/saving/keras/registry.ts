/**
 * The Keras layer mapping registry: Keras class names to the mappings that load and save them. Registration is
 * explicit, as Keras 3's `register_keras_serializable` and tfjs' `serialization.registerClass`: the built-in layers'
 * mappings are listed in `mappings/index.ts` and registered here when the registry is first used; another package
 * (attention, a custom layer) calls `registerKerasLayer`. As in Keras 3, registering a taken name is an error unless
 * asked to replace it.
 */
import { didYouMean, invalidArgument, SeqmodelError } from '@seqmodel/core';
import type { Layer } from '../../engine/layer.js';
import type { KerasLayerMapping } from './mapping.js';
import { builtInKerasLayers } from './mappings/index.js';

const registry = new Map<string, KerasLayerMapping>(builtInKerasLayers.map((m) => [m.className, m]));

const HOOKS = ['fromKeras', 'toKeras', 'kerasWeightNames'] as const;

/**
 * Adds a Keras layer mapping under its `className`; registering a name twice throws unless `{ replace: true }`.
 *
 * @example
 * registerLayer({ className: 'ScaleShift', fromConfig: (config) => new ScaleShift(config) }); // saveModel / loadModel
 * registerKerasLayer<ScaleShift>({ className: 'ScaleShift', fromKeras, toKeras }); // loadKerasModel / saveKerasModel
 */
export function registerKerasLayer<L extends Layer>(
  mapping: KerasLayerMapping<L>,
  options: { readonly replace?: boolean } = {},
): void {
  if (typeof mapping !== 'object' || mapping === null) {
    invalidArgument('registerKerasLayer(mapping)', mapping, 'an object { className, fromKeras?, toKeras? }');
  }
  if (typeof mapping.className !== 'string' || mapping.className === '') {
    invalidArgument('registerKerasLayer(mapping).className', mapping.className, 'a non-empty string');
  }
  for (const hook of HOOKS) {
    if (mapping[hook] !== undefined && typeof mapping[hook] !== 'function') {
      invalidArgument(
        `registerKerasLayer(${mapping.className}).${hook}`,
        mapping[hook],
        'a function or nothing',
      );
    }
  }
  if (mapping.fromKeras === undefined && mapping.toKeras === undefined) {
    invalidArgument(
      `registerKerasLayer(${mapping.className})`,
      mapping,
      'a mapping with fromKeras (to load the class), toKeras (to save it) or both',
    );
  }
  const existing = registry.get(mapping.className);
  if (existing !== undefined && !options.replace) {
    throw new SeqmodelError(
      `registerKerasLayer: a Keras mapping for ${JSON.stringify(mapping.className)} is already registered; pass { replace: true } to replace it`,
    );
  }
  registry.set(mapping.className, mapping as KerasLayerMapping);
}

/** Removes a Keras layer mapping (a built-in one too); returns whether one was registered. */
export function unregisterKerasLayer(className: string): boolean {
  return registry.delete(className);
}

/** Registered Keras class names, sorted; `load` / `save` keeps those whose mapping goes that way. */
export function listKerasLayerClasses(direction?: 'load' | 'save'): string[] {
  const names: string[] = [];
  for (const [name, mapping] of registry) {
    if (direction === 'load' && mapping.fromKeras === undefined) continue;
    if (direction === 'save' && mapping.toKeras === undefined) continue;
    names.push(name);
  }
  return names.sort();
}

/** The mapping registered under `className`, or undefined. */
export function findKerasLayerMapping(className: string): KerasLayerMapping | undefined {
  return registry.get(className);
}

/** The mapping registered under `className`; an unknown name throws, listing the registered ones. */
export function getKerasLayerMapping(className: string): KerasLayerMapping {
  const mapping = registry.get(className);
  if (mapping === undefined) {
    throw new SeqmodelError(
      `unknown Keras layer class ${JSON.stringify(className)}${didYouMean(className, listKerasLayerClasses())}; registered: ${listKerasLayerClasses().join(', ')} (register others with registerKerasLayer)`,
    );
  }
  return mapping;
}

/** A mapping's own bug (not a SeqmodelError) as an error naming the layer and the mapping. */
export function mappingFailure(prefix: string, what: string, className: string, error: unknown): unknown {
  if (error instanceof SeqmodelError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new SeqmodelError(`${prefix}: ${what}: the Keras mapping for ${className} failed: ${message}`, {
    cause: error,
  });
}
