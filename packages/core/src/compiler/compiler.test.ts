import { describe, expect, it } from 'vitest';
import type { CellPlugin } from '../cell.js';
import { gru, lstm, simpleRNN } from '../cells/index.js';
import { affine, mean, sliceLast, softmax, splitLast, variance } from '../derived-ops.js';
import { resolveCellDims } from '../params.js';
import { createReferenceBackend } from '../reference/reference-backend.js';
import { cellWithStep } from '../test-helpers.js';
import { compileCell } from './compile.js';
import { explainCompiledCell } from './explain.js';
import { interpretLoop } from './interpret.js';
import { type PlanStatic, planSequence, type Stage, staticView } from './plan.js';
import type { PlanBuffer } from './program.js';
import { formatTrace, replayStatic, traceCell } from './trace.js';

/** The minimal gated unit, as `@seqmodel/cell-mgu` writes it: two products per step, U split in `prepare`. */
const mgu: CellPlugin<Record<string, never>> = {
  name: 'testCompilerMgu',
  defaultOptions: {},
  params: ({ inputSize, units }) => [
    { name: 'kernel', shape: [inputSize, 2 * units], initializer: 'glorotUniform' },
    { name: 'recurrentKernel', shape: [units, 2 * units], initializer: 'orthogonal' },
    { name: 'bias', shape: [2 * units], initializer: 'zeros' },
  ],
  state: ({ units }) => [{ name: 'h', size: units }],
  projectInput: (ops, x, params) => affine(ops, x, params.kernel!, params.bias),
  prepare: (ops, params, { units }) => ({
    uF: sliceLast(ops, params.recurrentKernel!, 0, units),
    uH: sliceLast(ops, params.recurrentKernel!, units, units),
  }),
  step(ops, { input, state, prepared }) {
    type T = typeof input;
    const { uF, uH } = prepared as { uF: T; uH: T };
    const h = state[0]!;
    const [xf, xh] = splitLast(ops, input, 2) as [T, T];
    const f = ops.sigmoid(ops.add(xf, ops.matMul(h, uF)));
    const candidate = ops.tanh(ops.add(xh, ops.matMul(ops.mul(f, h), uH)));
    const next = ops.add(ops.mul(ops.sub(1, f), h), ops.mul(f, candidate));
    return { output: next, state: [next] };
  },
};

function dimsOf(cell: CellPlugin<object>, options: Record<string, unknown> = {}, inputSize = 3, units = 4) {
  return resolveCellDims(cell, { inputSize, units, ...options }).dims;
}

function plan(cell: CellPlugin<object>, training: boolean, options: Record<string, unknown> = {}) {
  return planSequence(traceCell(cell, dimsOf(cell, options), 2), training);
}

const kinds = (stages: readonly Stage[]) => stages.map((s) => s.kind);

/** A cell whose step is `f(ops, h, input, params)`, with the usual parameters. */
describe('the tracer', () => {
  it('records projectInput on rows, parameter-only work as static and the step, each call with its shape', () => {
    const trace = traceCell(mgu, dimsOf(mgu), 2);
    const byOp = (op: string) => trace.nodes.filter((n) => n.op === op);
    expect(trace.projection!.output.domain).toBe('sequence');
    expect(byOp('slice').map((n) => n.domain)).toEqual(['static', 'static', 'step', 'step']);
    expect(byOp('matMul').map((n) => [n.domain, ...n.shape])).toEqual([
      ['sequence', 2, 8],
      ['step', 2, 4],
      ['step', 2, 4],
    ]);
    expect(trace.output).toBe(trace.nextStates[0]);
    const text = formatTrace(trace);
    expect(text).toMatch(/^%0 = params\.kernel \[3, 8\] static$/m);
    expect(text).toMatch(/= sigmoid\(%\d+\) \[2, 4\] step$/m);
    expect(text).toMatch(/^state\[0\]' = %\d+$/m);
  });

  it('records a sum along the last axis, and a [batch, 1] value beside wider ones, as products with ones', () => {
    const trace = traceCell(layerNorm, dimsOf(layerNorm), 2);
    const text = formatTrace(trace);
    // One column of ones for the sums, one row for the [2, 1] values beside [2, 4] ones: each recorded once.
    expect(text.match(/= fill\(.*\) \[4, 1\] static$/gm)).toHaveLength(1);
    expect(text.match(/= fill\(.*\) \[1, 4\] static$/gm)).toHaveLength(1);
    expect(trace.nodes.filter((n) => n.op === 'sum')).toEqual([]);
    // h·U, then in the order the step makes them: three sums ([2, 1]: the mean, the variance's mean of z and of the
    // squares) and four [2, 1] values broadcast ([2, 4]: z − μ twice, the division, the gate).
    const products = trace.nodes.filter((n) => n.op === 'matMul' && n.domain === 'step');
    expect(products.map((n) => n.shape.join('x'))).toEqual([
      '2x4',
      '2x1',
      '2x4',
      '2x1',
      '2x4',
      '2x1',
      '2x4',
      '2x4',
    ]);
    // A sum of a parameter stays a sum (the backend computes it once per sequence).
    const paramSum = traceCell(
      cellWithStep('testParamSum', (ops, { input, state, params }) => {
        const next = ops.tanh(ops.add(input, ops.mul(state[0]!, ops.sum(params.recurrentKernel!, 0, true))));
        return { output: next, state: [next] };
      }),
      dimsOf(simpleRNN),
      2,
    );
    expect(paramSum.nodes.filter((n) => n.op === 'sum').map((n) => n.domain)).toEqual(['static']);
  });

  it('replays static nodes on real ops', () => {
    const ref = createReferenceBackend();
    const trace = traceCell(mgu, dimsOf(mgu, {}, 1, 2), 1);
    const u = ref.tensor(
      [
        [1, 2, 3, 4],
        [5, 6, 7, 8],
      ],
      [2, 4],
    );
    const uH = trace.nodes.filter((n) => n.op === 'slice' && n.domain === 'static')[1]!;
    const value = replayStatic(ref, uH, (leaf) =>
      leaf.kind === 'param' && leaf.name === 'recurrentKernel' ? u : ref.fill([1], 0),
    );
    expect(ref.toArray(value)).toEqual([
      [3, 4],
      [7, 8],
    ]);
  });
});

/**
 * `h' = tanh(LN(x·W + b + h·U)) · σ(mean(h))`, layer normalization with core's `mean` (the mean reshaped back from
 * `[batch]`) and `variance` (`keepDims`).
 */
const layerNorm = cellWithStep('testCompilerLayerNorm', (ops, { input, state, params }) => {
  const z = ops.add(input, ops.matMul(state[0]!, params.recurrentKernel!));
  const mu = ops.reshape(mean(ops, z, -1), [-1, 1]);
  const normalized = ops.div(ops.sub(z, mu), ops.sqrt(ops.add(variance(ops, z, -1, true), 1e-3)));
  const next = ops.mul(ops.tanh(normalized), ops.sigmoid(mu));
  return { output: next, state: [next] };
});

describe('the plan', () => {
  it('layer normalization: its sums are products with ones, which get no gradient; its per-row values broadcast reads', () => {
    const p = plan(layerNorm, true);
    const constant = (index: number) => p.statics[index]!.node.op === 'fill';
    const products = p.forward.filter((s): s is Extract<Stage, { kind: 'product' }> => s.kind === 'product');
    // The mean's sum, and variance's mean and sum of squares; the per-row values beside wider ones are no products.
    expect(products.filter((s) => constant(s.right))).toHaveLength(3);
    expect(products.filter((s) => constant(s.right)).map((s) => p.buffers[s.out]!.width)).toEqual([1, 1, 1]);
    // Forward, the passes read those sums across the row; backward, a sum's gradient is read so and a broadcast's
    // is a sum: a product with ones transposed.
    const broadcastReads = (stages: readonly Stage[]) =>
      stages.flatMap((s) =>
        s.kind === 'pass'
          ? s.pass.loops.flatMap((l) =>
              l.nodes.filter((n) => n.op === 'read' && n.broadcast && p.buffers[n.buffer]!.rows !== 'single'),
            )
          : [],
      );
    expect(broadcastReads(p.forward).length).toBeGreaterThan(0);
    expect(broadcastReads(p.backward!.stages).length).toBeGreaterThan(0);
    const backwardProducts = p.backward!.stages.filter(
      (s): s is Extract<Stage, { kind: 'product' }> => s.kind === 'product',
    );
    for (const s of backwardProducts.filter((s) => constant(s.right))) {
      expect([p.buffers[s.out]!.width, s.transposeRight]).toEqual([1, true]);
    }
    expect(backwardProducts.filter((s) => constant(s.right)).length).toBeGreaterThan(0);
    // Only U's gradient is a product over all steps; the left operands of the products with ones are not kept.
    expect(p.backward!.productGradients.map((g) => p.statics[g.right]!.node.leaf)).toEqual([
      { kind: 'param', name: 'recurrentKernel' },
    ]);
    const keptLefts = products
      .filter((s) => constant(s.right))
      .map((s) => p.buffers[s.left]!)
      .filter((b) => b.rows === 'sequence' && b.name.startsWith('left of'));
    expect(keptLefts).toEqual([]);
  });

  it('a long chain of work on a per-row value compiles in time (its expressions share operands)', () => {
    // 1 / √v per row by 24 Newton iterations: each iterate is used three times by the next. Walking the expression
    // without memoizing visits a shared operand once per path to it: 12 iterations did not finish in 2 minutes.
    const newton = cellWithStep('testCompilerNewton', (ops, { input, state, params }) => {
      const z = ops.add(input, ops.matMul(state[0]!, params.recurrentKernel!));
      const v = ops.add(mean(ops, ops.mul(z, z), -1, true), 1);
      let y = ops.add(ops.mul(v, 0), 0.5);
      for (let k = 0; k < 24; k++) y = ops.mul(y, ops.sub(1.5, ops.mul(ops.mul(ops.mul(v, 0.5), y), y)));
      const next = ops.tanh(ops.mul(z, y));
      return { output: next, state: [next] };
    });
    expect(plan(newton, true).backward).toBeDefined();
  });

  it('lstm: one product of the inputs, per step the recurrent product then one pass, backward one pass then dh·Uᵀ', () => {
    const p = plan(lstm, true);
    expect(p.inputProducts).toHaveLength(1);
    expect(p.statics[p.inputProducts[0]!.right]!.node.leaf).toEqual({ kind: 'param', name: 'kernel' });
    expect(kinds(p.forward)).toEqual(['product', 'pass']);
    const forward = p.forward[1] as Extract<Stage, { kind: 'pass' }>;
    expect(forward.pass.loops.map((l) => l.width)).toEqual([4]);
    expect(kinds(p.backward!.stages)).toEqual(['pass', 'product']);
    // The backward product writes d h directly: the state's gradient buffer is its output.
    const product = p.backward!.stages[1] as Extract<Stage, { kind: 'product' }>;
    expect(product.out).toBe(p.states[0]!.gradient);
    expect(product.transposeRight).toBe(true);
    // The gradient of x·W and of h·U are one buffer: what the gates' pre-activations receive.
    expect(p.backward!.inputProductGradients[0]).toBe(p.backward!.productGradients[0]!.dOut);
    expect(p.states[0]!.saved).toBeDefined();
    expect(p.states[1]!.saved).toBeDefined();
  });

  it('keeps what the backward pass reads only when training', () => {
    const inference = plan(lstm, false);
    expect(inference.buffers.filter((b) => b.rows === 'sequence').map((b) => b.name)).toEqual([
      'inputs',
      'inputs·%0',
    ]);
    const training = plan(lstm, true);
    const kept = training.buffers
      .filter((b) => b.name.startsWith('kept'))
      .map((b) => b.name.replace(/%\d+ /, ''));
    // σ(i), σ(f), tanh(g), σ(o), tanh(c): the outputs the derivatives are written in, as the hand-written kernel.
    expect(kept.sort()).toEqual(['kept sigmoid', 'kept sigmoid', 'kept sigmoid', 'kept tanh', 'kept tanh']);
  });

  it('mgu: two products per step, the second on f * h; U read in place as two column blocks', () => {
    const p = plan(mgu, true);
    expect(kinds(p.forward)).toEqual(['product', 'pass', 'product', 'pass']);
    const views = p.statics.filter((s: PlanStatic) => s.view?.param === 'recurrentKernel').map((s) => s.view);
    expect(views).toEqual([
      { param: 'recurrentKernel', offset: 0, rows: 4, cols: 4, stride: 8 },
      { param: 'recurrentKernel', offset: 4, rows: 4, cols: 4, stride: 8 },
    ]);
    expect(kinds(p.backward!.stages)).toEqual(['pass', 'product', 'pass', 'product']);
    // The last backward product adds (dz·U_fᵀ) to what the passes stored in d h.
    const last = p.backward!.stages[3] as Extract<Stage, { kind: 'product' }>;
    expect([last.out, last.accumulate]).toEqual([p.states[0]!.gradient, true]);
  });

  it('gru resetAfter: the recurrent bias row read in place, with the input bias row', () => {
    const p = plan(gru, true);
    const rows = p.statics.filter((s) => s.view?.param === 'bias').map((s) => [s.view!.offset, s.layout]);
    expect(rows).toEqual([
      [0, 'column'],
      [12, 'column'],
    ]);
  });

  it('finds parameter blocks through slices and contiguous reshapes only', () => {
    const trace = traceCell(gru, dimsOf(gru), 2);
    const biasRow = trace.nodes.find((n) => n.op === 'reshape' && n.domain === 'static')!;
    expect(staticView(biasRow)).toEqual({ param: 'bias', offset: 0, rows: 1, cols: 12, stride: 12 });
    const columnsThenReshape = traceCell(
      cellWithStep('testReshapedColumns', (ops, { input, state, params }) => {
        const u = ops.reshape(sliceLast(ops, params.recurrentKernel!, 0, 2), [-1]);
        const next = ops.tanh(ops.add(input, ops.mul(state[0]!, ops.sum(u))));
        return { output: next, state: [next] };
      }),
      dimsOf(simpleRNN),
      2,
    );
    const reshape = columnsThenReshape.nodes.find((n) => n.op === 'reshape')!;
    expect(staticView(reshape)).toBeUndefined();
  });
});

describe('declines, with a reason naming the operation', () => {
  const cases: [string, CellPlugin['step'], RegExp][] = [
    [
      'a sum over the batch axis',
      (ops, { input, state }) => {
        const next = ops.tanh(ops.add(input, ops.sum(state[0]!, 0, true)));
        return { output: next, state: [next] };
      },
      /step: sum\(\.\.\.\) \[1, 4\] \(%\d+\): ops\.sum on a per-step value has no generator over the batch axis/,
    ],
    [
      // Named at the sum, not at the division that first meets its shape.
      'a mean over the batch axis',
      (ops, { input, state }) => {
        const next = ops.tanh(ops.add(input, ops.div(ops.sum(state[0]!, 0, true), 2)));
        return { output: next, state: [next] };
      },
      /step: sum\(\.\.\.\) \[1, 4\] \(%\d+\): ops\.sum on a per-step value has no generator over the batch axis/,
    ],
    [
      'a maximum along the last axis (softmax)',
      (ops, { input, state }) => {
        const next = ops.tanh(ops.add(input, softmax(ops, state[0]!)));
        return { output: next, state: [next] };
      },
      /step: max\(\.\.\.\) \[2, 1\] \(%\d+\): ops\.max on a per-step value has no generator \(core's softmax/,
    ],
    [
      'a [batch] value beside a row of as many columns (broadcast per column, as tfjs does)',
      (ops, { input, state }) => {
        const next = ops.tanh(ops.add(input, ops.sum(state[0]!, -1)));
        return { output: next, state: [next] };
      },
      /add\(\.\.\.\) \[2, 2\] \(%\d+\): operand %\d+ \[2\] broadcasts per row over 2 columns/,
    ],
    [
      'a slice along the batch axis',
      (ops, { input, state }) => {
        const first = ops.slice(state[0]!, [0, 0], [1, -1]);
        const next = ops.tanh(ops.add(input, first));
        return { output: next, state: [next] };
      },
      /a slice along the batch axis/,
    ],
    [
      'a reshape that changes the per-step layout',
      (ops, { input, state }) => {
        const next = ops.tanh(ops.add(input, ops.reshape(ops.reshape(state[0]!, [-1, 2]), [2, 4])));
        return { output: next, state: [next] };
      },
      /a reshape from \[4, 2\] changes the per-step layout/,
    ],
    [
      'a product of two per-step values',
      (ops, { input, state }) => {
        const h = state[0]!;
        const next = ops.tanh(ops.add(input, ops.matMul(ops.matMul(h, h, false, true), h)));
        return { output: next, state: [next] };
      },
      /a product of two per-step values/,
    ],
    [
      'an int32 per-step value',
      (ops, { input, state }) => {
        const next = ops.tanh(ops.add(input, ops.cast(ops.cast(state[0]!, 'int32'), 'float32')));
        return { output: next, state: [next] };
      },
      /int32/,
    ],
  ];
  for (const [what, step, reason] of cases) {
    it(what, () => {
      const cell = cellWithStep(`testDecline${what.replace(/\W/g, '')}`, step);
      // Units 2 = batch 2 for the [batch] case, where tfjs broadcasts the [2] value along each row.
      const units = what.startsWith('a [batch]') ? 2 : 4;
      const result = compileCell(cell, dimsOf(cell, {}, 3, units), 2, {
        training: false,
        recurrentMask: false,
      });
      expect('reason' in result && result.reason).toMatch(reason);
    });
  }

  it('a step that fails while traced, or returns the wrong shapes', () => {
    const reads = cellWithStep('testDeclineReads', (ops, { state }) => {
      (ops as unknown as { dataSync(x: unknown): void }).dataSync(state[0]);
      return { output: state[0]!, state: [state[0]!] };
    });
    const wide = cellWithStep('testDeclineWide', (ops, { input, state }) => {
      const next = ops.concat([ops.tanh(input), state[0]!], -1);
      return { output: next, state: [state[0]!] };
    });
    // An option that should have been a function fails alike, with no word of reading values.
    const notAFunction = cellWithStep('testDeclineOption', (_ops, { state, dims }) => {
      const options = dims.options as { squash: (x: unknown) => unknown };
      return { output: options.squash(state[0]) as never, state: [state[0]!] };
    });
    const compile = (cell: CellPlugin) =>
      compileCell(cell, dimsOf(cell), 2, { training: true, recurrentMask: false });
    expect((compile(notAFunction) as { reason: string }).reason).toMatch(
      /^tracing the step failed: .*not a function$/,
    );
    expect((compile(reads) as { reason: string }).reason).toMatch(
      /^tracing the step failed: .*dataSync is not a function; .*which have no dataSync: .*may not read tensor values back/,
    );
    expect((compile(wide) as { reason: string }).reason).toBe(
      "the step's output has shape [2, 8], expected [2, 4]",
    );
  });
});

describe('compileCell and explainCompiledCell', () => {
  it('caches plans per cell, options and sizes', () => {
    const dims = dimsOf(lstm);
    const a = compileCell(lstm, dims, 3, { training: true, recurrentMask: false });
    expect(compileCell(lstm, dimsOf(lstm), 3, { training: true, recurrentMask: false })).toBe(a);
    expect(compileCell(lstm, dims, 4, { training: true, recurrentMask: false })).not.toBe(a);
    expect(compileCell(lstm, dims, 3, { training: true, recurrentMask: true })).not.toBe(a);
  });

  it('shows the traced graph and the plan, or the reason', () => {
    const text = explainCompiledCell(mgu, {}, { batch: 2, inputSize: 3, units: 4 });
    for (const heading of [
      'traced graph:',
      'plan:',
      'each step, forward:',
      'each step, backward',
      'after the loop',
    ]) {
      expect(text).toContain(heading);
    }
    // A single-row buffer (the bias, its gradient) has no row index; a per-row one does.
    expect(text).toMatch(/v\d+ = params\.bias\[4 \+ j\]/);
    expect(text).toMatch(/d params\.bias\[\d+ \+ j\] \+= v\d+/);
    expect(text).not.toContain('params.bias[b,');
    expect(text).toMatch(/v\d+ = state\[0\]\[b, 0 \+ j\]/);
    // A `[width]` parameter read in the passes: a row, in the words of adding-a-cell.md.
    expect(text).toMatch(/static \d+ = %\d+ \[8\]: a row \(one value per column\), read from params\.bias/);
    expect(text).toMatch(/d static \d+ \+= d params\.bias \(a row \(one value per column\)\)/);
    expect(text).not.toMatch(/\((column|scalar|full)\)/);
    expect(
      explainCompiledCell(simpleRNN, { activation: 'softmax' }, { batch: 2, inputSize: 3, units: 4 }),
    ).toMatch(/^not compiled: step: max\(\.\.\.\)/m);
  });
});

describe('the IR interpreter', () => {
  it('runs a loop over valid rows, placing rows by their kind, accumulating into a single row', () => {
    const buffers: PlanBuffer[] = [
      { id: 0, name: 'x', width: 2, rows: 'sequence' },
      { id: 1, name: 'y', width: 2, rows: 'batch' },
      { id: 2, name: 'sum', width: 2, rows: 'single' },
    ];
    // time 2, tau 1: row b of x is at (2b + 1) * 2.
    const x = Float64Array.from([0, 0, 1, -2, 0, 0, 3, 4]);
    const y = new Float64Array(4);
    const sum = new Float64Array(2);
    interpretLoop(
      {
        width: 2,
        nodes: [
          { op: 'read', buffer: 0, column: 0, broadcast: false },
          { op: 'relu', x: 0 },
          { op: 'const', value: 10 },
          { op: 'mul', a: 1, b: 2 },
        ],
        stores: [
          { node: 3, buffer: 1, column: 0, accumulate: false },
          { node: 1, buffer: 2, column: 0, accumulate: true },
        ],
      },
      { buffers, arrays: [x, y, sum], valid: [1, 1], rows: 2, tau: 1, time: 2 },
    );
    expect(Array.from(y)).toEqual([10, 0, 30, 40]);
    expect(Array.from(sum)).toEqual([4, 4]);
  });
});
