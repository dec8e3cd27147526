/**
 * The built-in cells' arithmetic for the GPU sequence kernels, as named quantities per (batch row b, unit j): each
 * is an expression over other quantities and over what the step reads (the projection's gate columns, the recurrent
 * products, the previous states), so that a program computing one record field emits exactly the quantities that
 * field depends on. The forward record holds the new states and, when training, the quantities the backward pass
 * reads (the activated gates); the backward record holds the gradients of the projection's and the recurrent
 * product's gate columns, the previous states' gradients and the output-gradient carry.
 *
 * The same equations as `@seqmodel/core`'s cells (see there):
 *   simpleRNN  h = act(x·W + b + h̃·U)
 *   lstm       i, f, o = σ(...), g = act(...), c = f·c₋ + i·g, h = o·act(c)
 *   gru        (resetAfter) z, r = σ(x·W_zr + b + h̃·U_zr + b'), ĥ = act(x·W_h + b + r·(h̃·U_h + b')), h = z·h̃ + (1 − z)·ĥ
 * with h̃ = h₋ times the recurrent mask.
 */
import { type AnyCellPlugin, gru, lstm, simpleRNN } from '@seqmodel/core';
import type { ShaderActivationName } from './shader-activations.js';

/** What a quantity's expression may refer to. */
export interface QuantityTerms {
  /** Column block `gate` of the projection x·W + b at this step, unit j. */
  projection(gate: number): string;
  /** Column block `gate` of the recurrent product h̃·U (+ recurrent bias), unit j. */
  recurrent(gate: number): string;
  /** State `k` before the step (raw, without the recurrent mask). */
  previousState(k: number): string;
  /** h̃ before the step: state 0 times the recurrent mask. */
  previousInput(): string;
  /** Another quantity. */
  q(name: string): string;
  act(which: 'activation' | 'recurrentActivation', x: string): string;
  /** A field of this step's auxiliary record (made by the cell's `pre` stage). */
  aux(name: string): string;
  /** Column block `gate` of the product of the `pre` stage's `product.field` with the recurrent kernel. */
  auxRecurrent(gate: number): string;
}

export interface Quantity {
  readonly name: string;
  readonly deps: readonly string[];
  expr(t: QuantityTerms): string;
}

/** What the backward quantities may refer to. */
export interface BackwardTerms {
  /** d loss / d h after this step (outputs' gradient included). */
  dNew(): string;
  /** d loss / d state `k` after this step (k >= 1; state 0 is in dNew). */
  dStateAfter(k: number): string;
  /** A quantity the forward record kept for this step. */
  saved(name: string): string;
  previousState(k: number): string;
  previousInput(): string;
  q(name: string): string;
  act(which: 'activation' | 'recurrentActivation', x: string): string;
  /** f'(x) from y = f(x) for the activation `which`. */
  dact(which: 'activation' | 'recurrentActivation', y: string): string;
  /** A field of this step's auxiliary record. */
  aux(name: string): string;
  /** (post stage only) Σ_m d(field)[m] · U[j, gate·units + m], `field` a field of this step's backward record. */
  transposedProduct(field: string, gate: number): string;
}

export interface BackwardQuantity {
  readonly name: string;
  readonly deps: readonly string[];
  expr(t: BackwardTerms): string;
}

/** A backward quantity: a field of the backward record (`D`), or of the `post` stage's record (`C`). */
export interface GradientRef {
  readonly record: 'D' | 'C';
  readonly name: string;
}

/** A factor of the forward pass: a field of the forward record, or of the auxiliary record. */
export interface ForwardRef {
  readonly record: 'F' | 'Q';
  readonly name: string;
}

const d = (name: string): GradientRef => ({ record: 'D', name });

export interface GpuCell {
  readonly cell: AnyCellPlugin;
  readonly gates: number;
  readonly states: number;
  /** Quantities of the forward step, in dependency order. */
  readonly forward: readonly Quantity[];
  /** The new states (quantity names), state 0 being h, the output. */
  readonly newStates: readonly string[];
  /** What the backward pass reads of each forward step. */
  readonly saved: readonly string[];
  /** Backward quantities, in dependency order. */
  readonly backward: readonly BackwardQuantity[];
  /** Per gate block: d loss / d projection's block. */
  readonly projectionGradient: readonly GradientRef[];
  /**
   * Per gate block whose recurrent product has h̃ as left operand: d loss / d that block (the first blocks; a block
   * without, GRU's h block without resetAfter, comes through `pre`).
   */
  readonly recurrentGradient: readonly GradientRef[];
  /** Per state k >= 1: the backward quantity that is d loss / d previous state k. */
  readonly previousStateGradients: readonly string[];
  /** d loss / d h̃ besides the recurrent products of h̃: sums of a gradient times a forward factor. */
  readonly direct: readonly { readonly gradient: GradientRef; readonly factor: ForwardRef }[];
  /**
   * A first forward stage, for cells whose step multiplies the recurrent kernel with something computed in the step
   * (GRU without resetAfter: (r·h̃)·U_h): its quantities go to an auxiliary record, and the main stage reads
   * `product.field`·U's block `product.gate` through `auxRecurrent`. `post` is the matching last backward stage:
   * its quantities (with `transposedProduct`) go to a record of its own.
   */
  readonly pre?: {
    readonly quantities: readonly Quantity[];
    readonly fields: readonly string[];
    readonly product: { readonly field: string; readonly gate: number };
  };
  readonly post?: { readonly quantities: readonly BackwardQuantity[]; readonly fields: readonly string[] };
  /** Whether the recurrent product includes a recurrent bias (GRU with resetAfter and a bias). */
  readonly recurrentBias: (options: Record<string, unknown>, hasBias: boolean) => boolean;
}

const sigma = (t: QuantityTerms, x: string) => t.act('recurrentActivation', x);

export const gpuSimpleRnn: GpuCell = {
  cell: simpleRNN,
  gates: 1,
  states: 1,
  forward: [
    { name: 'h', deps: [], expr: (t) => t.act('activation', `${t.projection(0)} + ${t.recurrent(0)}`) },
  ],
  newStates: ['h'],
  saved: [],
  backward: [{ name: 'dz', deps: [], expr: (t) => `${t.dNew()} * ${t.dact('activation', t.saved('h'))}` }],
  projectionGradient: [d('dz')],
  recurrentGradient: [d('dz')],
  previousStateGradients: [],
  direct: [],
  recurrentBias: () => false,
};

export const gpuLstm: GpuCell = {
  cell: lstm,
  gates: 4,
  states: 2,
  forward: [
    { name: 'i', deps: [], expr: (t) => sigma(t, `${t.projection(0)} + ${t.recurrent(0)}`) },
    { name: 'f', deps: [], expr: (t) => sigma(t, `${t.projection(1)} + ${t.recurrent(1)}`) },
    { name: 'g', deps: [], expr: (t) => t.act('activation', `${t.projection(2)} + ${t.recurrent(2)}`) },
    { name: 'o', deps: [], expr: (t) => sigma(t, `${t.projection(3)} + ${t.recurrent(3)}`) },
    {
      name: 'c',
      deps: ['i', 'f', 'g'],
      expr: (t) => `${t.q('f')} * ${t.previousState(1)} + ${t.q('i')} * ${t.q('g')}`,
    },
    { name: 'h', deps: ['o', 'c'], expr: (t) => `${t.q('o')} * ${t.act('activation', t.q('c'))}` },
  ],
  newStates: ['h', 'c'],
  saved: ['i', 'f', 'g', 'o', 'c'],
  backward: [
    { name: 'ac', deps: [], expr: (t) => t.act('activation', t.saved('c')) },
    {
      name: 'dc',
      deps: ['ac'],
      expr: (t) => `${t.dStateAfter(1)} + ${t.dNew()} * ${t.saved('o')} * ${t.dact('activation', t.q('ac'))}`,
    },
    {
      name: 'dzi',
      deps: ['dc'],
      expr: (t) => `${t.q('dc')} * ${t.saved('g')} * ${t.dact('recurrentActivation', t.saved('i'))}`,
    },
    {
      name: 'dzf',
      deps: ['dc'],
      expr: (t) => `${t.q('dc')} * ${t.previousState(1)} * ${t.dact('recurrentActivation', t.saved('f'))}`,
    },
    {
      name: 'dzg',
      deps: ['dc'],
      expr: (t) => `${t.q('dc')} * ${t.saved('i')} * ${t.dact('activation', t.saved('g'))}`,
    },
    {
      name: 'dzo',
      deps: ['ac'],
      expr: (t) => `${t.dNew()} * ${t.q('ac')} * ${t.dact('recurrentActivation', t.saved('o'))}`,
    },
    { name: 'dcPrevious', deps: ['dc'], expr: (t) => `${t.q('dc')} * ${t.saved('f')}` },
  ],
  projectionGradient: [d('dzi'), d('dzf'), d('dzg'), d('dzo')],
  recurrentGradient: [d('dzi'), d('dzf'), d('dzg'), d('dzo')],
  previousStateGradients: ['dcPrevious'],
  direct: [],
  recurrentBias: () => false,
};

export const gpuGruResetAfter: GpuCell = {
  cell: gru,
  gates: 3,
  states: 1,
  forward: [
    { name: 'z', deps: [], expr: (t) => sigma(t, `${t.projection(0)} + ${t.recurrent(0)}`) },
    { name: 'r', deps: [], expr: (t) => sigma(t, `${t.projection(1)} + ${t.recurrent(1)}`) },
    { name: 'rh', deps: [], expr: (t) => t.recurrent(2) },
    {
      name: 'hh',
      deps: ['r', 'rh'],
      expr: (t) => t.act('activation', `${t.projection(2)} + ${t.q('r')} * ${t.q('rh')}`),
    },
    {
      name: 'h',
      deps: ['z', 'hh'],
      expr: (t) => `${t.q('z')} * ${t.previousInput()} + (1.0 - ${t.q('z')}) * ${t.q('hh')}`,
    },
  ],
  newStates: ['h'],
  saved: ['z', 'r', 'rh', 'hh'],
  backward: [
    {
      name: 'dzp',
      deps: [],
      expr: (t) =>
        `${t.dNew()} * (${t.previousInput()} - ${t.saved('hh')}) * ${t.dact('recurrentActivation', t.saved('z'))}`,
    },
    {
      name: 'dhh',
      deps: [],
      expr: (t) => `${t.dNew()} * (1.0 - ${t.saved('z')}) * ${t.dact('activation', t.saved('hh'))}`,
    },
    { name: 'drh', deps: ['dhh'], expr: (t) => `${t.q('dhh')} * ${t.saved('r')}` },
    {
      name: 'drp',
      deps: ['dhh'],
      expr: (t) => `${t.q('dhh')} * ${t.saved('rh')} * ${t.dact('recurrentActivation', t.saved('r'))}`,
    },
    { name: 'dn', deps: [], expr: (t) => t.dNew() },
  ],
  projectionGradient: [d('dzp'), d('drp'), d('dhh')],
  recurrentGradient: [d('dzp'), d('drp'), d('drh')],
  previousStateGradients: [],
  direct: [{ gradient: d('dn'), factor: { record: 'F', name: 'z' } }],
  recurrentBias: (options, hasBias) => options.resetAfter === true && hasBias,
};

/**
 * GRU without resetAfter (tfjs-layers' and Keras 2's): z and r first (the `pre` stage, which also makes r·h̃),
 * then ĥ = act(x·W_h + b + (r·h̃)·U_h) and h. Backward: the gate gradients, then (`post`) d(r·h̃) = dĥ·U_hᵀ and r's.
 */
export const gpuGru: GpuCell = {
  cell: gru,
  gates: 3,
  states: 1,
  pre: {
    quantities: [
      { name: 'z', deps: [], expr: (t) => sigma(t, `${t.projection(0)} + ${t.recurrent(0)}`) },
      { name: 'r', deps: [], expr: (t) => sigma(t, `${t.projection(1)} + ${t.recurrent(1)}`) },
      { name: 'rht', deps: ['r'], expr: (t) => `${t.q('r')} * ${t.previousInput()}` },
    ],
    fields: ['z', 'r', 'rht'],
    product: { field: 'rht', gate: 2 },
  },
  forward: [
    { name: 'hh', deps: [], expr: (t) => t.act('activation', `${t.projection(2)} + ${t.auxRecurrent(2)}`) },
    {
      name: 'h',
      deps: ['hh'],
      expr: (t) => `${t.aux('z')} * ${t.previousInput()} + (1.0 - ${t.aux('z')}) * ${t.q('hh')}`,
    },
  ],
  newStates: ['h'],
  saved: ['hh'],
  backward: [
    {
      name: 'dzp',
      deps: [],
      expr: (t) =>
        `${t.dNew()} * (${t.previousInput()} - ${t.saved('hh')}) * ${t.dact('recurrentActivation', t.aux('z'))}`,
    },
    {
      name: 'dhh',
      deps: [],
      expr: (t) => `${t.dNew()} * (1.0 - ${t.aux('z')}) * ${t.dact('activation', t.saved('hh'))}`,
    },
    { name: 'dn', deps: [], expr: (t) => t.dNew() },
  ],
  post: {
    quantities: [
      { name: 'drht', deps: [], expr: (t) => t.transposedProduct('dhh', 2) },
      {
        name: 'drp',
        deps: ['drht'],
        expr: (t) => `${t.q('drht')} * ${t.previousInput()} * ${t.dact('recurrentActivation', t.aux('r'))}`,
      },
    ],
    fields: ['drht', 'drp'],
  },
  projectionGradient: [d('dzp'), { record: 'C', name: 'drp' }, d('dhh')],
  recurrentGradient: [d('dzp'), { record: 'C', name: 'drp' }],
  previousStateGradients: [],
  direct: [
    { gradient: d('dn'), factor: { record: 'Q', name: 'z' } },
    { gradient: { record: 'C', name: 'drht' }, factor: { record: 'Q', name: 'r' } },
  ],
  recurrentBias: () => false,
};

/** The GPU arithmetic of each built-in cell, by cell plugin; GRU's depends on `resetAfter`. */
export const builtInGpuCells: readonly GpuCell[] = [gpuSimpleRnn, gpuLstm, gpuGruResetAfter];

/** The arithmetic for `base`'s cell with these resolved options (GRU: by `resetAfter`). */
export function gpuCellFor(base: GpuCell, options: Record<string, unknown>): GpuCell {
  if (base.cell === gru) return options.resetAfter === true ? gpuGruResetAfter : gpuGru;
  return base;
}

/** The activation options a cell's programs use. */
export function activationNames(gpuCell: GpuCell, options: Record<string, unknown>): ShaderActivationName[] {
  const names = [options.activation as ShaderActivationName];
  if (gpuCell.gates > 1) names.push(options.recurrentActivation as ShaderActivationName);
  return names;
}
