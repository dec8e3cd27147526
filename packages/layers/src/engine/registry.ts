/**
 * The layer class registry: class names (`LSTM`, `Dense`, ...) to the functions that rebuild layers from their
 * configs, so models can be saved and loaded. Registration is explicit and the registry knows no layer of its own:
 * the built-in layers register themselves from `layers/builtins.ts` (loaded by the package index), and a custom
 * layer is added the same way, with `registerLayer`.
 */
import { checkOptions, didYouMean, invalidArgument, SeqmodelError } from '@seqmodel/core';
import type { FromConfigContext, Layer, SerializedLayer } from './layer.js';

/** How to rebuild a layer class from its config. */
export interface LayerClass {
  /** The `className` its layers report. */
  readonly className: string;
  fromConfig(config: Record<string, unknown>, context: FromConfigContext): Layer;
}

const registry = new Map<string, LayerClass>();

/** Adds a layer class; registering a class name twice throws unless `{ replace: true }`. */
export function registerLayer(layerClass: LayerClass, options: { readonly replace?: boolean } = {}): void {
  if (typeof layerClass !== 'object' || layerClass === null || typeof layerClass.fromConfig !== 'function') {
    invalidArgument('registerLayer(layerClass)', layerClass, 'an object with className and fromConfig');
  }
  if (typeof layerClass.className !== 'string' || layerClass.className === '') {
    invalidArgument('registerLayer(layerClass).className', layerClass.className, 'a non-empty string');
  }
  if (registry.has(layerClass.className) && !options.replace) {
    throw new SeqmodelError(
      `registerLayer: a layer class named ${JSON.stringify(layerClass.className)} is already registered; pass { replace: true } to replace it`,
    );
  }
  registry.set(layerClass.className, layerClass);
}

/** Removes a layer class; returns whether it was registered. */
export function unregisterLayer(className: string): boolean {
  return registry.delete(className);
}

/** Registered class names. */
export function listLayerClasses(): string[] {
  return [...registry.keys()];
}

/** The class registered under `className`; an unknown name throws, listing the known ones. */
export function getLayerClass(className: string): LayerClass {
  const entry = registry.get(className);
  if (entry === undefined) {
    throw new SeqmodelError(
      `unknown layer class ${JSON.stringify(className)}${didYouMean(className, listLayerClasses())}; registered: ${listLayerClasses().join(', ')} (register custom layers with registerLayer)`,
    );
  }
  return entry;
}

/** `{ className, config }` of a layer. */
export function serializeLayer(layer: Layer): SerializedLayer {
  return layer.serialize();
}

/** A new (unbuilt) layer from `{ className, config }`. */
export function deserializeLayer(serialized: SerializedLayer): Layer {
  if (typeof serialized !== 'object' || serialized === null || typeof serialized.className !== 'string') {
    invalidArgument('deserializeLayer(serialized)', serialized, 'an object with className and config');
  }
  checkOptions(`deserializeLayer(${serialized.className})`, serialized, ['className', 'config']);
  const config = serialized.config ?? {};
  if (typeof config !== 'object' || config === null) {
    invalidArgument(`deserializeLayer(${serialized.className}).config`, config, 'an object');
  }
  return getLayerClass(serialized.className).fromConfig({ ...config }, { deserializeLayer });
}
