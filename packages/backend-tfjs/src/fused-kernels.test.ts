import {
  checkSequenceArgs,
  findKernel,
  registerKernel,
  resolveCellOptions,
  runSequence,
  type SequenceArgs,
  selectKernel,
  setDebugLogger,
  simpleRNN,
  unregisterKernel,
} from '@seqmodel/core';
import { cellConformanceChecks } from '@seqmodel/core/testing';
import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, describe, expect, it } from 'vitest';
import { initTfjsBackend } from './backend-switching.js';
import { customGradient } from './custom-gradient.js';
import { createTfjsBackend, type TfjsBackend, type TfjsFusedKernel } from './tfjs-backend.js';

type Tensor = tf.Tensor;

/**
 * A fused simple-RNN kernel (tanh only, no masks), written the way a fused-kernel author would: the whole loop in
 * raw tfjs ops, the backward pass by hand (backpropagation through time) through `customGradient`. It exists to
 * test the hooks; it is not meant to be fast.
 */
function testSimpleRnnKernel(
  backend: TfjsBackend,
  calls: { runs: number; backends: string[] },
): TfjsFusedKernel {
  return {
    supports(args) {
      if (args.mask !== undefined) return 'the test kernel has no masks';
      if (args.recurrentMask !== undefined) return 'the test kernel has no recurrent dropout';
      const { activation } = resolveCellOptions(args.cell, args.options);
      if (activation !== 'tanh') return `the test kernel has no ${String(activation)}`;
      return undefined;
    },
    run(args: SequenceArgs<Tensor>) {
      calls.runs++;
      calls.backends.push(tf.getBackend());
      const { batch, time, dims } = checkSequenceArgs(backend, args);
      const { units, inputSize } = dims;
      const bias = args.params.bias;
      const h0 = args.initialState?.[0];
      const inputs = [args.inputs, args.params.kernel!, args.params.recurrentKernel!];
      if (bias) inputs.push(bias);
      if (h0) inputs.push(h0);
      const [output, last] = customGradient(
        {
          name: 'simpleRNN test kernel',
          forward(xs, save) {
            const [x, w, u] = xs as [Tensor, Tensor, Tensor];
            const start = h0 ? xs[xs.length - 1]! : tf.zeros([batch, units]);
            const ordered = args.goBackwards ? tf.reverse(x, 1) : x;
            let projected = tf.reshape(tf.matMul(tf.reshape(ordered, [batch * time, inputSize]), w), [
              batch,
              time,
              units,
            ]);
            if (bias) projected = tf.add(projected, xs[3]!);
            let h = start;
            const hs: Tensor[] = [];
            for (const p of tf.unstack(projected, 1)) {
              h = tf.tanh(tf.add(p, tf.matMul(h, u)));
              hs.push(h);
            }
            const all = tf.stack(hs, 1);
            save([ordered, w, u, start, all]);
            return [args.returnSequences ? all : h, h];
          },
          backward([dOutput, dState], saved) {
            const [ordered, w, u, start, all] = saved as [Tensor, Tensor, Tensor, Tensor, Tensor];
            const hs = tf.unstack(all, 1);
            const dSteps = args.returnSequences ? tf.unstack(dOutput!, 1) : undefined;
            let dh = args.returnSequences ? dState! : tf.add(dState!, dOutput!);
            let dU = tf.zerosLike(u);
            const dProjected: Tensor[] = new Array(time);
            for (let t = time - 1; t >= 0; t--) {
              if (dSteps) dh = tf.add(dh, dSteps[t]!);
              const da = tf.mul(dh, tf.sub(1, tf.square(hs[t]!)));
              dProjected[t] = da;
              dU = tf.add(dU, tf.matMul(t > 0 ? hs[t - 1]! : start, da, true, false));
              dh = tf.matMul(da, u, false, true);
            }
            const dP = tf.reshape(tf.stack(dProjected, 1), [batch * time, units]);
            const dW = tf.matMul(tf.reshape(ordered, [batch * time, inputSize]), dP, true, false);
            let dx = tf.reshape(tf.matMul(dP, w, false, true), [batch, time, inputSize]);
            if (args.goBackwards) dx = tf.reverse(dx, 1);
            return [dx, dW, dU, ...(bias ? [tf.sum(dP, 0)] : []), ...(h0 ? [dh] : [])];
          },
        },
        inputs,
      );
      return { output: output!, state: [last!] };
    },
  };
}

tf.registerBackend('cpu-twin', () => new MathBackendCPU(), 0);
for (const kernel of tf.getKernelsForBackend('cpu'))
  tf.registerKernel({ ...kernel, backendName: 'cpu-twin' });
await initTfjsBackend('cpu');
await initTfjsBackend('cpu-twin');
const calls = { runs: 0, backends: [] as string[] };
const backend = createTfjsBackend({
  name: 'cpu-fused',
  tfjsBackendName: 'cpu',
  fusedKernels: { simpleRNN: (b) => testSimpleRnnKernel(b, calls) },
});
const other = createTfjsBackend({ name: 'twin', tfjsBackendName: 'cpu-twin' });

afterEach(() => {
  setDebugLogger(undefined);
});

describe('fused kernels through createTfjsBackend', () => {
  // The conformance kit compares the fused kernel with the generic loop, forward and backward, on every variant it
  // supports, and checks that the default path (runSequence) agrees with the float64 reference.
  for (const check of cellConformanceChecks(simpleRNN, backend, {
    configs: [
      { inputSize: 3, units: 4 },
      { inputSize: 2, units: 3, options: { useBias: false } },
    ],
  })) {
    it.skipIf(check.skip !== undefined)(check.name, check.run);
  }

  it('dispatches to the kernel on its own tfjs backend, and falls back with the reason logged', () => {
    const args = {
      cell: simpleRNN,
      options: resolveCellOptions(simpleRNN, {}),
      units: 2,
      inputs: backend.fill([1, 3, 2], 0.5),
      params: {
        kernel: backend.fill([2, 2], 0.1),
        recurrentKernel: backend.fill([2, 2], 0.2),
        bias: backend.fill([2], 0),
      },
    };
    calls.runs = 0;
    calls.backends = [];
    other.activate();
    const before = backend.memory().numTensors;
    const fused = runSequence(backend, args);
    expect(calls).toEqual({ runs: 1, backends: ['cpu'] });
    backend.dispose([fused.output, ...fused.state]);
    expect(backend.memory().numTensors).toBe(before);

    const logged: string[] = [];
    setDebugLogger((topic, message) => logged.push(`${topic}: ${message}`));
    const mask = backend.fill([1, 3], 1);
    const generic = runSequence(backend, { ...args, mask });
    expect(calls.runs).toBe(1);
    expect(logged).toEqual(['fused: cpu-fused/simpleRNN: generic loop (the test kernel has no masks)']);
    expect(() => runSequence(backend, { ...args, mask }, 'require')).toThrow(
      'fused kernel required but unavailable: the test kernel has no masks',
    );
    backend.dispose([generic.output, ...generic.state, mask, args.inputs, ...Object.values(args.params)]);
  });

  it('refuses tensors of another backend before the kernel sees them', () => {
    const inputs = other.fill([1, 3, 2], 0.5);
    const params = {
      kernel: backend.fill([2, 2], 0.1),
      recurrentKernel: backend.fill([2, 2], 0.2),
      bias: backend.fill([2], 0),
    };
    calls.runs = 0;
    const kernel = backend.fusedKernels.get('simpleRNN')!;
    expect(() =>
      kernel.run({ cell: simpleRNN, options: resolveCellOptions(simpleRNN, {}), units: 2, inputs, params }),
    ).toThrow('simpleRNN inputs: expected a tensor of seqmodel backend cpu-fused');
    expect(calls.runs).toBe(0);
    tf.dispose([inputs, ...Object.values(params)]);
  });

  it('names the tensors of a kernel for every cell (*) by the cell it runs, not by *', () => {
    calls.runs = 0;
    const any = createTfjsBackend({
      name: 'cpu-any',
      tfjsBackendName: 'cpu',
      kernels: [{ kind: 'sequence', name: '*', kernel: testSimpleRnnKernel(backend, calls) }],
    });
    const kernel = any.kernels.lookup('sequence', 'simpleRNN')[0]!;
    const kernelParam = any.fill([2, 2], 0.1);
    any.dispose(kernelParam);
    const params = { kernel: kernelParam, recurrentKernel: any.fill([2, 2], 0.2), bias: any.fill([2], 0) };
    const inputs = any.fill([1, 3, 2], 0.5);
    expect(() =>
      kernel.run({ cell: simpleRNN, options: resolveCellOptions(simpleRNN, {}), units: 2, inputs, params }),
    ).toThrow(
      'simpleRNN params.kernel: expected a live tensor, received tensor [2, 2], which was already disposed',
    );
    expect(calls.runs).toBe(0);
    any.dispose([inputs, params.recurrentKernel, params.bias]);
  });

  it('frees what a kernel allocated when it throws', () => {
    const failing = createTfjsBackend({
      name: 'failing',
      tfjsBackendName: 'cpu',
      fusedKernels: {
        simpleRNN: {
          supports: () => undefined,
          run: (args) => {
            tf.mul(args.inputs, 2);
            tf.zeros([100]);
            throw new Error('kernel failure');
          },
        },
      },
    });
    const inputs = failing.fill([1, 3, 2], 0.5);
    const params = {
      kernel: failing.fill([2, 2], 0.1),
      recurrentKernel: failing.fill([2, 2], 0.2),
      bias: failing.fill([2], 0),
    };
    const before = failing.memory().numTensors;
    expect(() =>
      runSequence(failing, {
        cell: simpleRNN,
        options: resolveCellOptions(simpleRNN, {}),
        units: 2,
        inputs,
        params,
      }),
    ).toThrow('kernel failure');
    expect(failing.memory().numTensors).toBe(before);
    tf.dispose([inputs, ...Object.values(params)]);
  });

  it('guards kernels of every kind, own and registered: on its tfjs backend, tensors checked, intermediates freed', () => {
    type Args = { readonly scale: number; readonly inner: { readonly xs: Tensor[] } };
    const seen: string[] = [];
    const scaleKernel = (label: string) => ({
      supports: () => undefined,
      run: (args: Args) => {
        seen.push(`${label} on ${tf.getBackend()}`);
        tf.zeros([50]);
        return tf.mul(args.inner.xs[0]!, args.scale);
      },
    });
    const withKinds = createTfjsBackend({
      name: 'cpu-kinds',
      tfjsBackendName: 'cpu',
      kernels: [{ kind: 'test-scale', name: 'own', kernel: scaleKernel('own') }],
    });
    registerKernel({
      backend: 'cpu-kinds',
      kind: 'test-scale',
      name: 'registered',
      kernel: () => scaleKernel('registered'),
    });
    try {
      expect(withKinds.kernels.kinds()).toEqual(['test-scale']);
      expect(withKinds.kernels.names('test-scale')).toEqual(['own', 'registered']);
      const x = withKinds.tensor([1, 2]);
      for (const name of ['own', 'registered']) {
        other.activate();
        const before = withKinds.memory().numTensors;
        const args: Args = { scale: 3, inner: { xs: [x] } };
        const y = selectKernel<Tensor, Args, Tensor>(withKinds, 'test-scale', name, args, 'require')!.run(
          args,
        );
        expect(withKinds.toArray(y)).toEqual([3, 6]);
        withKinds.dispose(y);
        expect(withKinds.memory().numTensors).toBe(before);
      }
      expect(seen).toEqual(['own on cpu', 'registered on cpu']);
      const foreign = other.tensor([1, 2]);
      const args: Args = { scale: 3, inner: { xs: [x, foreign] } };
      expect(() => findKernel(withKinds, 'test-scale', 'own')!.run(args)).toThrow(
        'test-scale own args.inner.xs[1]: expected a tensor of seqmodel backend cpu-kinds',
      );
      expect(seen).toHaveLength(2);
      tf.dispose([x, foreign]);
    } finally {
      unregisterKernel({ backend: 'cpu-kinds', kind: 'test-scale', name: 'registered' });
    }
    expect(() =>
      createTfjsBackend({ name: 'bad', tfjsBackendName: 'cpu', kernels: { lstm: 1 } as never }),
    ).toThrow('createTfjsBackend(options.kernels): expected an array of kernel definitions, received object');
  });

  it('rejects a fused kernel entry that is not a kernel', () => {
    expect(() =>
      createTfjsBackend({
        name: 'bad',
        tfjsBackendName: 'cpu',
        fusedKernels: { lstm: { run: () => undefined } as unknown as TfjsFusedKernel },
      }),
    ).toThrow('fusedKernels.lstm: expected an object with supports(args) and run(args)');
  });
});

describe('customGradient', () => {
  const square = (backward: (dys: Tensor[], saved: Tensor[], xs: Tensor[]) => (Tensor | undefined)[]) =>
    backend.valueAndGrads(
      (x) => {
        const [y, z] = customGradient(
          { name: 'test op', forward: ([a]) => [tf.square(a!), tf.mul(a!, 3)], backward },
          [x!],
        );
        return backend.add(backend.sum(y!), backend.sum(z!));
      },
      [backend.tensor([1, 2])],
    );

  it('unpacks several outputs and their gradients', () => {
    const before = backend.memory().numTensors;
    const { value, grads } = square(([dy, dz], _saved, [a]) => [
      tf.add(tf.mul(dy!, tf.mul(a!, 2)), tf.mul(dz!, 3)),
    ]);
    expect(backend.dataSync(value)[0]).toBe(1 + 4 + 3 + 6);
    expect(Array.from(backend.dataSync(grads[0]!))).toEqual([2 + 3, 4 + 3]);
    backend.dispose([value, ...grads]);
    // The one tensor left is the argument made inside `square`.
    expect(backend.memory().numTensors).toBe(before + 1);
  });

  it('reads an undefined gradient as zero', () => {
    const { grads } = square(() => [undefined]);
    expect(Array.from(backend.dataSync(grads[0]!))).toEqual([0, 0]);
  });

  it('names the computation when the backward pass returns the wrong gradients', () => {
    expect(() => square(() => [])).toThrow(
      'test op backward: expected 1 gradients (one per input), received 0',
    );
    expect(() => square(() => [tf.zeros([3])])).toThrow(
      'test op backward: gradient 0: expected the shape of input 0, [2], received [3]',
    );
  });

  it('gives an output returned twice, or an input returned as an output, each use its own gradient', () => {
    const x = backend.tensor([1, 2]);
    const y = backend.tensor([3, 4]);
    const { value, grads } = backend.valueAndGrads(
      (a, b) => {
        const [first, again, same] = customGradient(
          {
            name: 'test op',
            forward: ([p, q]) => {
              const product = tf.mul(p!, q!);
              return [product, product, q!];
            },
            backward: ([d1, d2, d3], _saved, [p, q]) => [
              tf.mul(tf.add(d1!, d2!), q!),
              tf.add(tf.mul(tf.add(d1!, d2!), p!), d3!),
            ],
          },
          [a!, b!],
        );
        return backend.add(backend.add(backend.sum(first!), backend.sum(again!)), backend.sum(same!));
      },
      [x, y],
    );
    expect(backend.dataSync(value)[0]).toBe(2 * (3 + 8) + 7);
    expect(Array.from(backend.dataSync(grads[0]!))).toEqual([6, 8]);
    expect(Array.from(backend.dataSync(grads[1]!))).toEqual([3, 5]);
    backend.dispose([value, ...grads, x, y]);
  });

  it('computes a lazy gradient only for an input the value depends on', () => {
    const x = backend.tensor([1, 2]);
    const constant = backend.tensor([5, 6]);
    const called: string[] = [];
    const { value, grads } = backend.valueAndGrads(
      (a) => {
        const [out] = customGradient(
          {
            name: 'test op',
            forward: ([p, q]) => [tf.mul(p!, q!)],
            backward: ([d], _saved, [p, q]) => [
              () => {
                called.push('x');
                return tf.mul(d!, q!);
              },
              () => {
                called.push('constant');
                return tf.mul(d!, p!);
              },
            ],
          },
          [a!, constant],
        );
        return backend.sum(out!);
      },
      [x],
    );
    expect(called).toEqual(['x']);
    expect(Array.from(backend.dataSync(grads[0]!))).toEqual([5, 6]);
    backend.dispose([value, ...grads, x, constant]);
  });

  it('runs only the forward pass outside a gradient computation', () => {
    const x = backend.tensor([1, 2]);
    const before = backend.memory().numTensors;
    const outputs = customGradient(
      {
        name: 'test op',
        forward: ([a]) => [tf.square(a!), tf.exp(tf.neg(a!))],
        backward: () => {
          throw new Error('not called');
        },
      },
      [x],
    );
    expect(outputs.map((o) => o.shape)).toEqual([[2], [2]]);
    expect(backend.memory().numTensors).toBe(before + 2);
    tf.dispose([x, ...outputs]);
  });
});
