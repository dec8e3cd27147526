/**
 * Nadam (Dozat 2016: Adam with Nesterov momentum) with Keras 3's rule and defaults (learning rate 0.001, β₁ 0.9,
 * β₂ 0.999, ε 1e-7). With the momentum schedule `μᵢ = β₁(1 − ½ · 0.96ⁱ)` and its running product `Πₜ = μ₁ ⋯ μₜ`:
 * `m ← m + (g − m)(1 − β₁)`, `v ← v + (g² − v)(1 − β₂)`,
 * `m̂ = μₜ₊₁ · m / (1 − Πₜ · μₜ₊₁) + (1 − μₜ) · g / (1 − Πₜ)`, `v̂ = v / (1 − β₂ᵗ)`, `w ← w − lr · m̂ / (√v̂ + ε)`.
 * Keras keeps `Πₜ` as an optimizer variable; here it is computed from the step, so `getState` / `setState` (which
 * keep `iterations`) resume it exactly. PyTorch's `NAdam` decays the schedule more slowly (`0.96^(0.004 · i)`), so
 * its numbers differ.
 */
import {
  Optimizer,
  type OptimizerOptions,
  type SlotSpec,
  type UpdateArgs,
  type UpdateResult,
} from './optimizer.js';

export interface NadamOptions extends OptimizerOptions {
  /** Default 0.001. */
  readonly learningRate?: OptimizerOptions['learningRate'];
  readonly beta1?: number;
  readonly beta2?: number;
  readonly epsilon?: number;
}

export class Nadam extends Optimizer {
  readonly className = 'Nadam';
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  /** `Πₜ` for the step `productStep`: consecutive steps extend it by one factor instead of starting again. */
  private product = 1;
  private productStep = 0;

  constructor(options: NadamOptions = {}) {
    super('nadam', 0.001, options, ['beta1', 'beta2', 'epsilon']);
    this.beta1 = this.numberOption('beta1', options.beta1, 0.9, 0, 1);
    this.beta2 = this.numberOption('beta2', options.beta2, 0.999, 0, 1);
    this.epsilon = this.numberOption('epsilon', options.epsilon, 1e-7);
  }

  protected slotSpecs(): readonly SlotSpec[] {
    return [
      { name: 'm', initialValue: 0 },
      { name: 'v', initialValue: 0 },
    ];
  }

  /** The momentum schedule at step `i` (from 1). */
  private mu(i: number): number {
    return this.beta1 * (1 - 0.5 * 0.96 ** i);
  }

  /** `Πₜ = μ₁ ⋯ μₜ`. */
  private productAt(step: number): number {
    if (step < this.productStep) {
      this.product = 1;
      this.productStep = 0;
    }
    while (this.productStep < step) {
      // Each factor is below β₁ ≤ 1: once the product underflows to 0 (after ~7,000 steps at β₁ 0.9) it stays 0,
      // so a restored step count of millions costs no loop.
      if (this.product === 0) {
        this.productStep = step;
        break;
      }
      this.productStep += 1;
      this.product *= this.mu(this.productStep);
    }
    return this.product;
  }

  protected update<T>({
    backend,
    value,
    gradient,
    slots,
    learningRate,
    step,
  }: UpdateArgs<T>): UpdateResult<T> {
    const muNow = this.mu(step);
    const muNext = this.mu(step + 1);
    const product = this.productAt(step);
    const m = backend.add(slots.m!, backend.mul(backend.sub(gradient, slots.m!), 1 - this.beta1));
    const v = backend.add(
      slots.v!,
      backend.mul(backend.sub(backend.mul(gradient, gradient), slots.v!), 1 - this.beta2),
    );
    const mHat = backend.add(
      backend.mul(m, muNext / (1 - product * muNext)),
      backend.mul(gradient, (1 - muNow) / (1 - product)),
    );
    const vHat = backend.div(v, 1 - this.beta2 ** step);
    const next = backend.sub(
      value,
      backend.div(backend.mul(mHat, learningRate), backend.add(backend.sqrt(vHat), this.epsilon)),
    );
    return { value: next, slots: { m, v } };
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon };
  }
}

/** Nadam (`'nadam'`). */
export function nadam(options?: NadamOptions): Nadam {
  return new Nadam(options);
}
