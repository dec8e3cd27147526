/**
 * Keras `TimeDistributed`: applies a layer to every time step of `[batch, time, ...]` by folding time into the batch
 * (`[batch * time, ...]`), so the wrapped layer's weights are shared across steps. The input mask passes through.
 * Weights are the wrapped layer's, under the wrapper's path (`time_distributed/dense/kernel`).
 */
import { invalidArgument, SeqmodelError } from '@seqmodel/core';
import type { CallContext } from '../engine/context.js';
import {
  type BuildEnv,
  type CallArgs,
  checkLayerOptions,
  type FromConfigContext,
  Layer,
  type LayerArgs,
  type SerializedLayer,
} from '../engine/layer.js';
import type { ShapeSpec } from '../engine/shape-spec.js';

export class TimeDistributed extends Layer {
  readonly className = 'TimeDistributed';
  override readonly supportsMasking = true;
  readonly layer: Layer;

  constructor(layer: Layer, args: LayerArgs = {}) {
    if (!(layer instanceof Layer)) invalidArgument('timeDistributed(layer)', layer, 'a layer');
    checkLayerOptions('timeDistributed', args, []);
    super(args);
    this.layer = layer;
    this.inputSpec = { minRank: 3, meaning: '[batch, time, ...]' };
  }

  override get sublayers(): readonly Layer[] {
    return [this.layer];
  }

  private stepShape(shape: ShapeSpec): ShapeSpec {
    return [shape[0] === null || shape[1] === null ? null : shape[0]! * shape[1]!, ...shape.slice(2)];
  }

  protected override onBuild(env: BuildEnv, inputShapes: readonly ShapeSpec[]): void {
    this.layer.buildIn(this.childEnv(env), [this.stepShape(inputShapes[0]!)]);
  }

  override inferInputShape(shape: readonly number[]): ShapeSpec {
    const inner = this.layer.inferInputShape([shape[0]!, ...shape.slice(2)]);
    return [null, null, ...inner.slice(1)];
  }

  /** The wrapped layer sees the same values (time folded into the batch). */
  override checkInputValues(values: ArrayLike<number>, shape: readonly number[], argument: string): void {
    this.layer.checkInputValues(values, shape, argument);
  }

  computeOutputShape(inputShapes: readonly ShapeSpec[]): ShapeSpec[] {
    const shape = inputShapes[0]!;
    const inner = this.layer.computeOutputShape([this.stepShape(shape)]);
    if (inner.length !== 1) {
      throw new SeqmodelError(
        `${this.describe()}: the wrapped layer ${this.layer.describe()} must have one output`,
      );
    }
    return [[shape[0] ?? null, shape[1] ?? null, ...inner[0]!.slice(1)]];
  }

  call<T>(ctx: CallContext<T>, inputs: readonly T[], _args: CallArgs<T>): T[] {
    const b = ctx.backend;
    const x = inputs[0]!;
    const [batch, time, ...rest] = b.shape(x) as [number, number, ...number[]];
    const folded = b.reshape(x, [batch * time, ...rest]);
    const { outputs } = this.layer.invoke(ctx, [folded], { masks: [undefined] });
    if (outputs.length !== 1) {
      throw new SeqmodelError(
        `${this.describe()}: the wrapped layer ${this.layer.describe()} must have one output`,
      );
    }
    const y = outputs[0]!;
    return [b.reshape(y, [batch, time, ...b.shape(y).slice(1)])];
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), layer: this.layer.serialize() };
  }

  static fromConfig(config: Record<string, unknown>, context: FromConfigContext): TimeDistributed {
    const { layer, ...rest } = config;
    return new TimeDistributed(context.deserializeLayer(layer as SerializedLayer), rest as LayerArgs);
  }
}

/**
 * Applies `layer` to every time step.
 *
 * @example
 * timeDistributed(dense({ units: 5, activation: 'softmax' }));
 */
export function timeDistributed(layer: Layer, args: LayerArgs = {}): TimeDistributed {
  return new TimeDistributed(layer, args);
}
