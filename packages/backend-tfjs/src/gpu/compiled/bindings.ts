/**
 * Where a compiled plan's buffers live while the GPU runtime (`plan-runner.ts`) runs a step: every plan buffer is
 * bound to a {@link Binding}, a recipe a shader reads an element of. Most are views (columns of a tensor written
 * by an earlier program, read in place: no slicing launches); a per-step matrix product is a `product` binding, its
 * sum computed inline by the program that reads it (so a product costs no launch of its own). Tensors are a type
 * parameter: the runtime binds tfjs tensors, its dry run (`supports`) stand-ins of the same sizes.
 */
export type RowMode =
  /** Row `b` of a `[batch, cols]` tensor. */
  | 'batch'
  /** Row 0, for every b. */
  | 'single'
  /** Row `b * time + tau` of a `[batch * time, cols]` tensor, `tau` the step's time index (a uniform). */
  | 'tau'
  /** Row `b * time + s`, `s` the processing step (a uniform). */
  | 'step';

/** Something a program reads as a `[rows, cols]` matrix; `size` is its element count (checked at each launch). */
export interface Sized {
  readonly size: number;
}

/** Columns `offset ...` of `tensor`, seen as a `[rows, cols]` matrix. */
export interface ViewBinding<H> {
  readonly kind: 'view';
  readonly tensor: H;
  readonly rows: number;
  readonly cols: number;
  readonly offset: number;
  readonly rowMode: RowMode;
}

export interface ZeroBinding {
  readonly kind: 'zero';
}

/** `Σ_m left[b, m]·right[m, col]` (`right[col, m]` with `transpose`), plus `base` (an earlier write) when present. */
export interface ProductBinding<H> {
  readonly kind: 'product';
  readonly left: ViewBinding<H>;
  /** A `[k, n]` static (rows `single`). */
  readonly right: ViewBinding<H>;
  readonly transpose: boolean;
  /** k: the length of the sum. */
  readonly length: number;
  readonly base?: ViewBinding<H>;
}

/** The sum of `parts`. */
export interface SumBinding<H> {
  readonly kind: 'sum';
  readonly parts: readonly Binding<H>[];
}

/** `valid` where the step's mask marks row b valid, else `masked` (only in runs with a mask). */
export interface ValidBinding<H> {
  readonly kind: 'valid';
  readonly valid: Binding<H>;
  readonly masked: Binding<H>;
}

export type Binding<H> = ViewBinding<H> | ZeroBinding | ProductBinding<H> | SumBinding<H> | ValidBinding<H>;

export const zero: ZeroBinding = { kind: 'zero' };

export function view<H extends Sized>(
  tensor: H,
  rows: number,
  cols: number,
  rowMode: RowMode = 'batch',
  offset = 0,
): ViewBinding<H> {
  return { kind: 'view', tensor, rows, cols, offset, rowMode };
}

/** Calls `f` on every view `binding` reads, in reading order. */
export function forEachView<H>(binding: Binding<H>, f: (view: ViewBinding<H>) => void): void {
  switch (binding.kind) {
    case 'view':
      f(binding);
      return;
    case 'zero':
      return;
    case 'product':
      f(binding.left);
      f(binding.right);
      if (binding.base) f(binding.base);
      return;
    case 'sum':
      for (const p of binding.parts) forEachView(p, f);
      return;
    case 'valid':
      forEachView(binding.valid, f);
      forEachView(binding.masked, f);
      return;
  }
}

/**
 * Whether what `binding` reads depends on the step it is read at: a view of the step's row of a whole-sequence tensor
 * (`tau`, `step`), or a choice by the step's mask (`valid`).
 */
export function readsStepRows<H>(binding: Binding<H>): boolean {
  if (binding.kind === 'valid') return true;
  if (binding.kind === 'sum') return binding.parts.some(readsStepRows);
  let found = false;
  forEachView(binding, (v) => {
    if (v.rowMode === 'tau' || v.rowMode === 'step') found = true;
  });
  return found;
}

/** `binding` with every tensor replaced by `f(tensor)`. */
export function mapTensors<H, K>(binding: Binding<H>, f: (tensor: H) => K): Binding<K> {
  switch (binding.kind) {
    case 'view':
      return { ...binding, tensor: f(binding.tensor) };
    case 'zero':
      return binding;
    case 'product': {
      const v = (x: ViewBinding<H>): ViewBinding<K> => ({ ...x, tensor: f(x.tensor) });
      const { left, right, transpose, length, base } = binding;
      return {
        kind: 'product',
        left: v(left),
        right: v(right),
        transpose,
        length,
        ...(base ? { base: v(base) } : {}),
      };
    }
    case 'sum':
      return { kind: 'sum', parts: binding.parts.map((p) => mapTensors(p, f)) };
    case 'valid':
      return { kind: 'valid', valid: mapTensors(binding.valid, f), masked: mapTensors(binding.masked, f) };
  }
}
