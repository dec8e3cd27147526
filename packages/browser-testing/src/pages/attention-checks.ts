/**
 * Attention on a GPU backend, run in the page: `@seqmodel/attention`'s scaled dot-product attention and a
 * multi-head self-attention built on it, forward and gradients against backend-cpu, and memory over many training
 * steps. This page does not register `@seqmodel/attention/kernels`' flash kernel (the WebGPU one is checked in its own
 * page, `webgpu-flash.page.ts`), so on webgl and webgpu these run the generic path (products, masked softmax, products), which the first
 * check confirms: a call that requires a fused kernel is refused.
 */
import { scaledDotProductAttention } from '@seqmodel/attention';
import type { TfjsBackend } from '@seqmodel/backend-tfjs';
import { assertClose, readAll } from '@seqmodel/core/testing';
import type * as tf from '@tensorflow/tfjs-core';
import type { PageCheckGroup } from '../in-page.js';
import { trainWithFlatMemory } from './gpu-checks.js';
import { check } from './kits.js';

const seeded = (n: number, phase: number) =>
  Float32Array.from({ length: n }, (_, i) => 0.5 * Math.sin(0.37 * i + phase));

/**
 * Query, key and value of a causal multi-query case with key padding over `time` steps; the loss weights every
 * output element. `fused` is passed to `scaledDotProductAttention` (default: its own, 'auto').
 */
export function attentionLoss(b: TfjsBackend, time = 7, fused?: 'require' | 'never') {
  const [batch, heads, keyHeads, depth] = [2, 4, 1, 5];
  const params = [
    b.tensor(seeded(batch * heads * time * depth, 0), [batch, heads, time, depth]),
    b.tensor(seeded(batch * keyHeads * time * depth, 1), [batch, keyHeads, time, depth]),
    b.tensor(seeded(batch * keyHeads * time * depth, 2), [batch, keyHeads, time, depth]),
  ];
  // The second sequence's last two keys are padding.
  const keep = Float32Array.from({ length: batch * time }, (_, i) => (i >= 2 * time - 2 ? 0 : 1));
  const mask = b.tensor(keep, [batch, 1, 1, time]);
  const weights = b.tensor(seeded(batch * heads * time * depth, 3), [batch, heads, time, depth]);
  const loss = (ps: readonly tf.Tensor[]) => {
    const { output } = scaledDotProductAttention(b, {
      query: ps[0]!,
      key: ps[1]!,
      value: ps[2]!,
      mask,
      causal: true,
      ...(fused === undefined ? {} : { fused }),
    });
    return b.sum(b.mul(output, weights));
  };
  return { params, loss, dispose: () => b.dispose([...params, mask, weights]) };
}

export function attentionLossAndGradients(
  b: TfjsBackend,
  time = 7,
  fused?: 'require' | 'never',
): Float32Array[] {
  const t = attentionLoss(b, time, fused);
  const { value, grads } = b.valueAndGrads((...ps) => t.loss(ps), t.params);
  const out = readAll(b, [value, ...grads]) as Float32Array[];
  b.dispose([value, ...grads]);
  t.dispose();
  return out;
}

/**
 * Multi-head self-attention `[batch, time, model]` -> same, with query, key, value and output projections, fitted
 * to a fixed target by SGD: the parameters are the four projection matrices.
 */
export function selfAttentionModel(b: TfjsBackend) {
  const [batch, time, model, heads] = [2, 6, 8, 2];
  const depth = model / heads;
  const x = b.tensor(seeded(batch * time * model, 4), [batch * time, model]);
  const target = b.tensor(seeded(batch * time * model, 5), [batch * time, model]);
  const params = [0, 1, 2, 3].map((k) =>
    b.tensor(
      seeded(model * model, 6 + k).map((v) => v / Math.sqrt(model)),
      [model, model],
    ),
  );
  const split = (y: tf.Tensor) => b.transpose(b.reshape(y, [batch, time, heads, depth]), [0, 2, 1, 3]);
  const loss = (ps: readonly tf.Tensor[]) => {
    const [wq, wk, wv, wo] = ps as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];
    const { output } = scaledDotProductAttention(b, {
      query: split(b.matMul(x, wq)),
      key: split(b.matMul(x, wk)),
      value: split(b.matMul(x, wv)),
      causal: true,
    });
    const joined = b.reshape(b.transpose(output, [0, 2, 1, 3]), [batch * time, model]);
    const error = b.sub(b.matMul(joined, wo), target);
    return b.div(b.sum(b.mul(error, error)), batch * time * model);
  };
  return { params, loss, dispose: () => b.dispose([x, target]) };
}

/**
 * The checks on `b`: `steps` of training in the memory check, after which the loss must be below `lossRatio` times
 * its first value.
 */
export function attentionChecks(
  b: TfjsBackend,
  cpu: TfjsBackend,
  steps = 1000,
  lossRatio = 0.5,
): PageCheckGroup {
  const name = b.tfjsBackendName;
  const generic = check(`no fused attention kernel on ${name}: the generic path runs`, name, () => {
    const t = attentionLoss(b);
    let refused: unknown;
    try {
      b.tidy(() =>
        scaledDotProductAttention(b, {
          query: t.params[0]!,
          key: t.params[1]!,
          value: t.params[2]!,
          fused: 'require',
        }),
      );
    } catch (error) {
      refused = error;
    } finally {
      t.dispose();
    }
    if (
      !(refused instanceof Error) ||
      !refused.message.includes(`backend ${b.name} has no fused kernel for attention scaledDotProduct`)
    ) {
      throw new Error(`expected fused: 'require' to be refused on ${name}, got ${String(refused)}`);
    }
  });
  const parity = check(
    'scaled dot-product attention (causal, key padding, multi-query): loss and gradients match backend-cpu within 1e-4',
    name,
    () => {
      const onGpu = attentionLossAndGradients(b);
      const onCpu = attentionLossAndGradients(cpu);
      b.activate();
      onCpu.forEach((expected, i) => {
        assertClose(`attention on ${name}, result ${i}`, onGpu[i]!, expected, { atol: 1e-4, rtol: 1e-4 });
      });
    },
  );
  const training = check(
    `multi-head self-attention: numTensors and numBytesInGPU flat over ${steps.toLocaleString('en-US')} SGD training steps, the loss falls below ${lossRatio} of its start`,
    name,
    () => {
      const m = selfAttentionModel(b);
      const { first, last } = trainWithFlatMemory(b, m.loss, m.params, steps, 0.5);
      m.dispose();
      if (!(last < lossRatio * first))
        throw new Error(
          `the loss did not fall below ${lossRatio} of its start over ${steps} steps: ${first} -> ${last}`,
        );
    },
  );
  return {
    name: `${name}: attention (generic path)`,
    checks: [generic, parity, training],
  };
}
