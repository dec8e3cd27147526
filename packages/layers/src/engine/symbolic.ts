/**
 * Symbolic tensors: placeholders with a shape (`null` for sizes known only at call time) that record how layers are
 * connected. `input()` makes one; applying a layer to symbolic tensors returns new ones. A functional model is the
 * graph between its input and output symbolic tensors (see `functional.ts`).
 */
import { checkOneOf, checkOptions, checkPositiveInteger, invalidArgument } from '@seqmodel/core';
import { InputNode, SymbolicTensor } from './layer.js';
import { checkName } from './naming.js';
import { checkShapeSpec, type Dim, type ShapeSpec } from './shape-spec.js';

// The symbolic tensor and its nodes live in `layer.ts`: a node names its layer and a layer makes nodes, so one module
// holds both (two would import each other).
export { InputNode, LayerNode, SymbolicTensor } from './layer.js';

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
  checkOptions('input options', args, ['shape', 'batchSize', 'batchShape', 'name', 'dtype']);
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
  const node = new InputNode(name, checkOneOf('input dtype', args.dtype ?? 'float32', ['float32', 'int32']));
  const tensor = new SymbolicTensor(shape, node, 0);
  node.outputs.push(tensor);
  return tensor;
}
