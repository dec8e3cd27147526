/**
 * Step programs for a compiled plan (core's `SequencePlan`), in the GPU kernels' `ShaderLang`: one program per
 * elementwise pass per step. A pass that stores into several buffers writes one packed output `[batch, Σ widths]`,
 * a segment per buffer (every column of it: columns no store of the pass writes keep their earlier value); each
 * output element evaluates only the nodes its store needs. Buffers are read through their bindings (`bindings.ts`),
 * per-step products inline. At a row the step's mask marks invalid, a segment keeps its earlier value, or takes its
 * `masked` value (a state's previous value, the output's previous output, zero): what core's `scanCell` computes.
 */
import {
  CompileDecline,
  type ElementwiseLoop,
  type ElementwisePass,
  type LoopNode,
  nodeClosure,
} from '@seqmodel/core';
import { activationFunctions } from '../shader-activations.js';
import type { ProgramInput, ShaderLang, StepProgram } from '../shader-lang.js';
import type { Binding, ViewBinding } from './bindings.js';

/** A store of a pass: loop `loop`, store `store` of it. */
export interface StoreRef {
  readonly loop: number;
  readonly store: number;
}

/** One buffer's columns in a program's packed output. */
export interface Segment<K> {
  readonly width: number;
  /** The pass's stores into the buffer, in order. */
  readonly stores: readonly StoreRef[];
  /** Its value before the pass (written earlier in the step), read where no store writes and at masked rows. */
  readonly base?: Binding<K>;
  /** Without stores: the value (of valid rows). */
  readonly value?: Binding<K>;
  /** The value at masked rows when there is no `base`. */
  readonly masked: Binding<K>;
}

/** What a program computes; `K` is a tensor (at run time) or an input index (in a program). */
export interface ProgramSpec<K> {
  readonly name: string;
  readonly batch: number;
  readonly time: number;
  readonly pass?: ElementwisePass;
  readonly segments: readonly Segment<K>[];
  /** The bindings of the buffers the pass's loops read. */
  readonly reads: ReadonlyMap<number, Binding<K>>;
  /** The step mask `[batch, time]`, read at (b, tau), in runs with a mask. */
  readonly mask?: ViewBinding<K>;
}

export const uniformNames = ['tau', 'stepIndex'] as const;

/** A float literal both shading languages (and JavaScript) read. */
export function floatLiteral(value: number): string {
  if (!Number.isFinite(value)) {
    throw new CompileDecline(`the constant ${value} has no shader literal`);
  }
  let s = String(Math.abs(value));
  const [mantissa, exponent] = s.split('e') as [string, string | undefined];
  if (!mantissa.includes('.')) s = `${mantissa}.0${exponent === undefined ? '' : `e${exponent}`}`;
  return value < 0 || Object.is(value, -0) ? `(-${s})` : s;
}

function nodeExpression(lang: ShaderLang, node: LoopNode, v: (i: number) => string, read: string): string {
  switch (node.op) {
    case 'read':
      return read;
    case 'const':
      return floatLiteral(node.value);
    case 'neg':
      return `(-(${v(node.x)}))`;
    case 'exp':
    case 'log':
    case 'sqrt':
    case 'abs':
      return `${node.op}(${v(node.x)})`;
    case 'sigmoid':
      return `act_sigmoid(${v(node.x)})`;
    case 'tanh':
      return `act_tanh(${v(node.x)})`;
    case 'relu':
      return `max(${v(node.x)}, 0.0)`;
    case 'add':
      return `(${v(node.a)} + ${v(node.b)})`;
    case 'sub':
      return `(${v(node.a)} - ${v(node.b)})`;
    case 'mul':
      return `(${v(node.a)} * ${v(node.b)})`;
    case 'div':
      return `(${v(node.a)} / ${v(node.b)})`;
    case 'maximum':
      return `max(${v(node.a)}, ${v(node.b)})`;
    case 'minimum':
      return `min(${v(node.a)}, ${v(node.b)})`;
    case 'greater':
      return lang.select(`${v(node.a)} > ${v(node.b)}`, '1.0', '0.0');
    case 'equal':
      return lang.select(`${v(node.a)} == ${v(node.b)}`, '1.0', '0.0');
    case 'where':
      return lang.select(`${v(node.condition)} != 0.0`, v(node.a), v(node.b));
    case 'clip':
      return `clamp(${v(node.x)}, ${floatLiteral(node.min)}, ${floatLiteral(node.max)})`;
  }
}

/** The nodes `root` depends on, itself included, in order. */
export function closure(loop: ElementwiseLoop, root: number): number[] {
  return nodeClosure(loop.nodes, [root]);
}

/** The program `spec` describes (tensors replaced by input indices), reading `inputs`. */
export function specProgram(spec: ProgramSpec<number>, inputs: readonly ProgramInput[]): StepProgram {
  const uses = { tau: spec.mask !== undefined, stepIndex: false };
  const note = (b: Binding<number> | undefined): void => {
    if (!b) return;
    if (b.kind === 'view') {
      if (b.rowMode === 'tau') uses.tau = true;
      if (b.rowMode === 'step') uses.stepIndex = true;
    } else if (b.kind === 'product') {
      note(b.left);
      note(b.base);
    } else if (b.kind === 'sum') b.parts.forEach(note);
    else if (b.kind === 'valid') {
      uses.tau = true;
      note(b.valid);
      note(b.masked);
    }
  };
  for (const b of spec.reads.values()) note(b);
  for (const s of spec.segments) {
    note(s.base);
    note(s.value);
    note(s.masked);
  }
  const uniforms = uniformNames.filter((u) => uses[u]);
  const outputCols = spec.segments.reduce((n, s) => n + s.width, 0);
  return {
    name: spec.name,
    inputs,
    uniforms,
    outputRows: spec.batch,
    outputCols,
    source: (lang) => programSource(spec, inputs, lang),
  };
}

function programSource(
  spec: ProgramSpec<number>,
  inputs: readonly ProgramInput[],
  lang: ShaderLang,
): { functions: string; body: string } {
  const functions: string[] = [activationFunctions(lang, ['sigmoid', 'tanh'])];
  const products = new Map<string, string>();
  const validity = (): string => (spec.mask ? `${viewRead(spec.mask, lang.uniform('tau'))} != 0.0` : 'true');
  const viewRead = (v: ViewBinding<number>, col: string): string => {
    const row =
      v.rowMode === 'batch'
        ? 'b'
        : v.rowMode === 'single'
          ? '0'
          : `b * ${spec.time} + ${lang.uniform(v.rowMode === 'tau' ? 'tau' : 'stepIndex')}`;
    return lang.read(inputs[v.tensor]!, row, v.offset === 0 ? col : `${v.offset} + ${col}`);
  };
  const read = (b: Binding<number>, col: string): string => {
    switch (b.kind) {
      case 'view':
        return viewRead(b, col);
      case 'zero':
        return '0.0';
      case 'product': {
        const key = JSON.stringify([b.left, b.right, b.transpose, b.length]);
        let name = products.get(key);
        if (name === undefined) {
          name = `prod${products.size}`;
          products.set(key, name);
          const right = (m: string) =>
            b.transpose
              ? lang.read(inputs[b.right.tensor]!, 'col', `${b.right.offset} + ${m}`)
              : lang.read(inputs[b.right.tensor]!, m, `${b.right.offset} + col`);
          functions.push(lang.sumFunction(name, b.length, (m) => `${viewRead(b.left, m)} * ${right(m)}`));
        }
        const sum = `${name}(b, ${col})`;
        return b.base ? `(${sum} + ${viewRead(b.base, col)})` : sum;
      }
      case 'sum':
        return `(${b.parts.map((p) => read(p, col)).join(' + ')})`;
      case 'valid':
        return lang.select(validity(), read(b.valid, col), read(b.masked, col));
    }
  };
  const body: string[] = [lang.variable('result', '0.0')];
  let start = 0;
  spec.segments.forEach((segment, k) => {
    const c = `c${k}`;
    const lines: string[] = [lang.letInt(c, `col - ${start}`)];
    lines.push(`result = ${segment.base ? read(segment.base, c) : '0.0'};`);
    if (segment.stores.length === 0) {
      lines.push(`result = ${read(segment.value ?? { kind: 'zero' }, c)};`);
    }
    segment.stores.forEach((ref, x) => {
      const loop = spec.pass!.loops[ref.loop]!;
      const store = loop.stores[ref.store]!;
      const j = `j${k}_${x}`;
      const v = (i: number) => `v${k}_${x}_${i}`;
      const inner: string[] = [lang.letInt(j, `${c} - ${store.column}`)];
      for (const i of closure(loop, store.node)) {
        const node = loop.nodes[i]!;
        let readExpr = '';
        if (node.op === 'read') {
          const binding = spec.reads.get(node.buffer);
          if (!binding) throw new Error(`${spec.name}: buffer ${node.buffer} is not bound (internal error)`);
          readExpr = read(binding, node.broadcast ? `${node.column}` : `${node.column} + ${j}`);
        }
        inner.push(lang.let(v(i), nodeExpression(lang, node, v, readExpr)));
      }
      inner.push(store.accumulate ? `result = result + ${v(store.node)};` : `result = ${v(store.node)};`);
      lines.push(
        `if (${c} >= ${store.column} && ${c} < ${store.column + loop.width}) {\n${inner.join('\n')}\n}`,
      );
    });
    if (spec.mask) {
      const masked = segment.base ? read(segment.base, c) : read(segment.masked, c);
      lines.push(`if (!(${validity()})) {\nresult = ${masked};\n}`);
    }
    body.push(`if (col >= ${start} && col < ${start + segment.width}) {\n${lines.join('\n')}\n}`);
    start += segment.width;
  });
  return { functions: functions.join('\n'), body: body.join('\n') };
}

/**
 * A program writing `[batch, Σ widths]`: the bindings of `parts` side by side (`width` columns each), for
 * whole-sequence tensors gathered from the steps' outputs and for results read out of their bindings.
 */
export function gatherSpec<K>(
  name: string,
  batch: number,
  time: number,
  parts: readonly Binding<K>[],
  width: number,
): ProgramSpec<K> {
  return {
    name,
    batch,
    time,
    segments: parts.map((value) => ({ width, stores: [], value, masked: value })),
    reads: new Map(),
  };
}
