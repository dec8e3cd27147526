/**
 * Cells whose steps reach corners of the cell compiler that the built-in cells do not, each once compiled into a
 * kernel whose results differed from the generic loop's. A backend with a compiled kernel runs `compiledCellChecks`
 * on each with its configs:
 *
 * - `testSharedStateGradient`: two states used only through their sum, so both get the same gradient (the plan
 *   once wrote it to one of them only), with the sum multiplied by the recurrent kernel or scaled;
 * - `testRawInputSum`: no `projectInput`, the raw input added to `h·U` (d inputs was never written);
 * - `testParamState`: a next state made from a parameter alone (its gradient was dropped), or with `output`, the
 *   output;
 * - `testCarriedState`: a state returned unchanged (the generic loop returned the caller's initial state itself) and
 *   one twice as wide as `units` (the recurrent dropout check assumed `units`);
 * - `testFunctionOption`: an option holding a function (the compiler's cache left functions out of its key);
 * - `testBounds`: ±Infinity constants, as an unbounded clip (they were one constant with `null`);
 * - `testRowLeft`: a product whose left operand folds to a parameter's row (`h·0 + c0`; the product read one row);
 * - `testStepInputProduct`: a product of the projected step input with a parameter inside `step` (the GPU kernels
 *   read it as zeros for the parameter's gradient);
 * - `testInputProductChain`: a product of that product with another parameter (the GPU kernels read the first
 *   step's left operand at every step for its gradient);
 * - `testComputedProjection`: an input product whose right operand is computed from a parameter (`x·(2W)`), and with
 *   `again` the projected input multiplied again in the step (the GPU kernels' backward pass read the computed
 *   operand after tfjs had freed it);
 * - `testSkipOutput`: an output twice as wide as the state, `concat([x·W, h'])`, its columns stored by two passes
 *   (with a mask, the GPU kernels kept only the second pass's columns);
 * - `testProductChain`: a chain of two products after a pass, `(h'·V)·Q` as the output, or with `inStep`
 *   `(tanh(h·U)·V)·Q` inside the step (the second product was scheduled before the pass its chain starts from: a
 *   step late on cpu and wasm, zeros on the GPU kernels);
 * - `testWideReads`: two states through three passes with `exp`, `log`, `sqrt` and a division, whose backward
 *   programs read more tensors than WebGPU's 7 (its kernel declined the cell before packing reads side by side);
 * - `testManyStates`: six states of three widths, with initial states (each one more input of the first program);
 * - `testStaircase`: seven states, six of them stored by two passes each (`concat([a_j, a_6 / 2])`, `a_{j+1} =
 *   tanh(a_j·V)`): its last pass reads more than WebGPU's 7 tensors (the GPU kernels declined it before packing
 *   whole inputs, the states' earlier values included);
 * - `testNarrowStore`: a value stored in one column of a state and needed at every column in a later pass (the plan
 *   read it from that state's columns, one of them its own; found by `randomCellChecks`);
 * - `testOverwrittenStore`: a value stored in a gradient buffer that a product then adds to, and needed in a later
 *   pass (the plan read it back with the product's part added; found by `randomCellChecks`).
 * - `testConstantStep`: a step whose results are constants (`tanh(0 · z)`), so no backward pass (with a mask the GPU
 *   kernels had nothing to carry the masked rows' output gradient and failed; found by `randomCellChecks`).
 * - `testRowNorm`: layer normalization inside the step and, with `inProjection`, in `projectInput` (sums along the
 *   last axis, products with ones, and `[batch, 1]` values beside wider ones, read across the row), with `flat` a
 *   mean without `keepDims` reshaped back (a `[batch]` value).
 * - `testOnesMatrix`: a product with the step's own matrix of ones `[units, units]` (the host runtimes computed it as
 *   the tracer's one-column ones at first: the first column of `h` repeated instead of its rows' sums; found in
 *   review).
 */
import {
  type AnyCellPlugin,
  affine,
  type CellPlugin,
  mean,
  type Ops,
  type ParamSpec,
  type ParamTensors,
  type StateSpec,
  sliceLast,
} from '@seqmodel/core';
import type { CellConformanceConfig } from '@seqmodel/core/testing';

/** W, U and b, and `more` after them. */
const kernels = (inputSize: number, units: number, ...more: ParamSpec[]): ParamSpec[] => [
  { name: 'kernel', shape: [inputSize, units], initializer: 'glorotUniform' },
  { name: 'recurrentKernel', shape: [units, units], initializer: 'orthogonal' },
  { name: 'bias', shape: [units], initializer: 'zeros' },
  ...more,
];

/** A second recurrent matrix, `V`. */
const matrixV = (units: number): ParamSpec => ({
  name: 'V',
  shape: [units, units],
  initializer: 'glorotUniform',
});

/** A parameter row, `c0`. */
const rowC0 = (units: number): ParamSpec => ({ name: 'c0', shape: [units], initializer: 'ones' });

/** One state, `h`. */
const stateH = ({ units }: { units: number }): StateSpec[] => [{ name: 'h', size: units }];

/** Two states of `units` each, `h` and `g`. */
const statesHG = ({ units }: { units: number }): StateSpec[] => [
  { name: 'h', size: units },
  { name: 'g', size: units },
];

/** `h·U`: the first state times the recurrent kernel. */
function hU<T>(ops: Ops<T>, state: readonly T[], p: ParamTensors<T>): T {
  return ops.matMul(state[0]!, p.recurrentKernel!);
}

/** `x·W + b`. */
function projected<T>(ops: Ops<T>, x: T, p: ParamTensors<T>): T {
  return affine(ops, x, p.kernel!, p.bias);
}

/** `h' = tanh(x·W + b + (h + c)·U)` (or `0.7 (h + c)` without `viaProduct`), `c' = h' / 2`. */
export const sharedStateGradientCell: CellPlugin<{ viaProduct: boolean }> = {
  specificationVersion: 'v1',
  name: 'testSharedStateGradient',
  defaultOptions: { viaProduct: true },
  params: ({ inputSize, units }) => kernels(inputSize, units),
  state: ({ units }) => [
    { name: 'h', size: units },
    { name: 'c', size: units },
  ],
  projectInput: projected,
  step(ops, { input, state, params, dims }) {
    const sum = ops.add(state[0]!, state[1]!);
    const recurrent = dims.options.viaProduct ? ops.matMul(sum, params.recurrentKernel!) : ops.mul(sum, 0.7);
    const next = ops.tanh(ops.add(input, recurrent));
    return { output: next, state: [next, ops.mul(next, 0.5)] };
  },
};

/** `h' = tanh(x + h·U)`: the raw input, `inputSize = units`. */
export const rawInputSumCell: CellPlugin = {
  specificationVersion: 'v1',
  name: 'testRawInputSum',
  defaultOptions: {},
  params: ({ units }) => [{ name: 'recurrentKernel', shape: [units, units], initializer: 'orthogonal' }],
  state: stateH,
  step(ops, { input, state, params }) {
    const next = ops.tanh(ops.add(input, hU(ops, state, params)));
    return { output: next, state: [next] };
  },
};

/**
 * `h' = tanh(x·W + b + h·U + c)`, `c' = c0` (a parameter, the same at every step); the output is `h'`, or with
 * `output` it is `c0` too.
 */
export const paramStateCell: CellPlugin<{ output: boolean }> = {
  specificationVersion: 'v1',
  name: 'testParamState',
  defaultOptions: { output: false },
  params: ({ inputSize, units }) => kernels(inputSize, units, rowC0(units)),
  state: ({ units }) => [
    { name: 'h', size: units },
    { name: 'c', size: units },
  ],
  projectInput: projected,
  step(ops, { input, state, params, dims }) {
    const [h, c] = state as [typeof input, typeof input];
    const next = ops.tanh(ops.add(ops.add(input, ops.matMul(h, params.recurrentKernel!)), c));
    const c0 = ops.add(ops.fill(ops.shape(c), 0), params.c0!);
    return { output: dims.options.output ? c0 : next, state: [next, c0] };
  },
};

/**
 * `h' = tanh(x·W + b + (h ∘ mask)·U) + m[:units] / 2`; `m` (2 units wide) shifts in `h'`; `k` (3 wide) is carried
 * unchanged. Supports recurrent dropout.
 */
export const carriedStateCell: CellPlugin = {
  specificationVersion: 'v1',
  name: 'testCarriedState',
  defaultOptions: {},
  supportsRecurrentDropout: true,
  params: ({ inputSize, units }) => kernels(inputSize, units),
  state: ({ units }) => [
    { name: 'h', size: units },
    { name: 'm', size: 2 * units },
    { name: 'k', size: 3 },
  ],
  projectInput: projected,
  step(ops, { input, state, params, dims, recurrentMask }) {
    const [h, m, k] = state as [typeof input, typeof input, typeof input];
    const u = dims.units;
    const dropped = recurrentMask === undefined ? h : ops.mul(h, recurrentMask);
    const a = ops.tanh(ops.add(input, ops.matMul(dropped, params.recurrentKernel!)));
    const next = ops.add(a, ops.mul(sliceLast(ops, m, 0, u), 0.5));
    return { output: next, state: [next, ops.concat([sliceLast(ops, m, u, u), next], -1), k] };
  },
};

type Squash = <T>(ops: Ops<T>, x: T) => T;

/** `h' = squash(x·W + b + h·U)`, `squash` an option holding a function. */
export const functionOptionCell: CellPlugin<{ squash: Squash }> = {
  specificationVersion: 'v1',
  name: 'testFunctionOption',
  defaultOptions: { squash: (ops, x) => ops.tanh(x) },
  validateOptions(options) {
    if (typeof options.squash !== 'function')
      throw new TypeError('testFunctionOption.squash: expected a function');
  },
  params: ({ inputSize, units }) => kernels(inputSize, units),
  state: stateH,
  projectInput: projected,
  step(ops, { input, state, params, dims }) {
    const next = dims.options.squash(ops, ops.add(input, hU(ops, state, params)));
    return { output: next, state: [next] };
  },
};

/** `h' = tanh(min(max(z, -bound), bound))` with `z = clip(x·W + b + h·U, -bound, bound)`; `bound` ∞ by default. */
export const boundsCell: CellPlugin<{ bound: number }> = {
  specificationVersion: 'v1',
  name: 'testBounds',
  defaultOptions: { bound: Number.POSITIVE_INFINITY },
  params: ({ inputSize, units }) => kernels(inputSize, units),
  state: stateH,
  projectInput: projected,
  step(ops, { input, state, params, dims }) {
    const bound = dims.options.bound;
    const z = ops.clip(ops.add(input, hU(ops, state, params)), -bound, bound);
    const next = ops.tanh(ops.minimum(ops.maximum(z, -bound), bound));
    return { output: next, state: [next] };
  },
};

/** `h' = tanh(x·W + h·U + (h·0 + c0)·V)`: the last product's left operand is the row `c0`. */
export const rowLeftCell: CellPlugin = {
  specificationVersion: 'v1',
  name: 'testRowLeft',
  defaultOptions: {},
  params: ({ inputSize, units }) => kernels(inputSize, units, rowC0(units), matrixV(units)),
  state: stateH,
  projectInput: projected,
  step(ops, { input, state, params }) {
    const h = state[0]!;
    const row = ops.add(ops.mul(h, 0), params.c0!);
    const sum = ops.add(ops.matMul(h, params.recurrentKernel!), ops.matMul(row, params.V!));
    const next = ops.tanh(ops.add(input, sum));
    return { output: next, state: [next] };
  },
};

/** `h' = tanh((x·W)·V + h·U + b)`: the projected input (an input product, no bias) multiplied again in the step. */
export const stepInputProductCell: CellPlugin = {
  specificationVersion: 'v1',
  name: 'testStepInputProduct',
  defaultOptions: {},
  params: ({ inputSize, units }) => kernels(inputSize, units, matrixV(units)),
  state: stateH,
  projectInput: (ops, x, p) => ops.matMul(x, p.kernel!),
  step(ops, { input, state, params }) {
    const recurrent = ops.add(hU(ops, state, params), params.bias!);
    const next = ops.tanh(ops.add(ops.matMul(input, params.V!), recurrent));
    return { output: next, state: [next] };
  },
};

/**
 * `h' = tanh(((x·W)·V)·Q + h·U + b)`: a product whose left operand is itself a product of the projected input (the
 * GPU kernels took `Q`'s gradient from the first step's left operand at every step).
 */
export const inputProductChainCell: CellPlugin = {
  specificationVersion: 'v1',
  name: 'testInputProductChain',
  defaultOptions: {},
  params: ({ inputSize, units }) => [
    ...kernels(inputSize, units, matrixV(units)),
    { name: 'Q', shape: [units, units], initializer: 'glorotUniform' },
  ],
  state: stateH,
  projectInput: (ops, x, p) => ops.matMul(x, p.kernel!),
  step(ops, { input, state, params }) {
    const chained = ops.matMul(ops.matMul(input, params.V!), params.Q!);
    const recurrent = ops.add(hU(ops, state, params), params.bias!);
    const next = ops.tanh(ops.add(chained, recurrent));
    return { output: next, state: [next] };
  },
};

/**
 * `h' = tanh(x·(2W) + h·U + b)`, or with `again` `tanh((x·(2W))·V + h·U + b)`: the input product's right operand is
 * computed, not a parameter read in place.
 */
export const computedProjectionCell: CellPlugin<{ again: boolean }> = {
  specificationVersion: 'v1',
  name: 'testComputedProjection',
  defaultOptions: { again: false },
  params: ({ inputSize, units }) => kernels(inputSize, units, matrixV(units)),
  state: stateH,
  projectInput: (ops, x, p) => ops.matMul(x, ops.mul(p.kernel!, 2)),
  step(ops, { input, state, params, dims }) {
    const projected = dims.options.again ? ops.matMul(input, params.V!) : input;
    const recurrent = ops.add(hU(ops, state, params), params.bias!);
    const next = ops.tanh(ops.add(projected, recurrent));
    return { output: next, state: [next] };
  },
};

/** `h' = tanh(x·W + h·U + b)`, output `concat([x·W, h'])` (`2 units` wide): a skip connection. */
export const skipOutputCell: CellPlugin = {
  specificationVersion: 'v1',
  name: 'testSkipOutput',
  defaultOptions: {},
  params: ({ inputSize, units }) => kernels(inputSize, units),
  state: stateH,
  outputSize: ({ units }) => 2 * units,
  projectInput: (ops, x, p) => ops.matMul(x, p.kernel!),
  step(ops, { input, state, params }) {
    const recurrent = ops.add(hU(ops, state, params), params.bias!);
    const next = ops.tanh(ops.add(input, recurrent));
    return { output: ops.concat([input, next], -1), state: [next] };
  },
};

/**
 * `h' = tanh(x·W + b + h·U)`, output `(h'·V)·Q`; with `inStep`, `h' = tanh(x·W + b + (tanh(h·U)·V)·Q)`, output `h'`.
 */
export const productChainCell: CellPlugin<{ inStep: boolean }> = {
  specificationVersion: 'v1',
  name: 'testProductChain',
  defaultOptions: { inStep: false },
  params: ({ inputSize, units }) => [
    ...kernels(inputSize, units, matrixV(units)),
    { name: 'Q', shape: [units, units], initializer: 'glorotUniform' },
  ],
  state: stateH,
  projectInput: projected,
  step(ops, { input, state, params, dims }) {
    const chain = (x: unknown) => ops.matMul(ops.matMul(x as never, params.V!), params.Q!);
    if (dims.options.inStep) {
      const a = ops.tanh(hU(ops, state, params));
      const next = ops.tanh(ops.add(input, chain(a)));
      return { output: next, state: [next] };
    }
    const next = ops.tanh(ops.add(input, hU(ops, state, params)));
    return { output: chain(next), state: [next] };
  },
};

/**
 * `a = tanh(x·W + b + h·U)`, `z = σ(a·V + 0.2 q)`, `h' = tanh((z ∘ g)·Q + a) ∘ z + a ∘ q`, `g' = (g + h') / 2`, with
 * `q = √(h² + 1.5) / log(e^{0.3 g} + c + 1)`: three passes and two states.
 */
export const wideReadsCell: CellPlugin = {
  specificationVersion: 'v1',
  name: 'testWideReads',
  defaultOptions: {},
  params: ({ inputSize, units }) => [
    ...kernels(inputSize, units, matrixV(units), rowC0(units)),
    { name: 'Q', shape: [units, units], initializer: 'glorotUniform' },
  ],
  state: statesHG,
  projectInput: projected,
  step(ops, { input, state, params }) {
    const [h, g] = [state[0]!, state[1]!];
    const q = ops.div(
      ops.sqrt(ops.add(ops.mul(h, h), 1.5)),
      ops.log(ops.add(ops.add(ops.exp(ops.mul(g, 0.3)), params.c0!), 1)),
    );
    const a = ops.tanh(ops.add(input, ops.matMul(h, params.recurrentKernel!)));
    const z = ops.sigmoid(ops.add(ops.matMul(a, params.V!), ops.mul(q, 0.2)));
    const next = ops.add(
      ops.mul(ops.tanh(ops.add(ops.matMul(ops.mul(z, g), params.Q!), a)), z),
      ops.mul(a, q),
    );
    return { output: next, state: [next, ops.mul(ops.add(g, next), 0.5)] };
  },
};

/** Six states `s_i` of widths `units + i mod 3`: `h' = tanh(x·W + b + s₀·U + Σ_i 0.1 i s_i[:units])`, each `s_i'`
 * built from `h'` and `s_i`'s own extra columns. */
export const manyStatesCell: CellPlugin = {
  specificationVersion: 'v1',
  name: 'testManyStates',
  defaultOptions: {},
  params: ({ inputSize, units }) => kernels(inputSize, units),
  state: ({ units }) => Array.from({ length: 6 }, (_, i) => ({ name: `s${i}`, size: units + (i % 3) })),
  projectInput: projected,
  step(ops, { input, state, params, dims }) {
    const { units } = dims;
    let sum = ops.add(input, hU(ops, state, params));
    for (let i = 1; i < 6; i++) sum = ops.add(sum, ops.mul(sliceLast(ops, state[i]!, 0, units), 0.1 * i));
    const next = ops.tanh(sum);
    const states = state.map((s, i) =>
      i % 3 === 0
        ? i === 0
          ? next
          : ops.mul(next, 0.5)
        : ops.concat([ops.mul(next, 0.5 + 0.05 * i), sliceLast(ops, s, units, i % 3)], -1),
    );
    return { output: next, state: states };
  },
};

/** `a₁ = tanh(x·W + b + h·U)`, `a_{j+1} = tanh(a_j·V)` to `a₆`; `h' = a₆`, `s_j' = concat([a_j, a₆ / 2])`. */
export const staircaseCell: CellPlugin = {
  specificationVersion: 'v1',
  name: 'testStaircase',
  defaultOptions: {},
  params: ({ inputSize, units }) => kernels(inputSize, units, matrixV(units)),
  state: ({ units }) => [
    { name: 'h', size: units },
    ...Array.from({ length: 6 }, (_, j) => ({ name: `s${j}`, size: 2 * units })),
  ],
  projectInput: projected,
  step(ops, { input, state, params }) {
    const as = [ops.tanh(ops.add(input, hU(ops, state, params)))];
    for (let j = 1; j <= 6; j++) as.push(ops.tanh(ops.matMul(as[j - 1]!, params.V!)));
    const last = as[6]!;
    const half = ops.mul(last, 0.5);
    return { output: last, state: [last, ...as.slice(0, 6).map((a) => ops.concat([a, half], -1))] };
  },
};

/**
 * `a = tanh(x·W + b + h·U)`, `t = tanh(a ∘ a + a)`; `h' = concat([a, t])[1 : units + 1]` (so `h'` holds `t` in its
 * last column only) and `g' = t ∘ σ(h'·V)`: `t` is needed again at every column in the pass after the product (the
 * plan read it from `h'`'s one column, across the next columns too).
 */
export const narrowStoreCell: CellPlugin = {
  specificationVersion: 'v1',
  name: 'testNarrowStore',
  defaultOptions: {},
  params: ({ inputSize, units }) => kernels(inputSize, units, matrixV(units)),
  state: statesHG,
  projectInput: projected,
  step(ops, { input, state, params, dims }) {
    const a = ops.tanh(ops.add(input, hU(ops, state, params)));
    const t = ops.tanh(ops.add(ops.mul(a, a), a));
    const next = sliceLast(ops, ops.concat([a, t], -1), 1, dims.units);
    const g = ops.mul(t, ops.sigmoid(ops.matMul(next, params.V!)));
    return { output: next, state: [next, g] };
  },
};

/**
 * `e = g − 0.3 h`, `h' = tanh(tanh(x·W + b + tanh(h)·U) ∘ e)`, `g' = tanh(g·V)`: `d e` is `d g`'s elementwise part,
 * which `g·V`'s gradient product then adds to, and `d h` needs `d e` in the pass after the products (through
 * `tanh(h)`); the plan read it from `d g`, the product's part included.
 */
export const overwrittenStoreCell: CellPlugin = {
  specificationVersion: 'v1',
  name: 'testOverwrittenStore',
  defaultOptions: {},
  params: ({ inputSize, units }) => kernels(inputSize, units, matrixV(units)),
  state: statesHG,
  projectInput: projected,
  step(ops, { input, state, params }) {
    const [h, g] = [state[0]!, state[1]!];
    const e = ops.sub(g, ops.mul(h, 0.3));
    const a = ops.tanh(ops.add(input, ops.matMul(ops.tanh(h), params.recurrentKernel!)));
    const next = ops.tanh(ops.mul(a, e));
    return { output: next, state: [next, ops.tanh(ops.matMul(g, params.V!))] };
  },
};

/** `h' = tanh(0 · (x·W + b + h·U))`: a step whose results are constants, so its backward pass does nothing. */
export const constantStepCell: CellPlugin = {
  specificationVersion: 'v1',
  name: 'testConstantStep',
  defaultOptions: {},
  params: ({ inputSize, units }) => kernels(inputSize, units),
  state: stateH,
  projectInput: projected,
  step(ops, { input, state, params }) {
    const next = ops.tanh(ops.mul(ops.add(input, hU(ops, state, params)), 0));
    return { output: next, state: [next] };
  },
};

/** Layer normalization of each row, `(z − mean) / √(variance + 0.1)`, with core's `mean`. */
function normalizeRows<T>(ops: Ops<T>, z: T, flat: boolean): { normalized: T; mu: T } {
  const mu = flat ? ops.reshape(mean(ops, z, -1), [-1, 1]) : mean(ops, z, -1, true);
  const centered = ops.sub(z, mu);
  const spread = mean(ops, ops.mul(centered, centered), -1, true);
  return { normalized: ops.div(centered, ops.sqrt(ops.add(spread, 0.1))), mu };
}

/**
 * `z = x·W + b + h·U`, normalized per row and scaled by `c0`; `g = σ(mean(z))` per row (a `[batch, 1]` gate);
 * `h' = g · tanh(norm(z) · c0) + (1 − g) · h`. With `inProjection`, `x·W + b` is normalized in `projectInput` too;
 * with `emptyBeside`, the gate that multiplies is `concat([fill([batch, 0]), g])` (an empty block before the column:
 * the plan read the empty block's constant across the row instead of the gate; found in review).
 */
export const rowNormCell: CellPlugin<{ flat: boolean; inProjection: boolean; emptyBeside: boolean }> = {
  specificationVersion: 'v1',
  name: 'testRowNorm',
  defaultOptions: { flat: false, inProjection: false, emptyBeside: false },
  params: ({ inputSize, units }) => kernels(inputSize, units, rowC0(units)),
  state: stateH,
  projectInput(ops, x, params, dims) {
    const z = projected(ops, x, params);
    return dims.options.inProjection ? normalizeRows(ops, z, dims.options.flat).normalized : z;
  },
  step(ops, { input, state, params, dims }) {
    const z = ops.add(input, hU(ops, state, params));
    const { normalized, mu } = normalizeRows(ops, z, dims.options.flat);
    const gate = ops.sigmoid(mu);
    const candidate = ops.tanh(ops.mul(normalized, params.c0!));
    const multiplier = dims.options.emptyBeside
      ? ops.concat([ops.fill([ops.shape(gate)[0]!, 0], 1), gate], -1)
      : gate;
    const next = ops.add(ops.mul(multiplier, candidate), ops.mul(ops.sub(1, gate), state[0]!));
    return { output: next, state: [next] };
  },
};

/** `h' = tanh(x·W + b + h·U + 0.3 · h·J)`, `J` a `[units, units]` matrix of ones the step makes. */
export const onesMatrixCell: CellPlugin = {
  specificationVersion: 'v1',
  name: 'testOnesMatrix',
  defaultOptions: {},
  params: ({ inputSize, units }) => kernels(inputSize, units),
  state: stateH,
  projectInput: projected,
  step(ops, { input, state, params, dims }) {
    const ones = ops.matMul(state[0]!, ops.fill([dims.units, dims.units], 1));
    const next = ops.tanh(ops.add(ops.add(input, hU(ops, state, params)), ops.mul(ones, 0.3)));
    return { output: next, state: [next] };
  },
};

/** Each corner cell with the sizes and options to check it at. */
export const compilerCornerCells: readonly {
  readonly cell: AnyCellPlugin;
  readonly configs: readonly CellConformanceConfig[];
}[] = [
  {
    cell: sharedStateGradientCell,
    configs: [
      { inputSize: 3, units: 4 },
      { inputSize: 2, units: 5, options: { viaProduct: false } },
    ],
  },
  { cell: rawInputSumCell, configs: [{ inputSize: 4, units: 4 }] },
  {
    cell: paramStateCell,
    configs: [
      { inputSize: 3, units: 4 },
      { inputSize: 3, units: 4, options: { output: true } },
    ],
  },
  { cell: carriedStateCell, configs: [{ inputSize: 3, units: 4 }] },
  {
    cell: functionOptionCell,
    // Two functions one after the other: the second must not run the first's kernel.
    configs: [
      { inputSize: 3, units: 4, options: { squash: <T>(ops: Ops<T>, x: T) => ops.tanh(x) } },
      { inputSize: 3, units: 4, options: { squash: <T>(ops: Ops<T>, x: T) => ops.relu(x) } },
    ],
  },
  { cell: rowLeftCell, configs: [{ inputSize: 3, units: 4 }] },
  { cell: stepInputProductCell, configs: [{ inputSize: 3, units: 4 }] },
  { cell: inputProductChainCell, configs: [{ inputSize: 3, units: 4 }] },
  {
    cell: computedProjectionCell,
    configs: [
      { inputSize: 3, units: 4 },
      { inputSize: 3, units: 4, options: { again: true } },
    ],
  },
  { cell: skipOutputCell, configs: [{ inputSize: 3, units: 4 }] },
  { cell: wideReadsCell, configs: [{ inputSize: 3, units: 4 }] },
  { cell: manyStatesCell, configs: [{ inputSize: 3, units: 4 }] },
  { cell: staircaseCell, configs: [{ inputSize: 3, units: 4 }] },
  { cell: narrowStoreCell, configs: [{ inputSize: 3, units: 4 }] },
  { cell: overwrittenStoreCell, configs: [{ inputSize: 3, units: 4 }] },
  { cell: constantStepCell, configs: [{ inputSize: 3, units: 4 }] },
  {
    cell: rowNormCell,
    configs: [
      { inputSize: 3, units: 4 },
      { inputSize: 2, units: 5, options: { flat: true } },
      { inputSize: 3, units: 6, options: { inProjection: true } },
      { inputSize: 3, units: 4, options: { emptyBeside: true } },
    ],
  },
  { cell: onesMatrixCell, configs: [{ inputSize: 3, units: 4 }] },
  {
    cell: productChainCell,
    configs: [
      { inputSize: 3, units: 4 },
      { inputSize: 3, units: 4, options: { inStep: true } },
    ],
  },
  {
    cell: boundsCell,
    configs: [
      { inputSize: 3, units: 4 },
      { inputSize: 3, units: 4, options: { bound: 0.5 } },
    ],
  },
];

/**
 * The corner cells a GPU compiled kernel runs: the same, less the unbounded `testBounds` (GPU programs have no literal
 * for ±Infinity, so that step declines and runs the generic loop; the interpreted GPU test checks the decline).
 */
export const gpuCompilerCornerCells: typeof compilerCornerCells = compilerCornerCells.map(
  ({ cell, configs }) => ({
    cell,
    configs: cell === boundsCell ? configs.filter((c) => c.options?.bound !== undefined) : configs,
  }),
);
