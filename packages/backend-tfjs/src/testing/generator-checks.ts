/**
 * Checks of a host code generator (`HostPassGenerator`: the JavaScript one, the wasm backend's WebAssembly SIMD one)
 * against core's IR interpreter (`interpretLoop`, float64 with the exact functions): every operation on ordinary and
 * edge values (0, ±∞, NaN, large arguments, subnormals), every kind of buffer row (`batch`, `sequence`, `single`),
 * reads of one column for every column, accumulating stores (summing over rows into a `single` row), masked rows left
 * alone, widths below, at and above a multiple of 4 (vector bodies and scalar tails), and the instance's buffers:
 * provided inputs, swapped buffers. Results are compared within atol 1e-6 + rtol 1e-5 (float32, approximated σ,
 * tanh, exp and log), NaN where the interpreter gives NaN. Comparisons at float32 ties are checked against float32
 * arithmetic (the interpreter computes in float64).
 */
import {
  type BinaryOp,
  bufferLength,
  type ElementwiseLoop,
  type ElementwisePass,
  interpretLoop,
  type LoopNode,
  type PlanBuffer,
  SeqmodelError,
  type SequencePlan,
} from '@seqmodel/core';
import type { ConformanceCheck } from '@seqmodel/core/testing';
import type { HostPassGenerator } from '../fused/compiled/host-program.js';

/** A plan holding only forward passes over `buffers` (what a generator and an instance read of a plan). */
export function planOf(buffers: readonly PlanBuffer[], passes: readonly ElementwisePass[]): SequencePlan {
  return {
    cell: 'generatorCheck',
    batch: 3,
    inputSize: 1,
    units: 1,
    training: false,
    buffers,
    statics: [],
    inputProducts: [],
    states: [],
    output: { size: 1, buffer: 0 },
    forward: passes.map((pass) => ({ kind: 'pass', pass })),
  };
}

const specials = [
  0,
  -0,
  1,
  -1,
  0.5,
  -2.5,
  3,
  -3,
  20,
  -20,
  100,
  -100,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
  Number.NaN,
  // float32 subnormals (the smallest normal is 1.18e-38)
  1e-40,
  -1e-40,
];

function values(n: number, seed: number, withSpecials: boolean): Float32Array {
  let s = seed;
  return Float32Array.from({ length: n }, (_, i) => {
    if (withSpecials && i < specials.length) return specials[(i + seed) % specials.length]!;
    s = (s * 1103515245 + 12345) % 2147483648;
    return (s / 2147483648) * 8 - 4;
  });
}

function close(actual: number, expected: number): boolean {
  if (Number.isNaN(expected)) return Number.isNaN(actual);
  if (!Number.isFinite(expected)) return actual === expected;
  return Math.abs(actual - expected) <= 1e-6 + 1e-5 * Math.abs(expected);
}

interface Case {
  readonly name: string;
  readonly buffers: PlanBuffer[];
  readonly loops: ElementwiseLoop[];
  readonly valid: number[];
  readonly withSpecials: boolean;
}

const rows = 3;
const time = 4;
const tau = 2;

/** Buffers 0 (batch), 1 (sequence), 2 (single) as inputs; 3 (batch), 4 (sequence), 5 (single) as outputs. */
function buffersOf(width: number): PlanBuffer[] {
  const kinds = ['batch', 'sequence', 'single'] as const;
  return [...kinds, ...kinds].map((rowsKind, id) => ({
    id,
    name: `${id < 3 ? 'in' : 'out'} ${rowsKind}`,
    width: width + 2,
    rows: rowsKind,
  }));
}

function unaryCase(op: Extract<LoopNode, { x: number }>['op'] | 'clip', width: number): Case {
  const x: LoopNode = { op: 'read', buffer: 0, column: 1, broadcast: false };
  const node: LoopNode = op === 'clip' ? { op: 'clip', x: 0, min: -0.5, max: 2 } : { op, x: 0 };
  return {
    name: `${op}, width ${width}`,
    buffers: buffersOf(width),
    loops: [{ width, nodes: [x, node], stores: [{ node: 1, buffer: 4, column: 0, accumulate: false }] }],
    valid: [1, 1, 1],
    withSpecials: true,
  };
}

function binaryCase(op: BinaryOp, width: number): Case {
  // Both operands from rows of many values, so that each edge value meets ordinary ones on either side (a NaN as the
  // second operand only, say).
  const nodes: LoopNode[] = [
    { op: 'read', buffer: 1, column: 0, broadcast: false },
    { op: 'read', buffer: 0, column: 1, broadcast: false },
    { op, a: 0, b: 1 },
  ];
  return {
    name: `${op}, width ${width}`,
    buffers: buffersOf(width),
    loops: [{ width, nodes, stores: [{ node: 2, buffer: 3, column: 2, accumulate: false }] }],
    valid: [1, 1, 1],
    withSpecials: true,
  };
}

/** Every kind of read and store at once, a masked row, accumulation over rows, several loops in one pass. */
function mixedCase(width: number): Case {
  const nodes: LoopNode[] = [
    { op: 'read', buffer: 0, column: 0, broadcast: false },
    { op: 'read', buffer: 1, column: 2, broadcast: false },
    { op: 'read', buffer: 2, column: 1, broadcast: true },
    { op: 'const', value: 0.25 },
    // The condition is 0 for about half the elements, so both operands of the where (the broadcast read too) count.
    { op: 'greater', a: 0, b: 3 },
    { op: 'where', condition: 4, a: 1, b: 2 },
    { op: 'sigmoid', x: 5 },
    { op: 'mul', a: 6, b: 3 },
    { op: 'tanh', x: 1 },
    { op: 'sub', a: 7, b: 8 },
  ];
  return {
    name: `mixed reads and stores, width ${width}`,
    buffers: buffersOf(width),
    loops: [
      {
        width,
        nodes,
        stores: [
          { node: 9, buffer: 3, column: 1, accumulate: false },
          { node: 7, buffer: 4, column: 0, accumulate: true },
          { node: 9, buffer: 5, column: 2, accumulate: true },
        ],
      },
      {
        width: 2,
        nodes: [{ op: 'const', value: -1.5 }],
        stores: [{ node: 0, buffer: 5, column: 0, accumulate: false }],
      },
    ],
    valid: [1, 0, 1],
    withSpecials: false,
  };
}

/**
 * Work on values of one column read across the row (a layer norm's `1 / √(var + ε)`, a row's mean), which the
 * generators may compute once per row, beside work on every column, reading it; a masked row.
 */
function rowCase(width: number): Case {
  const nodes: LoopNode[] = [
    { op: 'read', buffer: 0, column: 1, broadcast: true },
    { op: 'read', buffer: 1, column: 0, broadcast: true },
    { op: 'const', value: 1e-3 },
    { op: 'abs', x: 0 },
    { op: 'add', a: 3, b: 2 },
    { op: 'sqrt', x: 4 },
    { op: 'div', a: 2, b: 5 },
    { op: 'greater', a: 1, b: 2 },
    { op: 'sigmoid', x: 1 },
    { op: 'where', condition: 7, a: 8, b: 6 },
    { op: 'read', buffer: 1, column: 2, broadcast: false },
    { op: 'sub', a: 10, b: 9 },
    { op: 'mul', a: 11, b: 6 },
    { op: 'tanh', x: 12 },
  ];
  return {
    name: `per-row values, width ${width}`,
    buffers: buffersOf(width),
    loops: [
      {
        width,
        nodes,
        stores: [
          { node: 13, buffer: 3, column: 1, accumulate: false },
          { node: 9, buffer: 4, column: 0, accumulate: false },
          { node: 12, buffer: 5, column: 2, accumulate: true },
        ],
      },
    ],
    valid: [1, 0, 1],
    withSpecials: false,
  };
}

function runCase(generator: HostPassGenerator, c: Case): void {
  const plan = planOf(c.buffers, [{ name: c.name, loops: c.loops }]);
  const inputs = c.buffers.map((b, i) => values(bufferLength(b, rows, time), i + 1, c.withSpecials));
  const expected = inputs.map((a) => Float32Array.from(a));
  for (const loop of c.loops) {
    interpretLoop(loop, {
      buffers: c.buffers,
      arrays: expected,
      valid: c.valid,
      rows,
      tau,
      time,
      ...(generator.nanMinMax ? { nanMinMax: generator.nanMinMax } : {}),
    });
  }
  const instance = generator.generate(plan).program.instantiate(rows, time);
  c.buffers.forEach((b, i) => {
    if (i < 3) instance.provide(b.id, inputs[i]!);
    else instance.buffer(b.id).set(inputs[i]!);
  });
  c.valid.forEach((v, b) => {
    instance.valid[b] = v;
  });
  instance.run(0, tau);
  c.buffers.forEach((b, i) => {
    const actual = instance.buffer(b.id);
    const want = expected[i]!;
    for (let k = 0; k < want.length; k++) {
      if (!close(actual[k]!, want[k]!)) {
        throw new SeqmodelError(
          `${generator.name}, ${c.name}: buffer ${b.name}[${k}] is ${actual[k]}, expected ${want[k]} ` +
            `(input ${inputs[0]![k % inputs[0]!.length]})`,
        );
      }
    }
  });
}

/**
 * Comparisons at a float32 tie decide as tfjs's float32 ops do: `x + 0.1 == 0.3` at x = 0.2, `(x + 0.1) · 2 == 0.6`
 * there, and `y + 0.1 > 0.5` at y = 0.4 are true, true and false in float32, and each the other way in float64
 * arithmetic on the same float32 values.
 */
function assertFloat32Ties(generator: HostPassGenerator): void {
  const buffers: PlanBuffer[] = [
    { id: 0, name: 'x, y', width: 2, rows: 'batch' },
    { id: 1, name: 'out', width: 3, rows: 'batch' },
  ];
  const loop: ElementwiseLoop = {
    width: 1,
    nodes: [
      { op: 'read', buffer: 0, column: 0, broadcast: false },
      { op: 'const', value: Math.fround(0.1) },
      { op: 'add', a: 0, b: 1 },
      { op: 'const', value: Math.fround(0.3) },
      { op: 'equal', a: 2, b: 3 },
      { op: 'read', buffer: 0, column: 1, broadcast: false },
      { op: 'add', a: 5, b: 1 },
      { op: 'const', value: 0.5 },
      { op: 'greater', a: 6, b: 7 },
      { op: 'const', value: 2 },
      { op: 'mul', a: 2, b: 9 },
      { op: 'const', value: Math.fround(0.6) },
      { op: 'equal', a: 10, b: 11 },
    ],
    stores: [
      { node: 4, buffer: 1, column: 0, accumulate: false },
      { node: 12, buffer: 1, column: 1, accumulate: false },
      { node: 8, buffer: 1, column: 2, accumulate: false },
    ],
  };
  const instance = generator
    .generate(planOf(buffers, [{ name: 'float32 ties', loops: [loop] }]))
    .program.instantiate(rows, time);
  const xy = instance.buffer(0);
  for (let b = 0; b < rows; b++) xy.set([0.2, 0.4], 2 * b);
  instance.run(0, 0);
  const got = Array.from(instance.buffer(1).subarray(0, 3));
  if (got.join() !== '1,1,0') {
    throw new SeqmodelError(
      `${generator.name}: at x = 0.2, y = 0.4, [x + 0.1 == 0.3, (x + 0.1) · 2 == 0.6, y + 0.1 > 0.5] is [${got}], ` +
        'expected [1, 1, 0] (float32 arithmetic)',
    );
  }
}

/** The checks of `generator` (see the module comment). */
export function hostGeneratorChecks(generator: HostPassGenerator): ConformanceCheck[] {
  const unavailable = generator.unavailable();
  const skip = unavailable === undefined ? {} : { skip: unavailable };
  const widths = [1, 3, 4, 5, 8, 9];
  const unary = ['neg', 'exp', 'log', 'sqrt', 'abs', 'sigmoid', 'tanh', 'relu', 'clip'] as const;
  const binary = ['add', 'sub', 'mul', 'div', 'maximum', 'minimum', 'greater', 'equal'] as const;
  const checks: ConformanceCheck[] = [
    {
      name: `${generator.name}: every unary operation matches the interpreter, edge values included`,
      ...skip,
      run: () => {
        for (const op of unary) for (const w of widths) runCase(generator, unaryCase(op, w));
      },
    },
    {
      name: `${generator.name}: every binary operation matches the interpreter, edge values included`,
      ...skip,
      run: () => {
        for (const op of binary) for (const w of widths) runCase(generator, binaryCase(op, w));
      },
    },
    {
      name: `${generator.name}: reads and stores of every row kind, masked rows, accumulation, several loops`,
      ...skip,
      run: () => {
        for (const w of widths) runCase(generator, mixedCase(w));
      },
    },
    {
      name: `${generator.name}: work on values read across the row, and on them alone, beside work on every column`,
      ...skip,
      run: () => {
        for (const w of widths) runCase(generator, rowCase(w));
      },
    },
    {
      name: `${generator.name}: comparisons at float32 ties decide as float32 arithmetic does`,
      ...skip,
      run: () => assertFloat32Ties(generator),
    },
    {
      name: `${generator.name}: swapped buffers trade places for the passes and for buffer()`,
      ...skip,
      run: () => {
        const buffers: PlanBuffer[] = [
          { id: 0, name: 'a', width: 5, rows: 'batch' },
          { id: 1, name: 'b', width: 5, rows: 'batch' },
        ];
        const loop: ElementwiseLoop = {
          width: 5,
          nodes: [
            { op: 'read', buffer: 0, column: 0, broadcast: false },
            { op: 'const', value: 1 },
            { op: 'add', a: 0, b: 1 },
          ],
          stores: [{ node: 2, buffer: 1, column: 0, accumulate: false }],
        };
        const instance = generator
          .generate(planOf(buffers, [{ name: 'increment', loops: [loop] }]))
          .program.instantiate(rows, time);
        instance.buffer(0).fill(1);
        for (let step = 0; step < 3; step++) {
          instance.run(0, 0);
          instance.swap(0, 1);
        }
        // 1 + 1 + 1 + 1 after three increments, each reading what the last one wrote.
        if (!instance.buffer(0).every((v) => v === 4)) {
          throw new SeqmodelError(
            `${generator.name}: after three swapped steps, expected 4 everywhere, received ${Array.from(instance.buffer(0))}`,
          );
        }
      },
    },
  ];
  return checks;
}
