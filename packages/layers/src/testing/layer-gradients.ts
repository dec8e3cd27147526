/**
 * Gradients for the layer conformance kit. The loss is `Σ_k Σ output_k · R_k` with fixed seeded weights `R_k`, so its
 * gradient reaches every input, initial state and trainable weight an output depends on. The backend's autodiff
 * (`valueAndGrads`, weights substituted through the call context) is compared with central finite differences of the
 * same loss on the float64 reference backend, where the layer is built with the same seed and so has the same
 * weights. Training mode with a fixed call seed: dropout masks are drawn host-side, so both sides use the same ones.
 */
import {
  type Backend,
  createReferenceBackend,
  createRng,
  type RefTensor,
  SeqmodelError,
} from '@seqmodel/core';
import { CallContext } from '../engine/context.js';
import { commitStatefulStates, type Layer } from '../engine/layer.js';
import type { LayerWeight } from '../engine/weight.js';
import {
  buildLayer,
  type CallMode,
  callTensors,
  type HostCall,
  type HostTensor,
  type LayerConformanceCase,
  readBack,
  runLayer,
  toTensor,
} from './layer-case.js';

/** Something the loss is differentiated with respect to. */
export interface GradientTarget {
  readonly name: string;
  readonly values: Float64Array;
  readonly shape: readonly number[];
}

/** Float inputs, initial states, then trainable weights (int32 inputs such as token ids have no gradient). */
export function gradientTargets<T>(layer: Layer, backend: Backend<T>, call: HostCall): GradientTarget[] {
  return [
    ...call.inputs.flatMap((x, i) =>
      x.dtype === 'float32' ? [{ name: `inputs[${i}]`, values: x.values, shape: x.shape }] : [],
    ),
    ...call.initialState.map((s, i) => ({ name: `initialState[${i}]`, values: s.values, shape: s.shape })),
    ...layer.trainableWeights.map((w) => ({
      name: `weight ${w.name}`,
      values: readBack(backend, w.read<T>()),
      shape: w.shape,
    })),
  ];
}

/** Whether the call has anything to differentiate: a float input, an initial state or a trainable weight. */
export function hasGradientTargets(layer: Layer, call: HostCall): boolean {
  return (
    call.inputs.some((x) => x.dtype === 'float32') ||
    call.initialState.length > 0 ||
    layer.trainableWeights.length > 0
  );
}

/** The call with the float inputs and initial states replaced by the first target values. */
function substitute(call: HostCall, values: readonly Float64Array[]): HostCall {
  let k = 0;
  const next = (h: HostTensor): HostTensor => ({ ...h, values: values[k++]! });
  return {
    inputs: call.inputs.map((x) => (x.dtype === 'float32' ? next(x) : x)),
    masks: call.masks,
    initialState: call.initialState.map(next),
  };
}

/** Seeded loss weights, one array per output. */
export function lossWeights(outputs: readonly HostTensor[], seed: number): HostTensor[] {
  const rng = createRng(seed).fork('loss');
  return outputs.map((y, k) => {
    const r = rng.fork(k);
    return { ...y, values: Float64Array.from(y.values, () => Math.fround(r.normal())) };
  });
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

/**
 * Gradients by central differences on the float64 reference. Step 1e-6: truncation error ~h²·f''' ≈ 1e-12 and
 * cancellation ~1e-16/h ≈ 1e-10 for losses of order 1, both far below the float32 autodiff error they are compared
 * with.
 */
export function finiteDifferenceGradients(
  testCase: LayerConformanceCase,
  seed: number,
  call: HostCall,
  mode: CallMode,
  r: readonly HostTensor[],
): { targets: GradientTarget[]; grads: Float64Array[] } {
  const ref = createReferenceBackend();
  const layer = buildLayer(testCase, ref, seed);
  try {
    const targets = gradientTargets(layer, ref, call);
    const weights = layer.trainableWeights;
    const dataCount = targets.length - weights.length;
    const loss = (values: Float64Array[]) => {
      const overrides = new Map<LayerWeight, RefTensor>(
        weights.map((w, i) => [w, ref.tensor(values[dataCount + i]!, [...w.shape])]),
      );
      try {
        const { outputs } = runLayer(layer, ref, substitute(call, values), mode, { overrides });
        if (outputs.length !== r.length) {
          throw new SeqmodelError(
            `${layer.describe()}: ${outputs.length} outputs on the reference backend, ${r.length} on the checked one`,
          );
        }
        return outputs.reduce((s, y, k) => s + dot(y.values, r[k]!.values), 0);
      } finally {
        ref.dispose([...overrides.values()]);
      }
    };
    const h = 1e-6;
    const current = targets.map((t) => t.values);
    const grads = targets.map((target, j) => {
      const grad = new Float64Array(target.values.length);
      for (let i = 0; i < grad.length; i++) {
        const plus = current.slice();
        const minus = current.slice();
        plus[j] = target.values.slice();
        minus[j] = target.values.slice();
        plus[j]![i]! += h;
        minus[j]![i]! -= h;
        grad[i] = (loss(plus) - loss(minus)) / (2 * h);
      }
      return grad;
    });
    return { targets, grads };
  } finally {
    layer.dispose();
  }
}

/**
 * The same gradients by the backend's autodiff. Returns the value and gradient tensors, which the caller frees
 * (the leak check measures this call as a whole).
 */
export function autodiffGradients<T>(
  layer: Layer,
  backend: Backend<T>,
  call: HostCall,
  mode: CallMode,
  r: readonly HostTensor[],
): { value: T; grads: T[] } {
  if (!backend.valueAndGrads) throw new SeqmodelError(`backend ${backend.name} has no valueAndGrads`);
  const targets = gradientTargets(layer, backend, call);
  const weights = layer.trainableWeights;
  const dataCount = targets.length - weights.length;
  const tensors = callTensors(backend, call);
  const floatInputs = tensors.inputs.filter((_, i) => call.inputs[i]!.dtype === 'float32');
  const rs = r.map((h) => toTensor(backend, h));
  let ctx: CallContext<T> | undefined;
  try {
    return backend.valueAndGrads(
      (...xs) => {
        let k = 0;
        const inputs = tensors.inputs.map((x, i) => (call.inputs[i]!.dtype === 'float32' ? xs[k++]! : x));
        const initialState = xs.slice(k, dataCount);
        ctx = new CallContext<T>({
          backend,
          training: mode.training,
          rng: createRng(mode.rngSeed),
          overrides: new Map(weights.map((w, i) => [w, xs[dataCount + i]!])),
        });
        const { outputs } = layer.invoke(ctx, inputs, {
          masks: tensors.masks,
          ...(initialState.length > 0 ? { initialState } : {}),
        });
        if (outputs.length !== rs.length) {
          throw new SeqmodelError(
            `${layer.describe()}: ${outputs.length} outputs in the gradient pass, ${rs.length} in the plain call`,
          );
        }
        return outputs.reduce<T | undefined>((loss, y, i) => {
          const term = backend.sum(backend.mul(y, rs[i]!));
          return loss === undefined ? term : backend.add(loss, term);
        }, undefined)!;
      },
      [...floatInputs, ...tensors.initialState, ...weights.map((w) => w.read<T>())],
    );
  } finally {
    if (ctx !== undefined) {
      // A gradient pass leaves the layer as it was: recorded states and moving statistics are dropped.
      commitStatefulStates(backend, ctx.recordedStates(), false);
      ctx.commitWeightUpdates(false);
    }
    backend.dispose(rs);
    tensors.dispose();
  }
}
