/**
 * What a code generator receives: elementwise passes over buffers of rows. This is the whole contract between the
 * compiler and a backend's generator (`generator.ts`); the plan around it (which passes, which matrix products, in
 * which order) is run by the backend's runtime.
 *
 * A pass is a list of loops. A loop runs over the rows `b` of the batch (skipping rows whose valid flag is 0, the
 * masked ones) and, in each row, over the columns `j` of its width; for each (b, j) it evaluates its nodes in
 * order (a small SSA program: every node may use earlier ones) and then performs its stores. Every value is one
 * float32 number per (b, j): generators are free to vectorize over `j` or run rows in parallel, since no loop
 * reads what it writes, except that an accumulating store adds into its destination (and a `single`-row
 * destination receives the sum over rows).
 */

/** Elementwise operations of one operand: `Ops`' unary methods. */
export type UnaryOp = 'neg' | 'exp' | 'log' | 'sqrt' | 'abs' | 'sigmoid' | 'tanh' | 'relu';
/** Elementwise operations of two operands: `Ops`' binary methods (`greater` and `equal` give 1 or 0). */
export type BinaryOp = 'add' | 'sub' | 'mul' | 'div' | 'maximum' | 'minimum' | 'greater' | 'equal';

export const unaryOps: readonly UnaryOp[] = ['neg', 'exp', 'log', 'sqrt', 'abs', 'sigmoid', 'tanh', 'relu'];
export const binaryOps: readonly BinaryOp[] = [
  'add',
  'sub',
  'mul',
  'div',
  'maximum',
  'minimum',
  'greater',
  'equal',
];

/**
 * One node of a loop's program. Operands are indices of earlier nodes of the same loop.
 * - `read`: the value at column `column + j` of row b of buffer `buffer` (see {@link PlanBuffer} for where row b
 *   is); with `broadcast`, the value at column `column` for every j.
 * - `const`: a number.
 * - `where`: `a` where `condition` is nonzero, else `b`.
 * - `clip`: `x` clamped into [min, max].
 */
export type LoopNode =
  | { readonly op: 'read'; readonly buffer: number; readonly column: number; readonly broadcast: boolean }
  | { readonly op: 'const'; readonly value: number }
  | { readonly op: UnaryOp; readonly x: number }
  | { readonly op: BinaryOp; readonly a: number; readonly b: number }
  | { readonly op: 'where'; readonly condition: number; readonly a: number; readonly b: number }
  | { readonly op: 'clip'; readonly x: number; readonly min: number; readonly max: number };

/** Writes node `node` to column `column + j` of row b of `buffer`, or adds it there with `accumulate`. */
export interface LoopStore {
  readonly node: number;
  readonly buffer: number;
  readonly column: number;
  readonly accumulate: boolean;
}

export interface ElementwiseLoop {
  /** Columns per row. */
  readonly width: number;
  readonly nodes: readonly LoopNode[];
  readonly stores: readonly LoopStore[];
}

export interface ElementwisePass {
  /** `forward 0`, `backward 1`, ...: for dumps and error messages. */
  readonly name: string;
  readonly loops: readonly ElementwiseLoop[];
}

/**
 * Where row b of a buffer lives, in a buffer of `width` floats per row:
 * - `batch`: one row per batch row, at `b * width` (a step's state, a product's result);
 * - `sequence`: one row per batch row and time step, at `(b * time + tau) * width`, `tau` the time index of the
 *   step being run (the input projection, what the forward pass keeps for the backward pass);
 * - `single`: one row for every b, at 0 (a bias, a sum over rows).
 */
export type BufferRows = 'batch' | 'sequence' | 'single';

export interface PlanBuffer {
  readonly id: number;
  /** What it holds, for dumps: `state[0]`, `saved %12`, `d xW[0]`, ... */
  readonly name: string;
  readonly width: number;
  readonly rows: BufferRows;
}

/** Floats a buffer holds for `batch` rows and `time` steps. */
export function bufferLength(buffer: PlanBuffer, batch: number, time: number): number {
  const rows = buffer.rows === 'single' ? 1 : buffer.rows === 'batch' ? batch : batch * time;
  return rows * buffer.width;
}

/** The float offset of row `b` of `buffer` at time index `tau` of a sequence of `time` steps. */
export function rowOffset(buffer: PlanBuffer, b: number, tau: number, time: number): number {
  switch (buffer.rows) {
    case 'single':
      return 0;
    case 'batch':
      return b * buffer.width;
    case 'sequence':
      return (b * time + tau) * buffer.width;
  }
}

/** Buffer `id` at `column` (`+ j` unless `broadcast`) of row `b`; a `single`-row buffer has no row index. */
function formatElement(
  buffers: readonly PlanBuffer[],
  id: number,
  column: number,
  broadcast = false,
): string {
  const buffer = buffers[id];
  const name = buffer?.name ?? `#${id}`;
  const at = broadcast ? `${column}` : `${column} + j`;
  return buffer?.rows === 'single' ? `${name}[${at}]` : `${name}[b, ${at}]`;
}

function formatNode(node: LoopNode, buffers: readonly PlanBuffer[]): string {
  switch (node.op) {
    case 'read':
      return formatElement(buffers, node.buffer, node.column, node.broadcast);
    case 'const':
      return String(node.value);
    case 'where':
      return `where(v${node.condition}, v${node.a}, v${node.b})`;
    case 'clip':
      return `clip(v${node.x}, ${node.min}, ${node.max})`;
    default:
      return 'x' in node ? `${node.op}(v${node.x})` : `${node.op}(v${node.a}, v${node.b})`;
  }
}

/** A pass as pseudo-code, generator-independent: what `explainCompiledCell` shows above the generated code. */
export function formatPass(pass: ElementwisePass, buffers: readonly PlanBuffer[]): string {
  const lines = [`${pass.name}:`];
  for (const loop of pass.loops) {
    lines.push(`  for b, j < ${loop.width}:`);
    loop.nodes.forEach((node, i) => {
      lines.push(`    v${i} = ${formatNode(node, buffers)}`);
    });
    for (const s of loop.stores) {
      lines.push(`    ${formatElement(buffers, s.buffer, s.column)} ${s.accumulate ? '+=' : '='} v${s.node}`);
    }
  }
  return lines.join('\n');
}
