/** A stack of transformer encoder blocks (PyTorch's `nn.TransformerEncoder`); see `transformer-stack.ts`. */
import { TransformerEncoderBlock } from './transformer-encoder-block.js';
import { TransformerStack, type TransformerStackArgs } from './transformer-stack.js';

export type TransformerEncoderStackArgs = TransformerStackArgs;

export class TransformerEncoderStack extends TransformerStack<TransformerEncoderBlock> {
  readonly className = 'TransformerEncoderStack';

  constructor(args: TransformerEncoderStackArgs) {
    super(args, 'transformerEncoderStack', (blockArgs) => new TransformerEncoderBlock(blockArgs));
  }

  /** Output steps depend on later input steps: a stream cannot run the stack one step at a time. */
  get readsBackwards(): boolean {
    return true;
  }

  static fromConfig(config: Record<string, unknown>): TransformerEncoderStack {
    return new TransformerEncoderStack(config as unknown as TransformerEncoderStackArgs);
  }
}

/**
 * `numLayers` transformer encoder blocks, with a final layer normalization for pre-norm stacks.
 *
 * @example
 * const encoded = transformerEncoderStack({ numLayers: 2, numHeads: 4, intermediateDim: 128 }).apply(embedded);
 */
export function transformerEncoderStack(args: TransformerEncoderStackArgs): TransformerEncoderStack {
  return new TransformerEncoderStack(args);
}
