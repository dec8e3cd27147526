/**
 * A forward pass with a hand-written backward pass, for fused kernels. `tf.customGrad` allows one output only,
 * computes every input's gradient whether it is needed or not, and reports mistakes in the backward pass vaguely;
 * {@link customGradient} takes any number of outputs, computes a gradient only for the inputs the differentiated
 * value depends on (an entry may be a function, called only then), fills gradients left undefined with zeros, and
 * checks every gradient's shape, naming the computation and the input.
 *
 * It records the computation on tfjs's tape through `engine.runKernelFunc`, the entry point `tf.customGrad` itself
 * uses (private in tfjs-core 4.22's typings, public at run time; the `customGradient` tests in
 * `fused-kernels.test.ts` guard it): one tape node with several outputs, whose gradient function returns one
 * function per input.
 */
import { formatShape, invalidArgument, SeqmodelError, shapesEqual } from '@seqmodel/core';
import * as tf from '@tensorflow/tfjs-core';

type Tensor = tf.Tensor;

/** A gradient as `backward` may return it: a tensor, a function computing it on demand, or undefined (zero). */
export type GradientEntry = Tensor | (() => Tensor) | undefined;

export interface CustomGradientSpec {
  /** Names the computation in error messages, e.g. `lstm fused kernel`. */
  readonly name: string;
  /**
   * The outputs (float32) from the inputs. Tensors passed to `save` are kept for `backward`; everything else the
   * forward pass allocates besides its outputs is freed. `context.recordsGradient` says whether `backward` may be
   * called (false outside a gradient computation), so that the forward pass can skip keeping what only the
   * backward pass needs.
   */
  forward(
    inputs: Tensor[],
    save: (tensors: Tensor[]) => void,
    context: { readonly recordsGradient: boolean },
  ): Tensor[];
  /**
   * The gradient of each input given the gradient of each output (`dys[i]` has the shape of output `i`; an
   * output the loss does not use gets zeros). Return one entry per input, with that input's shape: a tensor, a
   * function returning one (called only when that input's gradient is needed), or `undefined` for zero.
   * Intermediates are freed.
   */
  backward(dys: Tensor[], saved: Tensor[], inputs: Tensor[]): GradientEntry[];
}

/** What customGradient uses of tfjs-core's engine (see the module comment). */
interface KernelFuncEngine {
  runKernelFunc(params: {
    forwardFunc: (backend: tf.KernelBackend, save: tf.GradSaveFunc) => Tensor | Tensor[];
    backwardsFunc: (dy: Tensor | Tensor[], saved: Tensor[]) => Record<string, () => Tensor>;
    inputs: Record<string, Tensor>;
  }): Tensor | Tensor[];
}

/**
 * Runs `spec.forward(inputs)` so that autodiff (`valueAndGrads`) differentiates it with `spec.backward`. Outside a
 * gradient computation it simply runs the forward pass. Runs on tfjs's current backend: call it from a fused
 * kernel, which its seqmodel backend has already activated.
 */
export function customGradient(spec: CustomGradientSpec, inputs: readonly Tensor[]): Tensor[] {
  if (!inputs.every((x) => x instanceof tf.Tensor)) {
    invalidArgument(`${spec.name} inputs`, inputs, 'an array of tensors');
  }
  const xs = [...inputs];
  const engine = tf.engine();
  if (!engine.isTapeOn()) {
    return tf.tidy(() =>
      checkOutputs(
        spec.name,
        spec.forward(xs, () => undefined, { recordsGradient: false }),
      ),
    );
  }
  const runner = engine as unknown as Partial<KernelFuncEngine>;
  if (typeof runner.runKernelFunc !== 'function') {
    throw new SeqmodelError(
      `${spec.name}: tfjs-core's engine has no runKernelFunc (seqmodel's custom gradients need tfjs-core 4.22)`,
    );
  }
  const result = runner.runKernelFunc({
    forwardFunc: (_backend, save) =>
      distinct(
        checkOutputs(
          spec.name,
          spec.forward(xs, (tensors) => save(tensors), { recordsGradient: true }),
        ),
        xs,
      ),
    backwardsFunc: (dy, saved) => {
      const grads = checkGradientCount(
        spec.name,
        spec.backward(Array.isArray(dy) ? dy : [dy], saved, xs),
        xs,
      );
      const byInput: Record<string, () => Tensor> = {};
      xs.forEach((x, i) => {
        byInput[i] = () => checkGradient(spec.name, grads[i], x, i);
      });
      return byInput;
    },
    inputs: Object.fromEntries(xs.map((x, i) => [String(i), x])),
  });
  return Array.isArray(result) ? result : [result];
}

function checkOutputs(name: string, outputs: unknown): Tensor[] {
  if (!Array.isArray(outputs) || outputs.length === 0 || !outputs.every((o) => o instanceof tf.Tensor)) {
    invalidArgument(`${name} forward`, outputs, 'a non-empty array of tensors');
  }
  outputs.forEach((o: Tensor, i) => {
    if (o.dtype !== 'float32') {
      throw new SeqmodelError(`${name} forward: expected float32 outputs, received ${o.dtype} output ${i}`);
    }
  });
  return outputs;
}

/**
 * The outputs, each a tensor of its own: tfjs accumulates gradients by tensor, so an output returned twice (a last
 * step that is also the final state) or an input returned as an output would receive the sum of its gradients at
 * each place. A clone shares the data.
 */
function distinct(outputs: Tensor[], inputs: readonly Tensor[]): Tensor[] {
  const seen = new Set<Tensor>(inputs);
  return outputs.map((o) => {
    if (!seen.has(o)) {
      seen.add(o);
      return o;
    }
    return tf.clone(o);
  });
}

function checkGradientCount(name: string, grads: unknown, inputs: readonly Tensor[]): GradientEntry[] {
  if (!Array.isArray(grads) || grads.length !== inputs.length) {
    throw new SeqmodelError(
      `${name} backward: expected ${inputs.length} gradients (one per input), received ` +
        (Array.isArray(grads) ? `${grads.length}` : typeof grads),
    );
  }
  return grads;
}

function checkGradient(name: string, entry: GradientEntry, x: Tensor, i: number): Tensor {
  const g: unknown = typeof entry === 'function' ? entry() : entry;
  if (g === undefined) return tf.zerosLike(x);
  if (!(g instanceof tf.Tensor))
    invalidArgument(`${name} backward: gradient ${i}`, g, 'a tensor or undefined');
  if (!shapesEqual(g.shape, x.shape)) {
    throw new SeqmodelError(
      `${name} backward: gradient ${i}: expected the shape of input ${i}, ${formatShape(x.shape)}, received ` +
        formatShape(g.shape),
    );
  }
  return g;
}
