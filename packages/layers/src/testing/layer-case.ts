/**
 * What the layer conformance kit is given (a layer factory, its options, the inputs and the layer's mask contract)
 * and the host-side machinery it runs on: seeded input and mask data as float64 arrays, a layer built and called on
 * any backend, and its outputs read back. Everything here frees what it creates.
 */
import {
  type Backend,
  createRng,
  type DType,
  formatShape,
  invalidArgument,
  ReferenceBackend,
  type RefTensor,
  type Rng,
  SeqmodelError,
  sizeOfShape,
} from '@seqmodel/core';
import { CallContext } from '../engine/context.js';
import { commitStatefulStates, Layer, whileRecordingUpdates } from '../engine/layer.js';
import { checkShapeSpec, type ShapeSpec } from '../engine/shape-spec.js';
import type { LayerWeight } from '../engine/weight.js';

/** A tensor on the host: float64 values (float32-representable where they came from float32), shape and type. */
export interface HostTensor {
  readonly values: Float64Array;
  readonly shape: readonly number[];
  readonly dtype: DType;
}

/** One input of the layer (or one initial state of a recurrent layer). */
export interface LayerTestInput {
  /** The concrete shape fed to the layer, batch first: `[3, 4, 2]`. */
  readonly shape: readonly number[];
  /** The shape the layer is built for (default: `shape` with the batch axis open, `[null, 4, 2]`). */
  readonly buildShape?: ShapeSpec;
  /** Default `float32`; `int32` inputs (token ids) need `values` and are not differentiated. */
  readonly dtype?: DType;
  /** The values, drawn from the seeded `rng` (default: float32 standard normals). */
  readonly values?: (size: number, rng: Rng) => ArrayLike<number>;
  /**
   * Feed a mask `[batch, time]` for this input (its first two axes). Row 0 is all valid, row 1 post-padded, row 2
   * masked at its first step and valid at its last, further rows random with at least one valid step.
   */
  readonly mask?: boolean;
}

/**
 * What an output's mask must be: `'none'`, the mask of input `input` passed on, or one computed from the inputs
 * (token ids that are not 0, steps whose features are not all `maskValue`, ...).
 */
export type OutputMaskRule =
  | 'none'
  | { readonly input: number }
  | ((inputs: readonly HostTensor[]) => HostTensor);

/**
 * How the layer treats masks. A layer that neither uses nor passes on masks says so with a reason (the kit then
 * checks that a mask changes nothing and that none comes out); every other layer lists the mask of each output.
 * Inputs with `mask: true` are also checked for being honoured: values at masked steps must not reach any output
 * position that is not itself masked.
 */
export type MaskContract = { readonly ignored: string } | { readonly outputs: readonly OutputMaskRule[] };

/** The checks of the kit, by key: `skip` opts out of them, each with a reason. */
export type LayerCheckKey = 'shapes' | 'config' | 'masks' | 'seeding' | 'leaks' | 'gradients' | 'reference';

export const layerCheckKeys: readonly LayerCheckKey[] = [
  'shapes',
  'config',
  'masks',
  'seeding',
  'leaks',
  'gradients',
  'reference',
];

/** A layer to check: how to make it, with what, on which inputs, and what its masks should be. */
export interface LayerConformanceCase<O = unknown> {
  /**
   * Makes a new unbuilt layer from `options`; called once per layer the checks build. (A method signature, so that a
   * list of cases with different option types can be typed `LayerConformanceCase[]`.)
   */
  factory(options: O): Layer;
  readonly options: O;
  /** Shown in check names (default: the class name and the options as JSON). */
  readonly label?: string;
  /** One entry per input tensor of the layer. */
  readonly inputs: readonly LayerTestInput[];
  /** Initial states for recurrent layers (passed as `initialState`, differentiated like inputs). */
  readonly initialState?: readonly LayerTestInput[];
  readonly masks: MaskContract;
  /** Checks that do not apply, each with the reason why (kept as data, like tfjs's exclusion lists). */
  readonly skip?: Readonly<Partial<Record<LayerCheckKey, string>>>;
  /**
   * Why the layer's training outputs differ from its inference outputs although a training call draws nothing
   * random (BatchNormalization: batch statistics). The seeding check then asks that another call seed give the same
   * training outputs, instead of taking the difference for dropout that must follow the call seed.
   */
  readonly deterministicTraining?: string;
}

/** The data of one call: inputs, their masks and initial states, all on the host. */
export interface HostCall {
  readonly inputs: readonly HostTensor[];
  readonly masks: readonly (HostTensor | undefined)[];
  readonly initialState: readonly HostTensor[];
}

/** What one call returned, read back. */
export interface HostResult {
  readonly outputs: HostTensor[];
  readonly masks: (HostTensor | undefined)[];
}

export interface CallMode {
  readonly training: boolean;
  /** Seed of the call's random stream (dropout masks). */
  readonly rngSeed: number;
}

/** Checks the case's shape and opt-outs up front, so a typo fails loudly instead of skipping nothing. */
export function checkCase(testCase: LayerConformanceCase): void {
  if (typeof testCase !== 'object' || testCase === null)
    invalidArgument('layer conformance case', testCase, 'an object');
  if (typeof testCase.factory !== 'function')
    invalidArgument('layer conformance case factory', testCase.factory, 'a function returning a layer');
  if (!Array.isArray(testCase.inputs) || testCase.inputs.length === 0)
    invalidArgument('layer conformance case inputs', testCase.inputs, 'a non-empty array of input specs');
  const checkInput = (where: string, input: LayerTestInput): void => {
    if (!Array.isArray(input?.shape) || !input.shape.every((d) => Number.isInteger(d) && d >= 1))
      invalidArgument(`${where}.shape`, input?.shape, 'an array of positive integers');
    if (input.buildShape !== undefined) checkShapeSpec(`${where}.buildShape`, input.buildShape);
    if (input.dtype === 'int32' && input.values === undefined)
      invalidArgument(
        `${where}.values`,
        input.values,
        'a generator for int32 inputs (ids in the layer range)',
      );
    if (input.mask && input.shape.length < 2)
      invalidArgument(`${where}.mask`, input.mask, 'false for an input without a time axis');
  };
  testCase.inputs.forEach((input, i) => {
    checkInput(`layer conformance case inputs[${i}]`, input);
  });
  (testCase.initialState ?? []).forEach((s, i) => {
    checkInput(`layer conformance case initialState[${i}]`, s);
  });
  const masks = testCase.masks as Partial<{ ignored: unknown; outputs: unknown }> | undefined;
  if (
    typeof masks !== 'object' ||
    masks === null ||
    !(
      (typeof masks.ignored === 'string' && masks.ignored.trim() !== '') ||
      (Array.isArray(masks.outputs) && masks.outputs.length > 0)
    )
  ) {
    invalidArgument(
      'layer conformance case masks',
      masks,
      '{ ignored: "<why the layer neither uses nor passes masks>" } or { outputs: [one rule per output] }',
    );
  }
  const deterministic = testCase.deterministicTraining;
  if (deterministic !== undefined && (typeof deterministic !== 'string' || deterministic.trim() === '')) {
    invalidArgument(
      'layer conformance case deterministicTraining',
      deterministic,
      'a reason (a non-empty string)',
    );
  }
  for (const [key, reason] of Object.entries(testCase.skip ?? {})) {
    if (!(layerCheckKeys as readonly string[]).includes(key))
      invalidArgument(
        `layer conformance case skip.${key}`,
        reason,
        `a key among ${layerCheckKeys.join(', ')}`,
      );
    if (typeof reason !== 'string' || reason.trim() === '')
      invalidArgument(`layer conformance case skip.${key}`, reason, 'a reason (a non-empty string)');
  }
}

function float32Normals(size: number, rng: Rng): number[] {
  return Array.from({ length: size }, () => Math.fround(rng.normal()));
}

/** Host values of one input from its generator (float32 inputs rounded to float32, as a backend stores them). */
export function inputValues(input: LayerTestInput, rng: Rng): HostTensor {
  const size = sizeOfShape(input.shape);
  const dtype = input.dtype ?? 'float32';
  const raw = (input.values ?? float32Normals)(size, rng);
  if (raw.length !== size) {
    throw new SeqmodelError(
      `layer conformance input values: the generator gave ${raw.length} values for shape ${formatShape(input.shape)} (${size} expected)`,
    );
  }
  const values = Float64Array.from(raw, (v) => (dtype === 'int32' ? v : Math.fround(v)));
  return { values, shape: [...input.shape], dtype };
}

/** The mask pattern described at `LayerTestInput.mask`. */
export function maskValues(batch: number, time: number, rng: Rng): HostTensor {
  const values = new Float64Array(batch * time);
  for (let b = 0; b < batch; b++) {
    const row = values.subarray(b * time, (b + 1) * time);
    if (b === 0) row.fill(1);
    else if (b === 1) row.fill(1, 0, time === 1 ? 1 : 1 + rng.int(time - 1));
    else {
      for (let t = 0; t < time; t++) row[t] = rng.next() < 0.6 ? 1 : 0;
      if (b === 2 && time > 1) row[0] = 0;
      row[time - 1] = 1;
    }
  }
  return { values, shape: [batch, time], dtype: 'float32' };
}

/** Inputs, masks and initial states of the case drawn from `seed`. */
export function makeCall(testCase: LayerConformanceCase, seed: number | string): HostCall {
  const rng = createRng(seed);
  return {
    inputs: testCase.inputs.map((input, i) => inputValues(input, rng.fork(`inputs${i}`))),
    masks: testCase.inputs.map((input, i) =>
      input.mask ? maskValues(input.shape[0]!, input.shape[1]!, rng.fork(`mask${i}`)) : undefined,
    ),
    initialState: (testCase.initialState ?? []).map((s, i) => inputValues(s, rng.fork(`state${i}`))),
  };
}

export function buildShapes(inputs: readonly LayerTestInput[]): ShapeSpec[] {
  return inputs.map((input) => input.buildShape ?? [null, ...input.shape.slice(1)]);
}

/** A new layer from the case's factory, built on `backend` with weights from `seed`. */
export function buildLayer<T>(testCase: LayerConformanceCase, backend: Backend<T>, seed: number): Layer {
  const layer = testCase.factory(testCase.options);
  if (!(layer instanceof Layer)) invalidArgument('layer conformance case factory()', layer, 'a Layer');
  layer.buildIn(
    { backend: backend as Backend<unknown>, rng: createRng(seed), prefix: '' },
    buildShapes(testCase.inputs),
  );
  return layer;
}

/** Values as float64: exact on the float64 reference, float32 values elsewhere. */
export function readBack<T>(backend: Backend<T>, x: T): Float64Array {
  return backend instanceof ReferenceBackend
    ? backend.toFloat64(x as unknown as RefTensor)
    : Float64Array.from(backend.dataSync(x));
}

export function toHost<T>(backend: Backend<T>, x: T): HostTensor {
  return { values: readBack(backend, x), shape: backend.shape(x), dtype: backend.dtype(x) };
}

export function toTensor<T>(backend: Backend<T>, h: HostTensor): T {
  return backend.tensor(h.dtype === 'int32' ? Int32Array.from(h.values) : h.values, [...h.shape], h.dtype);
}

/** The tensors of a call on a backend; `dispose` frees them. */
export interface CallTensors<T> {
  readonly inputs: T[];
  readonly masks: (T | undefined)[];
  readonly initialState: T[];
  dispose(): void;
}

export function callTensors<T>(backend: Backend<T>, call: HostCall): CallTensors<T> {
  const inputs = call.inputs.map((x) => toTensor(backend, x));
  const masks = call.masks.map((m) => (m === undefined ? undefined : toTensor(backend, m)));
  const initialState = call.initialState.map((s) => toTensor(backend, s));
  return {
    inputs,
    masks,
    initialState,
    dispose: () => backend.dispose([...inputs, ...initialState, ...masks.filter((m) => m !== undefined)]),
  };
}

/**
 * Calls the layer as a model does (inside `tidy`; stateful layers then take their states, and moving statistics
 * their new values) and returns the raw
 * outputs and masks, which the caller owns along with `tensors`.
 */
export function invokeLayer<T>(
  layer: Layer,
  backend: Backend<T>,
  tensors: CallTensors<T>,
  mode: CallMode,
  overrides?: ReadonlyMap<LayerWeight, T>,
): { outputs: T[]; masks: (T | undefined)[] } {
  const ctx = new CallContext<T>({
    backend,
    training: mode.training,
    rng: createRng(mode.rngSeed),
    ...(overrides === undefined ? {} : { overrides }),
  });
  const result = whileRecordingUpdates(ctx, () =>
    backend.tidy(() => {
      const { outputs, masks } = layer.invoke(ctx, tensors.inputs, {
        masks: tensors.masks,
        ...(tensors.initialState.length > 0 ? { initialState: tensors.initialState } : {}),
      });
      return { outputs, masks, states: [...ctx.recordedStates().values()] };
    }),
  );
  commitStatefulStates(backend, ctx.recordedStates(), true);
  return { outputs: result.outputs, masks: result.masks };
}

/**
 * Every distinct tensor of a call's result that the call itself made: outputs and output masks, leaving out input
 * masks passed on unchanged (they belong to the caller).
 */
export function ownedResultTensors<T>(
  tensors: CallTensors<T>,
  result: { outputs: T[]; masks: (T | undefined)[] },
): T[] {
  const mine = new Set<T>([...result.outputs, ...result.masks.filter((m): m is T => m !== undefined)]);
  for (const m of tensors.masks) if (m !== undefined) mine.delete(m);
  return [...mine];
}

/**
 * One call on `backend` (weights optionally substituted), read back; every tensor it made is freed and stateful
 * layers are reset.
 */
export function runLayer<T>(
  layer: Layer,
  backend: Backend<T>,
  call: HostCall,
  mode: CallMode,
  options: { readonly masks?: boolean; readonly overrides?: ReadonlyMap<LayerWeight, T> } = {},
): HostResult {
  const withMasks = options.masks ?? true;
  const tensors = callTensors(
    backend,
    withMasks ? call : { ...call, masks: call.masks.map(() => undefined) },
  );
  try {
    const result = invokeLayer(layer, backend, tensors, mode, options.overrides);
    try {
      return {
        outputs: result.outputs.map((y) => toHost(backend, y)),
        masks: result.masks.map((m) => (m === undefined ? undefined : toHost(backend, m))),
      };
    } finally {
      backend.dispose(ownedResultTensors(tensors, result));
    }
  } finally {
    tensors.dispose();
    layer.resetStates();
  }
}

/** Host values of every weight of a built layer, in weight order. */
export function weightValues<T>(layer: Layer, backend: Backend<T>): { name: string; values: Float64Array }[] {
  return layer.weights.map((w) => ({ name: w.name, values: readBack(backend, w.read<T>()) }));
}

/** `label on backend`, the prefix of every check name. */
export function caseLabel(testCase: LayerConformanceCase): string {
  if (testCase.label !== undefined) return testCase.label;
  const layer = testCase.factory(testCase.options);
  const options = JSON.stringify(testCase.options, (_key, value) =>
    value instanceof Layer ? value.className : value,
  );
  return `${layer.className}${options === undefined || options === '{}' ? '' : ` ${options}`}`;
}
