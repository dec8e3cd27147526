/**
 * Keras `AdditiveAttention`: Bahdanau-style scores without projections, over `[query, value]` or
 * `[query, value, key]` with the same masks, outputs and options as `attention` (`attention.ts`):
 *
 *   scores = Σ_d scale_d · tanh(query_i,d + key_j,d)      (scale: `[features]`, glorot uniform, with `useScale`)
 *
 * `useScale` defaults to true, as in Keras. Query and key must have the same feature size.
 */
import type { BuildEnv, CallContext, ShapeSpec } from '@seqmodel/layers';
import { Attention, type AttentionArgs } from './attention.js';

export type AdditiveAttentionArgs = Omit<AttentionArgs, 'scoreMode'>;

export class AdditiveAttention extends Attention {
  override readonly className: string = 'AdditiveAttention';

  constructor(args: AdditiveAttentionArgs = {}) {
    super({ ...args, scoreMode: 'dot' }, { useScale: true, what: 'additiveAttention' });
  }

  protected override onBuild(env: BuildEnv, inputShapes: readonly ShapeSpec[]): void {
    this.checkShapes(inputShapes);
    const dim = inputShapes[0]![2] as number;
    if (this.useScale)
      this.scale = this.addWeight(env, { name: 'scale', shape: [dim], initializer: 'glorotUniform' });
  }

  protected override get dotScores(): boolean {
    return false;
  }

  protected override scores<T>(ctx: CallContext<T>, query: T, key: T): T {
    const b = ctx.backend;
    const [batch, tq, dim] = b.shape(query) as [number, number, number];
    const tk = b.shape(key)[1]!;
    let t = b.tanh(b.add(b.reshape(query, [batch, tq, 1, dim]), b.reshape(key, [batch, 1, tk, dim])));
    if (this.scale !== undefined) t = b.mul(t, ctx.read(this.scale));
    return b.sum(t, -1);
  }

  override getConfig(): Record<string, unknown> {
    const { scoreMode: _scoreMode, ...config } = super.getConfig();
    return config;
  }

  static override fromConfig(config: Record<string, unknown>): AdditiveAttention {
    return new AdditiveAttention(config as AdditiveAttentionArgs);
  }
}

/**
 * Keras' additive (Bahdanau-style, projection-free) attention layer over `[query, value]` or `[query, value, key]`.
 *
 * @example
 * const context = additiveAttention().apply([decoderOutputs, encoderOutputs]);
 */
export function additiveAttention(args: AdditiveAttentionArgs = {}): AdditiveAttention {
  return new AdditiveAttention(args);
}
