/**
 * What a Keras layer mapping is: how one Keras layer class becomes a seqmodel layer when a file is loaded
 * (`fromKeras`), and how a seqmodel layer is written for tfjs-layers when a model is saved (`toKeras`). The built-in
 * layers' mappings live in `mappings/`; another package adds its own with `registerKerasLayer` (`registry.ts`).
 */
import type { ActivationName, InitializerSpec } from '@seqmodel/core';
import type { Layer } from '../../engine/layer.js';
import type { KerasConfigReader, KerasReadOptions } from './option-reader.js';

/** A layer as Keras writes it in a model config: `{ class_name, config }`. */
export interface KerasLayerConfig {
  readonly class_name: string;
  readonly config: Record<string, unknown>;
}

/** What a wrapper asks of the layer it wraps. */
export interface NestedKerasOptions {
  /** Keras' Bidirectional makes the recurrent layers it wraps output zeros at masked steps (tfjs-layers does not). */
  readonly forceZeroOutputForMask?: boolean;
}

/** What `fromKeras` gets besides the layer's own config. */
export interface KerasImportContext extends KerasReadOptions, NestedKerasOptions {
  /** Builds a layer nested in this one's config (wrappers); `where` names the wrapper and the option holding it. */
  layerFromKeras(json: unknown, where: string, options?: NestedKerasOptions): Layer;
}

/** What `toKeras` gets besides the layer; errors it raises name the layer. */
export interface KerasExportContext {
  /** The name to write (wrappers name their inner layers as tfjs-layers expects). */
  readonly name: string;
  /** `{ name, trainable, dtype: 'float32' }`: the fields every layer config starts with. */
  commonConfig(): { name: string; trainable: boolean; dtype: 'float32' };
  /** An activation as tfjs-layers names it; throws, naming the option, for one tfjs-layers lacks. */
  activation(option: string, name: ActivationName): string;
  /** An initializer as `{ class_name, config }`; throws, naming the option, for one Keras lacks. */
  initializer(option: string, spec: InitializerSpec): Record<string, unknown>;
  /** Throws `saveKerasModel: layer <name> (<class>) <option>: <detail>` (no option: the whole layer). */
  refuse(detail: string, option?: string): never;
  /** The Keras config of a layer inside this one (wrappers), named `name` (default: its own name). */
  layerToKeras(inner: Layer, name?: string): KerasLayerConfig;
}

/** What `kerasWeightNames` gets: the names of a layer nested in this one, under a scope. */
export interface KerasWeightNamesContext {
  weightNames(inner: Layer, scope: string): string[];
}

/**
 * How a layer's calls are written in a functional model file, for layers that take several tensors or call options
 * (attention layers). Keras passes them as `layer([query, value])` (a list: `Attention`) or as
 * `layer(query, value, key=...)` (arguments: `MultiHeadAttention`), with options such as `use_causal_mask` as call
 * keywords.
 */
export interface KerasCallSpec<L extends Layer = Layer> {
  /**
   * The names of the call's tensor arguments in seqmodel's input order (`['query', 'value', 'key']`): tensors Keras
   * passes by keyword (`value=...`) go to their position.
   */
  readonly inputs: readonly string[];
  /**
   * True when Keras passes the first tensor positionally and the others as keywords (`MultiHeadAttention`); false when
   * it passes them as one list (`Attention`). Decides how saving writes the call.
   */
  readonly keywordInputs: boolean;
  /**
   * Call keywords (snake case) that seqmodel keeps as layer options: when loading, the value every call of the layer
   * gives (they must agree) is added to the config `fromKeras` reads.
   */
  readonly options?: readonly string[];
  /** The call keywords to write for the layer's calls when saving (its call options). */
  toKerasCall?(layer: L): Record<string, unknown>;
}

/**
 * How one Keras layer class maps to seqmodel. A mapping may go one way only: without `fromKeras` files with the class
 * do not load, without `toKeras` models with the layer do not save.
 *
 * @example
 * registerKerasLayer<ScaleShift>({
 *   className: 'ScaleShift',
 *   fromKeras: (reader) => new ScaleShift({ ...reader.layerArgs(), axis: reader.number('axis', -1) }),
 *   toKeras: (layer, context) => ({
 *     class_name: 'ScaleShift',
 *     config: { ...context.commonConfig(), axis: layer.axis },
 *   }),
 * });
 */
export interface KerasLayerMapping<L extends Layer = Layer> {
  /**
   * The Keras class name: `class_name` in the file (for a Keras 3 custom layer from a module outside Keras, its
   * `registered_name`, `package>Name`). Saving looks mappings up by the layer's `className`, so a layer that round
   * trips uses its Keras class name as its `className`, as the built-in layers do.
   */
  readonly className: string;
  /**
   * Builds the (unbuilt) layer from its config. Read every option through `reader`; keys left unread are reported as
   * unknown when it returns (mark options that cannot change a prediction with `reader.ignore`).
   */
  fromKeras?(reader: KerasConfigReader, context: KerasImportContext): Layer;
  /** The layer's `{ class_name, config }` in Keras 2 / tfjs-layers spelling (snake case fields). */
  toKeras?(layer: L, context: KerasExportContext): KerasLayerConfig;
  /**
   * The layer's weight names in the file, in its weight order, under `scope` (tfjs-layers loads weights by these
   * names). Default: `<scope>/<weight short name>` for each weight (`dense/kernel`); wrappers scope their inner layers.
   */
  kerasWeightNames?(layer: L, scope: string, context: KerasWeightNamesContext): string[];
  /** How its calls read in functional model files, for layers with several tensor inputs or call options. */
  readonly call?: KerasCallSpec<L>;
}
