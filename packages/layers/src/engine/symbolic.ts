/**
 * Symbolic tensors: placeholders with a shape (`null` for sizes known only at call time) that record how layers are
 * connected. `input()` makes one; applying a layer to symbolic tensors returns new ones. A functional model is the
 * graph between its input and output symbolic tensors (see `functional.ts`).
 */
import { checkPositiveInteger, invalidArgument } from '@seqmodel/core';
import type { Layer } from './layer.js';
import { checkName } from './naming.js';
import { checkShapeSpec, type Dim, type ShapeSpec } from './shape-spec.js';

/** One application of a layer: its inputs, optional initial-state inputs and outputs. */
export class LayerNode {
  readonly outputs: SymbolicTensor[] = [];

  constructor(
    readonly layer: Layer,
    readonly inputs: readonly SymbolicTensor[],
    readonly initialState: readonly SymbolicTensor[],
  ) {}
}

/** The start of a graph: a model input. */
export class InputNode {
  readonly outputs: SymbolicTensor[] = [];

  constructor(
    /** Name of the input; unnamed inputs are named by their model (`input`, `input_1`, ...). */
    public name: string | undefined,
    readonly dtype: 'float32' | 'int32',
  ) {}
}

export class SymbolicTensor {
  constructor(
    /** Shape with the batch axis; `null` where the size is known only at call time. */
    readonly shape: ShapeSpec,
    /** The layer application (or model input) that produces it. */
    readonly source: LayerNode | InputNode,
    /** Which of the source's outputs it is. */
    readonly index: number,
  ) {}

  get rank(): number {
    return this.shape.length;
  }
}

export interface InputArgs {
  /** Shape of one sample, without the batch axis: `[null, 8]` for sequences of any length with 8 features. */
  readonly shape?: readonly Dim[];
  /** Fixed batch size (optional). */
  readonly batchSize?: number;
  /** Full shape with the batch axis, instead of `shape` and `batchSize`. */
  readonly batchShape?: readonly Dim[];
  readonly name?: string;
  /** `int32` for token ids (an embedding's input); informational, inputs are cast where needed. Default float32. */
  readonly dtype?: 'float32' | 'int32';
}

/**
 * A model input for the functional API.
 *
 * @example
 * const tokens = input({ shape: [null], dtype: 'int32' }); // [batch, time] token ids
 * const frames = input({ shape: [null, 13] });              // [batch, time, 13] features
 */
export function input(args: InputArgs): SymbolicTensor {
  if (typeof args !== 'object' || args === null) invalidArgument('input(args)', args, 'an object');
  let shape: ShapeSpec;
  if (args.batchShape !== undefined) {
    shape = checkShapeSpec('input batchShape', args.batchShape);
  } else {
    if (args.shape === undefined) invalidArgument('input shape', args.shape, 'a shape such as [null, 8]');
    const sample = checkShapeSpec('input shape', args.shape);
    const batch =
      args.batchSize === undefined ? null : checkPositiveInteger('input batchSize', args.batchSize);
    shape = [batch, ...sample];
  }
  if (shape.length < 1) invalidArgument('input shape', shape, 'at least a batch axis');
  const name = args.name === undefined ? undefined : checkName('input name', args.name);
  const node = new InputNode(name, args.dtype ?? 'float32');
  const tensor = new SymbolicTensor(shape, node, 0);
  node.outputs.push(tensor);
  return tensor;
}
