/**
 * The two contenders of an attention case, on one tfjs backend and the same host data: seqmodel (its
 * `scaledDotProductAttention`, or its `multiHeadAttention` layer, with whatever fused kernel the backend has) and
 * the same computation written straightforwardly with plain tfjs ops (`tf.matMul`, `tf.softmax`, `tf.add` of a
 * causal bias, `tf.valueAndGrads`), as a user without seqmodel would write it. Both have the `BenchModel` shape:
 * a forward pass read back, and a training step (mean squared error against a fixed target, gradients, SGD) whose
 * parameters are the layer's weights (mha) or the attention's inputs (sdpa).
 */
import { multiHeadAttention, scaledDotProductAttention } from '@seqmodel/attention';
import type { TfjsBackend } from '@seqmodel/backend-tfjs';
import { createRng } from '@seqmodel/core';
import { CallContext, type LayerWeight } from '@seqmodel/layers';
import * as tf from '@tensorflow/tfjs-core';
import type { BenchModel } from '../models.js';
import type { HostArray } from '../weights.js';
import { learningRate } from '../workload.js';
import type { AttentionSize, AttentionWorkload } from './cases.js';

/** The host data of a case: the parameters (mha: Keras' weight layout; sdpa: q, k, v), the input and the target. */
export interface AttentionData {
  readonly params: readonly HostArray[];
  /** mha: `[B, T, E]`; sdpa: none (the parameters are the inputs). */
  readonly input: HostArray | undefined;
  /** `[B, T, E]` (mha) or `[B, H, T, d]` (sdpa). */
  readonly target: HostArray;
}

export function attentionData(workload: AttentionWorkload, s: AttentionSize, seed: number): AttentionData {
  const rng = createRng(seed).fork(`attention ${workload}`);
  const normals = (shape: readonly number[], scale: number): HostArray => ({
    values: Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => scale * rng.normal()),
    shape,
  });
  const { batch: b, time: t, heads: h, depth: d } = s;
  if (workload === 'sdpa') {
    const qkv = [0, 1, 2].map(() => normals([b, h, t, d], 1));
    return { params: qkv, input: undefined, target: normals([b, h, t, d], 0.5) };
  }
  const e = h * d;
  // Weights as Keras' MultiHeadAttention holds them, scaled like Glorot's so that activations stay O(1).
  const kernel = (shape: number[]) => normals(shape, Math.sqrt(1 / e));
  const bias = (shape: number[]) => normals(shape, 0.1);
  const params = [
    kernel([e, h, d]),
    bias([h, d]),
    kernel([e, h, d]),
    bias([h, d]),
    kernel([e, h, d]),
    bias([h, d]),
    kernel([h, d, e]),
    bias([e]),
  ];
  return { params, input: normals([b, t, e], 1), target: normals([b, t, e], 0.5) };
}

const meanSquaredError = (y: tf.Tensor, target: tf.Tensor) => tf.mean(tf.square(tf.sub(y, target)));

/** `[T, T]`: 0 where a query may see a key (j <= i), -1e9 above the diagonal; added to the scores. */
function causalBias(t: number): tf.Tensor {
  const values = new Float32Array(t * t);
  for (let i = 0; i < t; i++) values.fill(-1e9, i * t + i + 1, (i + 1) * t);
  return tf.tensor(values, [t, t]);
}

/** A contender from its computation: `output(params)` must return a new tensor. */
function contender(
  activate: () => void,
  data: AttentionData,
  output: (params: tf.Tensor[]) => tf.Tensor,
  lossAndGrads: (params: tf.Tensor[]) => { value: tf.Tensor; grads: tf.Tensor[] },
  extra: tf.Tensor[],
): BenchModel {
  activate();
  let params = data.params.map((p) => tf.tensor(p.values, [...p.shape]));
  return {
    forward() {
      activate();
      const y = output(params);
      const values = (y.dataSync() as Float32Array).slice();
      y.dispose();
      return values;
    },
    trainStep() {
      activate();
      const { value, grads } = lossAndGrads(params);
      const loss = value.dataSync()[0]!;
      const next = tf.tidy(() => params.map((p, i) => tf.sub(p, tf.mul(grads[i]!, learningRate))));
      tf.dispose([value, ...grads, ...params]);
      params = next;
      return loss;
    },
    weights: () => params.map((p) => (p.dataSync() as Float32Array).slice()),
    dispose() {
      tf.dispose([...params, ...extra]);
    },
  };
}

/** Plain tfjs: the attention of `[B, H, T, d]` tensors, as a tfjs user writes it. */
function plainAttention(q: tf.Tensor, k: tf.Tensor, v: tf.Tensor, bias: tf.Tensor | undefined): tf.Tensor {
  const scores = tf.mul(tf.matMul(q, k, false, true), 1 / Math.sqrt(q.shape[3]!));
  return tf.matMul(tf.softmax(bias ? tf.add(scores, bias) : scores), v);
}

/** Plain tfjs: Keras' multi-head self-attention on `x` `[B, T, E]` with Keras' weight layout. */
function plainMha(x: tf.Tensor, w: tf.Tensor[], s: AttentionSize, bias: tf.Tensor | undefined): tf.Tensor {
  const { batch: b, time: t, heads: h, depth: d } = s;
  const e = h * d;
  const rows = tf.reshape(x, [b * t, e]);
  const heads = (kernel: tf.Tensor, bias: tf.Tensor) =>
    tf.transpose(
      tf.reshape(tf.add(tf.matMul(rows, tf.reshape(kernel, [e, h * d])), tf.reshape(bias, [h * d])), [
        b,
        t,
        h,
        d,
      ]),
      [0, 2, 1, 3],
    );
  const attended = plainAttention(heads(w[0]!, w[1]!), heads(w[2]!, w[3]!), heads(w[4]!, w[5]!), bias);
  const merged = tf.reshape(tf.transpose(attended, [0, 2, 1, 3]), [b * t, h * d]);
  return tf.reshape(tf.add(tf.matMul(merged, tf.reshape(w[6]!, [h * d, e])), w[7]!), [b, t, e]);
}

/** The plain tfjs contender on `backend`'s tfjs backend. */
export function plainTfjsContender(
  backend: TfjsBackend,
  workload: AttentionWorkload,
  s: AttentionSize,
  causal: boolean,
  data: AttentionData,
): BenchModel {
  backend.activate();
  const bias = causal ? causalBias(s.time) : undefined;
  const x = data.input && tf.tensor(data.input.values, [...data.input.shape]);
  const target = tf.tensor(data.target.values, [...data.target.shape]);
  const output = (ps: tf.Tensor[]) =>
    tf.tidy(() =>
      workload === 'sdpa' ? plainAttention(ps[0]!, ps[1]!, ps[2]!, bias) : plainMha(x!, ps, s, bias),
    );
  const valueAndGrads = tf.valueAndGrads(
    (...ps: tf.Tensor[]) => meanSquaredError(output(ps), target) as tf.Scalar,
  );
  return contender(
    () => backend.activate(),
    data,
    output,
    (ps) => valueAndGrads(ps),
    [target, ...(x ? [x] : []), ...(bias ? [bias] : [])],
  );
}

/** The seqmodel contender: `scaledDotProductAttention`, or a built `multiHeadAttention` layer fed the weights. */
export function seqmodelContender(
  backend: TfjsBackend,
  workload: AttentionWorkload,
  s: AttentionSize,
  causal: boolean,
  data: AttentionData,
): BenchModel {
  const b = backend;
  const x = data.input && b.tensor(data.input.values, [...data.input.shape]);
  const target = b.tensor(data.target.values, [...data.target.shape]);
  let output: (ps: tf.Tensor[]) => tf.Tensor;
  if (workload === 'sdpa') {
    output = (ps) =>
      scaledDotProductAttention(b, { query: ps[0]!, key: ps[1]!, value: ps[2]!, causal }).output;
  } else {
    const e = s.heads * s.depth;
    const layer = multiHeadAttention({ numHeads: s.heads, keyDim: s.depth, useCausalMask: causal }).build(b, [
      [null, null, e],
      [null, null, e],
    ]);
    const weights: LayerWeight[] = layer.weights;
    output = (ps) => {
      // The parameters stand in for the layer's weights (as in a training step), so gradients reach them.
      const ctx = new CallContext<tf.Tensor>({
        backend: b,
        training: false,
        rng: createRng(0),
        overrides: new Map(weights.map((w, i) => [w, ps[i]!])),
      });
      return b.tidy(() => layer.invoke(ctx, [x!, x!], { masks: [undefined, undefined] }).outputs[0]!);
    };
    const model = seqmodelModelOf(b, data, output, target, x);
    return {
      ...model,
      dispose() {
        model.dispose();
        layer.dispose();
      },
    };
  }
  return seqmodelModelOf(b, data, output, target, x);
}

function seqmodelModelOf(
  b: TfjsBackend,
  data: AttentionData,
  output: (ps: tf.Tensor[]) => tf.Tensor,
  target: tf.Tensor,
  x: tf.Tensor | undefined,
): BenchModel {
  const count = data.target.values.length;
  return contender(
    () => b.activate(),
    data,
    output,
    (ps) =>
      b.valueAndGrads((...qs) => {
        const diff = b.sub(output(qs), target);
        return b.div(b.sum(b.mul(diff, diff)), count);
      }, ps),
    [target, ...(x ? [x] : [])],
  );
}
