/**
 * What the encoder and decoder stacks share: `numLayers` blocks with the same options, each reading the previous one's
 * output (PyTorch's `nn.TransformerEncoder` / `nn.TransformerDecoder`), and optionally a layer normalization after
 * the last (`finalNormalization`, on by default for pre-norm stacks, whose blocks leave their output unnormalized:
 * GPT-2's final `ln_f`, PyTorch's `norm`). Blocks are named `layer_0`, `layer_1`, ... and the final normalization
 * `norm`, so the weights read `<stack>/layer_0/self_attention/query/kernel`, `<stack>/norm/gamma`.
 */
import { checkBoolean, checkPositiveInteger, invalidArgument } from '@seqmodel/core';
import { type BuildEnv, type CallArgs, type CallContext, Layer, type ShapeSpec } from '@seqmodel/layers';
import { type LayerNormalization, layerNormalization } from '../layers/layer-normalization.js';
import { callSublayer, type TransformerBlock, type TransformerBlockArgs } from './transformer-block.js';

export interface TransformerStackArgs extends TransformerBlockArgs {
  /** Number of blocks. */
  readonly numLayers: number;
  /** A layer normalization after the last block (default `normalizeFirst`). */
  readonly finalNormalization?: boolean;
}

export abstract class TransformerStack<B extends TransformerBlock> extends Layer {
  override readonly supportsMasking = true;
  readonly numLayers: number;
  readonly finalNormalization: boolean;
  readonly blocks: readonly B[];
  readonly norm: LayerNormalization | undefined;

  constructor(args: TransformerStackArgs, what: string, makeBlock: (args: TransformerBlockArgs) => B) {
    if (typeof args !== 'object' || args === null) {
      invalidArgument(`${what}(options)`, args, 'an object with numLayers, numHeads and intermediateDim');
    }
    const {
      numLayers,
      finalNormalization,
      name,
      trainable,
      inputShape,
      batchSize,
      batchInputShape,
      ...blockArgs
    } = args;
    super({ name, trainable, inputShape, batchSize, batchInputShape });
    this.numLayers = checkPositiveInteger(`${what} numLayers`, numLayers);
    this.blocks = Array.from({ length: this.numLayers }, (_, i) =>
      makeBlock({ ...blockArgs, name: `layer_${i}` }),
    );
    const first = this.blocks[0]!;
    this.finalNormalization = checkBoolean(
      `${what} finalNormalization`,
      finalNormalization ?? first.normalizeFirst,
    );
    this.norm = this.finalNormalization
      ? layerNormalization({ name: 'norm', epsilon: first.layerNormEpsilon })
      : undefined;
    this.inputSpec = { rank: 3, meaning: '[batch, time, features]' };
  }

  override get sublayers(): readonly Layer[] {
    return this.norm === undefined ? this.blocks : [...this.blocks, this.norm];
  }

  protected override onBuild(env: BuildEnv, inputShapes: readonly ShapeSpec[]): void {
    const child = this.childEnv(env);
    for (const block of this.blocks) block.buildIn(child, inputShapes);
    this.norm?.buildIn(child, [inputShapes[0]!]);
  }

  computeOutputShape(inputShapes: readonly ShapeSpec[]): ShapeSpec[] {
    return [inputShapes[0]!];
  }

  call<T>(ctx: CallContext<T>, inputs: readonly T[], args: CallArgs<T>): T[] {
    const [x, ...rest] = inputs;
    let y = x!;
    for (const block of this.blocks) y = block.call(ctx, [y, ...rest], args)[0]!;
    return [this.norm === undefined ? y : callSublayer(ctx, this.norm, y)];
  }

  override getConfig(): Record<string, unknown> {
    const { name: _name, ...blockConfig } = this.blocks[0]!.getConfig();
    return {
      ...super.getConfig(),
      ...blockConfig,
      trainable: this.trainable,
      numLayers: this.numLayers,
      finalNormalization: this.finalNormalization,
    };
  }
}
