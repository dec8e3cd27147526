/**
 * A stack of transformer decoder blocks (PyTorch's `nn.TransformerDecoder`); see `transformer-stack.ts`. Inputs
 * `[decoderSequence]` or `[decoderSequence, encoderSequence]`, the encoder's sequence going to every block's
 * cross-attention. Each block keeps its own key/value cache in passes that carry state.
 */
import { TransformerDecoderBlock } from './transformer-decoder-block.js';
import { TransformerStack, type TransformerStackArgs } from './transformer-stack.js';

export type TransformerDecoderStackArgs = TransformerStackArgs;

export class TransformerDecoderStack extends TransformerStack<TransformerDecoderBlock> {
  readonly className = 'TransformerDecoderStack';

  constructor(args: TransformerDecoderStackArgs) {
    super(args, 'transformerDecoderStack', (blockArgs) => new TransformerDecoderBlock(blockArgs));
  }

  override get maxInputCount(): number {
    return 2;
  }

  static fromConfig(config: Record<string, unknown>): TransformerDecoderStack {
    return new TransformerDecoderStack(config as unknown as TransformerDecoderStackArgs);
  }
}

/**
 * `numLayers` transformer decoder blocks, with a final layer normalization for pre-norm stacks.
 *
 * @example
 * const decoded = transformerDecoderStack({ numLayers: 2, numHeads: 4, intermediateDim: 128, normalizeFirst: true })
 *   .apply([embedded, encoded]);
 */
export function transformerDecoderStack(args: TransformerDecoderStackArgs): TransformerDecoderStack {
  return new TransformerDecoderStack(args);
}
