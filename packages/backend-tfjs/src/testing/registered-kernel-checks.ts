/**
 * Checks that a package which is not the backend's can give it fused kernels with core's `registerKernel`, as
 * `@seqmodel/attention` will for its attention kernels and a compiled plugin cell for its `sequence` kernel: the
 * kernels here play that package (written only with what `@seqmodel/core` and `@seqmodel/backend-tfjs` export),
 * are registered for the backend's name after the backend was made, and must then be the ones that run; arguments
 * they decline run the generic path (or throw with `require`), and once unregistered they are gone. Fused and
 * generic results agree within atol 1e-5, rtol 1e-4 (outputs) and the same for gradients (both float32).
 */
import {
  type AnyFusedKernel,
  type Backend,
  type FusedKernel,
  type FusedPolicy,
  findKernel,
  registerKernel,
  runSequence,
  SeqmodelError,
  type SequenceArgs,
  scanCell,
  selectKernel,
  softmax,
  unregisterKernel,
} from '@seqmodel/core';
import {
  assertClose,
  type ConformanceCheck,
  cellConformanceChecks,
  checkNoLeak,
  readAll,
  type Tolerance,
} from '@seqmodel/core/testing';
import * as tf from '@tensorflow/tfjs-core';
import { javascriptGenerator } from '../fused/compiled/javascript-generator.js';
import { compiledSequenceKernel } from '../fused/compiled-sequence-kernels.js';
import { JsGemm } from '../fused/js-gemm.js';
import type { TfjsBackend, TfjsFusedKernel } from '../tfjs-backend.js';
import { expectSeqmodelError } from './bad-input-checks.js';
import { leakyRnn } from './leaky-rnn.js';

const tolerance: Tolerance = { atol: 1e-5, rtol: 1e-4 };

/** The test attention's arguments: `[batch, tq, d]` queries against `[batch, tk, d]` keys and `[batch, tk, dv]` values. */
interface AttentionArgs<T> {
  readonly query: T;
  readonly key: T;
  readonly value: T;
  /** `[batch, tq, tk]`, 1 where a query may attend. The test kernel declines it. */
  readonly mask?: T;
}

const attentionName = 'testDotProduct';

/** The generic path, on the backend's ops: softmax(q·kᵀ / √d + (mask − 1)·1e9)·v. */
function genericAttention<T>(b: Backend<T>, args: AttentionArgs<T>): T {
  return b.tidy(() => {
    const d = b.shape(args.query)[2]!;
    let scores = b.mul(b.matMul(args.query, args.key, false, true), 1 / Math.sqrt(d));
    if (args.mask) scores = b.add(scores, b.mul(b.sub(args.mask, 1), 1e9));
    return b.matMul(softmax(b, scores), args.value);
  });
}

/** What the attention package's layer does: the backend's kernel when one supports the arguments, else generic. */
function attention<T>(b: Backend<T>, args: AttentionArgs<T>, policy: FusedPolicy = 'auto'): T {
  const kernel = selectKernel<T, AttentionArgs<T>, T>(b, 'attention', attentionName, args, policy);
  return kernel ? kernel.run(args) : genericAttention(b, args);
}

/** The package's fused kernel for tfjs backends: the whole product in tfjs ops (differentiable by tfjs). */
function tfjsAttentionKernel(runs: string[]): FusedKernel<AttentionArgs<tf.Tensor>, tf.Tensor> {
  return {
    supports: (args) => (args.mask === undefined ? undefined : 'the test attention kernel takes no mask'),
    run: (args) => {
      runs.push('attention');
      const d = args.query.shape[2]!;
      return tf.matMul(
        tf.softmax(tf.mul(tf.matMul(args.query, args.key, false, true), 1 / Math.sqrt(d))),
        args.value,
      );
    },
  };
}

function attentionArgs<T>(b: Backend<T>, masked: boolean): AttentionArgs<T> {
  const values = (shape: number[], seed: number) =>
    b.tensor(
      Float32Array.from({ length: shape.reduce((x, y) => x * y, 1) }, (_, i) => Math.sin(seed + 0.7 * i)),
      shape,
    );
  return {
    query: values([2, 3, 4], 1),
    key: values([2, 5, 4], 2),
    value: values([2, 5, 3], 3),
    ...(masked
      ? {
          mask: b.tensor(
            Float32Array.from({ length: 30 }, (_, i) => (i % 4 === 3 ? 0 : 1)),
            [2, 3, 5],
          ),
        }
      : {}),
  };
}

/** Output and the gradients of a weighted sum with respect to query, key and value. */
function attentionValues<T>(b: Backend<T>, args: AttentionArgs<T>, policy: FusedPolicy): Float32Array[] {
  const weights = b.tensor(
    Float32Array.from({ length: 18 }, (_, i) => Math.cos(i)),
    [2, 3, 3],
  );
  const output = attention(b, args, policy);
  const { value, grads } = b.valueAndGrads!(
    (q, k, v) => b.sum(b.mul(attention(b, { ...args, query: q!, key: k!, value: v! }, policy), weights)),
    [args.query, args.key, args.value],
  );
  const out = readAll(b, [output, ...grads]).map((t) => Float32Array.from(t));
  b.dispose([weights, output, value, ...grads]);
  return out;
}

function disposeArgs<T>(b: Backend<T>, args: AttentionArgs<T> | SequenceArgs<T>): void {
  b.dispose(Object.values(args).filter((v) => b.isTensor(v)) as T[]);
}

/** Registers `kernel` for the backend's name while `fn` runs. */
async function withRegistered<T>(
  backend: Backend<T>,
  kind: string,
  name: string,
  kernel: (b: TfjsBackend) => AnyFusedKernel,
  fn: () => void | Promise<void>,
): Promise<void> {
  registerKernel<TfjsBackend>({ backend: backend.name, kind, name, kernel });
  try {
    await fn();
  } finally {
    unregisterKernel({ backend: backend.name, kind, name });
  }
}

/** `fn` on fresh attention arguments while the test attention kernel is registered; `runs` records its runs. */
function withAttentionKernel<T>(
  backend: Backend<T>,
  masked: boolean,
  fn: (args: AttentionArgs<T>, runs: readonly string[]) => void,
): Promise<void> {
  const runs: string[] = [];
  return withRegistered(
    backend,
    'attention',
    attentionName,
    () => tfjsAttentionKernel(runs),
    () => {
      const args = attentionArgs(backend, masked);
      try {
        fn(args, runs);
      } finally {
        disposeArgs(backend, args);
      }
    },
  );
}

function leakyArgs<T>(b: Backend<T>, options: Record<string, unknown> = {}): SequenceArgs<T> {
  const params = {
    kernel: b.tensor(
      Float32Array.from({ length: 12 }, (_, i) => Math.sin(i) / 2),
      [3, 4],
    ),
    recurrentKernel: b.tensor(
      Float32Array.from({ length: 16 }, (_, i) => Math.cos(i) / 3),
      [4, 4],
    ),
    bias: b.tensor([0.1, -0.2, 0.05, 0.3]),
  };
  return {
    cell: leakyRnn,
    options: { leak: 0.3, ...options },
    units: 4,
    inputs: b.tensor(
      Float32Array.from({ length: 2 * 5 * 3 }, (_, i) => Math.sin(0.3 * i)),
      [2, 5, 3],
    ),
    params,
    returnSequences: true,
  };
}

/**
 * `fn` on fresh leaky RNN arguments (`options` over the defaults) while a compiled kernel is registered as the leaky RNN's
 * own `sequence` kernel (tried before the backend's kernel for every cell); `runs` records its runs.
 */
function withLeakyKernel<T>(
  backend: Backend<T>,
  options: Record<string, unknown>,
  fn: (args: SequenceArgs<T>, runs: readonly string[]) => void | Promise<void>,
): Promise<void> {
  const runs: string[] = [];
  const kernel = (b: TfjsBackend): TfjsFusedKernel => {
    const fused = compiledSequenceKernel(b, { gemm: new JsGemm(), generator: javascriptGenerator });
    return {
      supports: (a) => fused.supports(a),
      run: (a) => {
        runs.push('sequence');
        return fused.run(a);
      },
    };
  };
  return withRegistered(backend, 'sequence', leakyRnn.name, kernel, async () => {
    const args = leakyArgs(backend, options);
    try {
      await fn(args, runs);
    } finally {
      disposeArgs(backend, args);
      backend.dispose(Object.values(args.params));
    }
  });
}

/** `runSequence` with `policy` against the generic loop: outputs within `within`. */
function compareWithGeneric<T>(
  backend: Backend<T>,
  what: string,
  args: SequenceArgs<T>,
  policy: FusedPolicy,
  within: Tolerance,
): void {
  const viaRun = runSequence(backend, args, policy);
  const generic = scanCell(backend, args);
  try {
    const [actual, expected] = readAll(backend, [viaRun.output, generic.output]);
    assertClose(what, actual!, expected!, within);
  } finally {
    backend.dispose([viaRun.output, ...viaRun.state, generic.output, ...generic.state]);
  }
}

function expectRuns(what: string, runs: readonly string[], count: number): void {
  if (runs.length !== count) {
    throw new SeqmodelError(
      `${what}: expected the registered kernel to run ${count} times, it ran ${runs.length}`,
    );
  }
}

const exactly: Tolerance = { atol: 0, rtol: 0 };

/** Every check; skipped for a backend without a kernel table. */
export function registeredKernelChecks<T>(backend: Backend<T>): ConformanceCheck[] {
  const label = `kernels registered from outside on ${backend.name}`;
  const skip = backend.kernels ? {} : { skip: `backend ${backend.name} has no kernel table` };
  return [
    {
      name: `${label}: an attention kernel runs in place of the generic path, with the same values and gradients`,
      ...skip,
      async run() {
        await withAttentionKernel(backend, false, (args, runs) => {
          const generic = attentionValues(backend, args, 'never');
          checkNoLeak(backend, `${label}: fused attention`, () => {
            attentionValues(backend, args, 'require').forEach((values, i) => {
              const what = i === 0 ? 'output' : `d loss / d ${['query', 'key', 'value'][i - 1]}`;
              assertClose(`${label}: attention ${what}`, values, generic[i]!, tolerance);
            });
          });
          // The forward pass and the one inside valueAndGrads.
          expectRuns(`${label}: attention`, runs, 2);
        });
        if (findKernel(backend, 'attention', attentionName) !== undefined) {
          throw new SeqmodelError(`${label}: the attention kernel is still there after unregisterKernel`);
        }
      },
    },
    {
      name: `${label}: arguments the attention kernel declines run the generic path, or throw when it is required`,
      ...skip,
      run: () =>
        withAttentionKernel(backend, true, (args, runs) => {
          const out = attention(backend, args);
          const generic = genericAttention(backend, args);
          const [actual, expected] = readAll(backend, [out, generic]);
          backend.dispose([out, generic]);
          assertClose(`${label}: masked attention`, actual!, expected!, exactly);
          expectSeqmodelError(`${label}: required`, () => attention(backend, args, 'require'), [
            'fused kernel required but unavailable: the test attention kernel takes no mask',
          ]);
          expectRuns(`${label}: declined attention`, runs, 0);
        }),
    },
    {
      name: `${label}: a plugin cell's sequence kernel runs in place of the generic loop and passes the cell kit`,
      ...skip,
      run: () =>
        withLeakyKernel(backend, {}, async (args, runs) => {
          compareWithGeneric(backend, `${label}: ${leakyRnn.name} output`, args, 'require', tolerance);
          expectRuns(`${label}: ${leakyRnn.name}`, runs, 1);
          // The cell kit compares the fused kernel with the generic loop, forward and gradients, in several variants.
          const checks = cellConformanceChecks(leakyRnn, backend, {
            configs: [
              { inputSize: 3, units: 5 },
              { inputSize: 2, units: 3, options: { activation: 'relu', leak: 0.8 } },
            ],
          });
          const fusedChecks = checks.filter((c) => c.name.includes('fused kernel matches the generic loop'));
          if (fusedChecks.length === 0 || fusedChecks.some((c) => c.skip !== undefined)) {
            throw new SeqmodelError(
              `${label}: the cell kit did not find the registered kernel (${fusedChecks.map((c) => c.skip).join('; ')})`,
            );
          }
          for (const check of checks) if (check.skip === undefined) await check.run();
        }),
    },
    {
      name: `${label}: options the plugin cell's kernel declines run the generic loop, or throw when it is required`,
      ...skip,
      run: () =>
        withLeakyKernel(backend, { activation: 'softmax' }, (args, runs) => {
          compareWithGeneric(backend, `${label}: softmax leaky RNN`, args, 'auto', exactly);
          expectSeqmodelError(`${label}: required`, () => runSequence(backend, args, 'require'), [
            'fused kernel required but unavailable: testLeakyRNN not compiled: step: max(...)',
          ]);
          expectRuns(`${label}: declined ${leakyRnn.name}`, runs, 0);
        }),
    },
  ];
}
