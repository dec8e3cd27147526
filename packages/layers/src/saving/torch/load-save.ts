/**
 * Loading and saving PyTorch weights: a model's (or one layer's) weights to and from a state dict with PyTorch's
 * names, read from `.safetensors` files or the zip files of `torch.save`, written as `.safetensors`. Which module
 * prefix each layer has is the caller's to say (`mapping`), since it is an attribute name in the user's
 * `nn.Module`; by default a model's layer `lstm` reads `lstm.weight_ih_l0`, ...
 */
import { type Backend, formatShape, invalidArgument, SeqmodelError, sizeOfShape } from '@seqmodel/core';
import { Layer } from '../../engine/layer.js';
import type { LayerWeight } from '../../engine/weight.js';
import type { Model } from '../../models/model.js';
import { isNode, isUrl } from '../files.js';
import { checkBinding, pieceSize, readPiece, type TorchWeightBinding, writePiece } from './mapping.js';
import { torchBindings } from './registry.js';
import { readSafetensors, type WriteSafetensorsOptions, writeSafetensors } from './safetensors.js';
import type { StateDict, TorchTensor } from './state-dict.js';
import { isTorchZip, readTorchZip } from './torch-zip.js';

/** A state dict, bytes of a `.safetensors` file or `torch.save` zip, or where to read one (a path in Node, a URL). */
export type TorchWeightsSource = string | URL | Uint8Array | ArrayBuffer | StateDict;

export interface TorchWeightsOptions {
  /**
   * For a model: its layers' names to the prefixes of their PyTorch modules (`{ lstm: 'encoder.rnn' }`; `''` for
   * none). Layers not named here use their own name.
   */
  readonly mapping?: Readonly<Record<string, string>>;
  /** For one layer: its module's prefix (default `''`: the layer is the whole module). */
  readonly prefix?: string;
}

export interface LoadTorchOptions extends TorchWeightsOptions {
  /** Refuse keys that no weight reads (default true, as PyTorch's `load_state_dict`); false ignores them. */
  readonly strict?: boolean;
}

export interface SaveTorchOptions extends TorchWeightsOptions, WriteSafetensorsOptions {}

/** A model on any tensor type (`Model<T>` is invariant in `T`), or one layer. */
type Target<T> = Model<T> | Layer;

/** The module prefix of `name` (`''` or ending with a dot). */
function dotted(prefix: string): string {
  return prefix === '' || prefix.endsWith('.') ? prefix : `${prefix}.`;
}

/** Every weight of `target` with its PyTorch pieces, each weight exactly once. */
export function torchWeightBindings<T>(
  target: Target<T>,
  options: TorchWeightsOptions,
  what: string,
): TorchWeightBinding[] {
  if (typeof options !== 'object' || options === null)
    invalidArgument(`${what} options`, options, 'an object');
  const { mapping, prefix } = options;
  let bindings: TorchWeightBinding[];
  let weights: readonly LayerWeight[];
  if (target instanceof Layer) {
    if (mapping !== undefined)
      invalidArgument(`${what} options.mapping`, mapping, 'nothing for one layer (use prefix)');
    if (prefix !== undefined && typeof prefix !== 'string') {
      invalidArgument(`${what} options.prefix`, prefix, 'a string');
    }
    weights = target.weights;
    bindings = weights.length === 0 ? [] : torchBindings(target, dotted(prefix ?? ''));
  } else {
    if (typeof target !== 'object' || target === null || !Array.isArray((target as Model).layers)) {
      invalidArgument(`${what} target`, target, 'a seqmodel model or layer');
    }
    if (prefix !== undefined)
      invalidArgument(`${what} options.prefix`, prefix, 'nothing for a model (use mapping)');
    const layers = target.layers;
    const names = new Set(layers.map((l) => l.name));
    const table = mapping ?? {};
    if (typeof table !== 'object' || table === null)
      invalidArgument(`${what} options.mapping`, table, 'an object');
    for (const [name, value] of Object.entries(table)) {
      if (!names.has(name)) {
        throw new SeqmodelError(
          `${what} options.mapping: ${target.describe()} has no layer ${JSON.stringify(name)}; its layers: ${[...names].join(', ')}`,
        );
      }
      if (typeof value !== 'string')
        invalidArgument(`${what} options.mapping.${name}`, value, 'a module prefix string');
    }
    weights = target.weights;
    bindings = layers
      .filter((l) => l.weights.length > 0)
      .flatMap((l) => torchBindings(l, dotted(table[l.name] ?? l.name)));
  }
  if (weights.length === 0) {
    throw new SeqmodelError(
      `${what}: ${target.describe()} has no weights (is it built? build it or run it once first)`,
    );
  }
  for (const b of bindings) checkBinding(b);
  const bound = new Set(bindings.map((b) => b.weight));
  const unbound = weights.filter((w) => !bound.has(w));
  if (unbound.length > 0 || bound.size !== bindings.length) {
    throw new SeqmodelError(
      `${what}: the PyTorch mappings of ${target.describe()} do not cover each weight once (left out: ${unbound.map((w) => w.name).join(', ') || 'none'})`,
    );
  }
  return bindings;
}

/**
 * PyTorch's batch-norm modules count their training batches in `num_batches_tracked`, which their forward pass reads
 * only when `momentum` is None (a cumulative average, which `torchBatchNorm1d` refuses): no seqmodel weight holds it,
 * so loading skips it beside a batch norm's `running_mean`, and saving leaves it out (PyTorch fills it in with 0 when
 * a state dict without it loads).
 */
function isBatchCounter(key: string, expected: ReadonlyMap<string, readonly number[]>): boolean {
  const suffix = 'num_batches_tracked';
  return key.endsWith(suffix) && expected.has(`${key.slice(0, -suffix.length)}running_mean`);
}

/** The state-dict keys the bindings read, with their shapes. */
function expectedKeys(bindings: readonly TorchWeightBinding[]): Map<string, readonly number[]> {
  const keys = new Map<string, readonly number[]>();
  for (const b of bindings) for (const p of b.pieces) keys.set(p.key, p.shape);
  return keys;
}

/** Reads a state dict from bytes (safetensors or a `torch.save` zip, told apart by their first bytes). */
export function parseTorchWeights(bytes: Uint8Array, source = 'PyTorch weights'): StateDict {
  return isTorchZip(bytes) ? readTorchZip(bytes, source) : readSafetensors(bytes, source).tensors;
}

/** The state dict of a source: parsed bytes, a file read in Node, or a URL fetched. */
export async function readTorchWeights(source: TorchWeightsSource): Promise<StateDict> {
  if (source instanceof Map) return source;
  if (source instanceof Uint8Array) return parseTorchWeights(source);
  if (source instanceof ArrayBuffer) return parseTorchWeights(new Uint8Array(source));
  if (typeof source === 'string' || source instanceof URL) {
    const name = String(source);
    if (isUrl(source) || !isNode()) {
      const response = await fetch(source);
      if (!response.ok)
        throw new SeqmodelError(`${name}: fetching PyTorch weights failed (HTTP ${response.status})`);
      return parseTorchWeights(new Uint8Array(await response.arrayBuffer()), name);
    }
    const fs = await import('node:fs/promises');
    let bytes: Uint8Array;
    try {
      bytes = await fs.readFile(name);
    } catch (error) {
      throw new SeqmodelError(`${name}: cannot read PyTorch weights: ${(error as Error).message}`, {
        cause: error,
      });
    }
    return parseTorchWeights(bytes, name);
  }
  return invalidArgument(
    'PyTorch weights source',
    source,
    'a path, a URL, bytes of a .safetensors or torch.save file, or a state dict (a Map)',
  );
}

/**
 * Sets `target`'s weights from a state dict, as one transaction: every key is checked first, and a missing, extra
 * or mis-shaped key fails the whole load with one error that lists them all (nothing changes).
 */
export function loadTorchStateDict<T>(
  target: Target<T>,
  stateDict: StateDict,
  options: LoadTorchOptions = {},
): void {
  const what = 'loadTorchWeights';
  const bindings = torchWeightBindings(target, options, what);
  if (typeof stateDict?.get !== 'function' || typeof stateDict.keys !== 'function') {
    invalidArgument(`${what} state dict`, stateDict, 'a Map of names to tensors');
  }
  const expected = expectedKeys(bindings);
  const missing: string[] = [];
  const misShaped: string[] = [];
  for (const [key, shape] of expected) {
    const t = stateDict.get(key);
    if (t === undefined) missing.push(key);
    else if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
      misShaped.push(`${key} (expected ${formatShape(shape)}, received ${formatShape(t.shape)})`);
    }
  }
  const extra =
    options.strict === false
      ? []
      : [...stateDict.keys()].filter((k) => !expected.has(k) && !isBatchCounter(k, expected));
  if (missing.length + misShaped.length + extra.length > 0) {
    const parts = [
      missing.length > 0 ? `missing keys: ${missing.join(', ')}` : '',
      extra.length > 0 ? `unexpected keys: ${extra.join(', ')}` : '',
      misShaped.length > 0 ? `wrong shapes: ${misShaped.join(', ')}` : '',
    ].filter((p) => p !== '');
    throw new SeqmodelError(
      `${what}: the state dict does not fit ${target.describe()}: ${parts.join('; ')}. Expected keys: ${[...expected.keys()].join(', ')}`,
    );
  }
  const values = new Map<string, Float32Array>();
  for (const b of bindings) {
    const parts = b.pieces.map((p) => readPiece(p, stateDict.get(p.key)!.data));
    const out = new Float32Array(b.weight.size);
    if (b.combine === 'sum') {
      for (const part of parts) for (let i = 0; i < out.length; i++) out[i]! += part[i]!;
    } else {
      let at = 0;
      for (const part of parts) {
        out.set(part, at);
        at += part.length;
      }
    }
    values.set(b.weight.name, out);
  }
  if (target instanceof Layer) target.setWeights(target.weights.map((w) => values.get(w.name)!));
  else target.setWeightsByName(values);
}

/**
 * Sets `target`'s weights from PyTorch weights (see `TorchWeightsSource`) with PyTorch's state-dict names.
 *
 * @example
 * const rnn = torchLSTM({ inputSize: 8, hiddenSize: 16, numLayers: 2 }); // as nn.LSTM(8, 16, num_layers=2)
 * const m = sequential({ layers: [rnn], backend, inputShape: [null, 8] });
 * await loadTorchWeights(m, 'lstm.safetensors', { mapping: { [rnn.name]: '' } }); // keys weight_ih_l0, ...
 */
export async function loadTorchWeights<T>(
  target: Target<T>,
  source: TorchWeightsSource,
  options: LoadTorchOptions = {},
): Promise<void> {
  loadTorchStateDict(target, await readTorchWeights(source), options);
}

/**
 * `target`'s weights as a PyTorch state dict (float64 values of the float32 weights), in the order of its weights.
 * LSTM and RNN biases go to `bias_ih` (`bias_hh` is zeros): PyTorch adds the two, so the numbers are the same.
 */
export function torchStateDict<T>(
  target: Target<T>,
  options: TorchWeightsOptions = {},
): Map<string, TorchTensor> {
  const bindings = torchWeightBindings(target, options, 'torchStateDict');
  const out = new Map<string, TorchTensor>();
  for (const [key, shape] of expectedKeys(bindings)) {
    out.set(key, { dtype: 'F32', shape, data: new Float64Array(sizeOfShape(shape)) });
  }
  // A built layer or model has a backend; `torchWeightBindings` refused targets without weights.
  const backend = target.backend as Backend<unknown>;
  for (const b of bindings) {
    const value = backend.dataSync(b.weight.read());
    let at = 0;
    b.pieces.forEach((p, i) => {
      const data = out.get(p.key)!.data as Float64Array;
      if (b.combine === 'sum') {
        // PyTorch adds the pieces: the first gets the value, the others stay zero.
        if (i === 0) writePiece(p, value, data);
        return;
      }
      const size = pieceSize(p);
      writePiece(p, value.subarray(at, at + size), data);
      at += size;
    });
  }
  return out;
}

/**
 * `target`'s weights as a `.safetensors` file with PyTorch's names (float32 unless `dtype: 'F64'`), for
 * `safetensors.torch.load_file` and `module.load_state_dict`. Returns the bytes; with `path` (Node), also writes them.
 *
 * @example
 * const bytes = await saveTorchWeights(m, 'lstm.safetensors', { mapping: { [rnn.name]: '' } });
 */
export async function saveTorchWeights<T>(
  target: Target<T>,
  path?: string,
  options: SaveTorchOptions = {},
): Promise<Uint8Array> {
  const { dtype, metadata, ...names } = options;
  const bytes = writeSafetensors(torchStateDict(target, names), {
    ...(dtype === undefined ? {} : { dtype }),
    metadata: { format: 'pt', ...metadata },
  });
  if (path !== undefined) {
    if (typeof path !== 'string')
      invalidArgument('saveTorchWeights path', path, 'a file path (string) or nothing');
    const fs = await import('node:fs/promises');
    await fs.writeFile(path, bytes);
  }
  return bytes;
}
