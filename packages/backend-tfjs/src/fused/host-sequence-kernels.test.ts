import { initParamTensors, lstm, resolveCellOptions, runSequence, type SequenceArgs } from '@seqmodel/core';
import type * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { describe, expect, it } from 'vitest';
import { initTfjsBackend } from '../backend-switching.js';
import { createTfjsBackend } from '../tfjs-backend.js';
import type { HostMatrix } from './gemm.js';
import { hostFusedKernels } from './host-sequence-kernels.js';
import { JsGemm } from './js-gemm.js';

/** A JsGemm that records the shape of every whole-sequence product. */
class CountingGemm extends JsGemm {
  readonly products: string[] = [];
  override multiply(
    a: HostMatrix,
    tA: boolean,
    b: HostMatrix,
    tB: boolean,
    c: HostMatrix,
    acc: boolean,
  ): void {
    this.products.push(`[${c.rows}, ${c.cols}]`);
    super.multiply(a, tA, b, tB, c, acc);
  }
}

await initTfjsBackend('cpu');
const gemm = new CountingGemm();
const backend = createTfjsBackend({
  name: 'cpu-counting',
  tfjsBackendName: 'cpu',
  fusedKernels: hostFusedKernels({ gemm: () => gemm }),
});

const [batch, time, inputSize, units] = [2, 3, 4, 5];
const params = initParamTensors(backend, lstm, { inputSize, units }, 3);
const inputs = backend.tensor(
  Float32Array.from({ length: batch * time * inputSize }, (_, i) => Math.sin(i)),
  [batch, time, inputSize],
);
const args = (p: Record<string, tf.Tensor>, x: tf.Tensor): SequenceArgs<tf.Tensor> => ({
  cell: lstm,
  options: resolveCellOptions(lstm, {}),
  units,
  inputs: x,
  params: p,
});

describe('fused kernels compute only the gradients asked for', () => {
  it('training the parameters skips the input gradient; kernel and recurrent kernel share one product', () => {
    gemm.products.length = 0;
    const names = Object.keys(params);
    const { value, grads } = backend.valueAndGrads(
      (...ps) => {
        const p = Object.fromEntries(names.map((n, i) => [n, ps[i]!]));
        return backend.sum(runSequence(backend, args(p, inputs), 'require').output);
      },
      names.map((n) => params[n]!),
    );
    // The projection X·W, then one product [X | H̃]ᵀ·dP = [inputSize + units, 4 * units]; no dP·Wᵀ.
    expect(gemm.products).toEqual(['[6, 20]', '[9, 20]']);
    backend.dispose([value, ...grads]);
  });

  it('the input gradient alone costs one product, dP·Wᵀ', () => {
    gemm.products.length = 0;
    const { value, grads } = backend.valueAndGrads(
      (x) => backend.sum(runSequence(backend, args(params, x!), 'require').output),
      [inputs],
    );
    expect(gemm.products).toEqual(['[6, 20]', '[6, 4]']);
    expect(backend.shape(grads[0]!)).toEqual([batch, time, inputSize]);
    backend.dispose([value, ...grads]);
  });

  it('a forward pass outside a gradient computation runs only the projection', () => {
    gemm.products.length = 0;
    const before = backend.memory().numTensors;
    const { output, state } = runSequence(backend, args(params, inputs), 'require');
    expect(gemm.products).toEqual(['[6, 20]']);
    backend.dispose([output, ...state]);
    expect(backend.memory().numTensors).toBe(before);
  });

  it('refuses int32 tensors with a reason (the generic loop then runs)', () => {
    const kernel = backend.fusedKernels.get('lstm')!;
    const ints = backend.fill([batch, time, inputSize], 1, 'int32');
    expect(kernel.supports(args(params, ints))).toBe('inputs is int32; the fused kernel takes float32');
    backend.dispose(ints);
  });
});
