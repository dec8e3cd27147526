/**
 * Keras `TimeDistributed`: applies a layer to every time step of `[batch, time, ...]` by folding time into the batch
 * (`[batch * time, ...]`), so the wrapped layer's weights are shared across steps; a layer whose rows depend on each
 * other (BatchNormalization in training) is called step by step instead, with each step's mask, as Keras does. The
 * input mask passes through.
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

  call<T>(ctx: CallContext<T>, inputs: readonly T[], args: CallArgs<T>): T[] {
    const b = ctx.backend;
    const x = inputs[0]!;
    const [batch, time, ...rest] = b.shape(x) as [number, number, ...number[]];
    // (A frozen wrapper's call already runs frozen: `invoke`.)
    const inner = this.layer as { rowsInteract?: (c: CallContext<T>) => boolean };
    if (inner.rowsInteract?.(ctx) === true) return [this.stepByStep(ctx, x, args.masks[0])];
    const folded = b.reshape(x, [batch * time, ...rest]);
    const y = this.one(this.layer.invoke(ctx, [folded], { masks: [undefined] }).outputs);
    return [b.reshape(y, [batch, time, ...b.shape(y).slice(1)])];
  }

  /**
   * The wrapped layer called on each step `[batch, ...]` with that step's mask `[batch]`, the outputs stacked along
   * the time axis, as Keras' TimeDistributed does: for a layer whose rows depend on each other (BatchNormalization in
   * training), folding the steps into the batch would compute something else.
   */
  private stepByStep<T>(ctx: CallContext<T>, x: T, mask: T | undefined): T {
    const b = ctx.backend;
    const steps = b.unstack(x, 1);
    const masks = mask === undefined ? undefined : b.unstack(mask, 1);
    const ys = steps.map((step, t) =>
      this.one(this.layer.invoke(ctx, [step], { masks: [masks?.[t]] }).outputs),
    );
    return b.stack(ys, 1);
  }

  private one<T>(outputs: readonly T[]): T {
    if (outputs.length !== 1) {
      throw new SeqmodelError(
        `${this.describe()}: the wrapped layer ${this.layer.describe()} must have one output`,
      );
    }
    return outputs[0]!;
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
