/**
 * A forward pass with a hand-written backward pass, for fused kernels. `tf.customGrad` allows one output only and
 * reports mistakes in the backward pass vaguely; {@link customGradient} takes any number of outputs (packing them
 * into one tensor for tfjs and unpacking them differentiably), fills gradients left undefined with zeros, and checks
 * every gradient's shape, naming the computation and the input.
 */
import { formatShape, invalidArgument, SeqmodelError, sizeOfShape } from '@seqmodel/core';
import * as tf from '@tensorflow/tfjs-core';

type Tensor = tf.Tensor;

export interface CustomGradientSpec {
  /** Names the computation in error messages, e.g. `lstm fused kernel`. */
  readonly name: string;
  /**
   * The outputs (float32) from the inputs. Tensors passed to `save` are kept for `backward`; everything else the
   * forward pass allocates besides its outputs is freed.
   */
  forward(inputs: Tensor[], save: (tensors: Tensor[]) => void): Tensor[];
  /**
   * The gradient of each input given the gradient of each output (`dys[i]` has the shape of output `i`; an
   * output the loss does not use gets zeros). Return one entry per input, with that input's shape; `undefined`
   * means zero. Intermediates are freed.
   */
  backward(dys: Tensor[], saved: Tensor[], inputs: Tensor[]): (Tensor | undefined)[];
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
  if (!tf.engine().isTapeOn())
    return tf.tidy(() =>
      checkOutputs(
        spec.name,
        spec.forward(xs, () => undefined),
      ),
    );

  let shapes: number[][] = [];
  const packed = tf.customGrad((...args: (Tensor | tf.GradSaveFunc)[]) => {
    const tfjsSave = args[args.length - 1] as tf.GradSaveFunc;
    let saved: Tensor[] = [];
    const outputs = checkOutputs(
      spec.name,
      spec.forward(xs, (tensors) => {
        saved = [...tensors];
      }),
    );
    tfjsSave(saved);
    shapes = outputs.map((o) => o.shape);
    const value = outputs.length === 1 ? outputs[0]! : tf.concat(outputs.map((o) => tf.reshape(o, [-1])));
    return {
      value,
      gradFunc: (dy: Tensor | Tensor[], savedTensors: Tensor[]) => {
        const flat = Array.isArray(dy) ? dy[0]! : dy;
        const dys =
          shapes.length === 1
            ? [flat]
            : tf.split(flat, shapes.map(sizeOfShape)).map((d, i) => tf.reshape(d, shapes[i]!));
        return checkGradients(spec.name, spec.backward(dys, savedTensors, xs), xs);
      },
    };
  })(...xs);
  if (shapes.length === 1) return [packed];
  return tf.tidy(() =>
    tf.split(packed, shapes.map(sizeOfShape)).map((part, i) => tf.reshape(part, shapes[i]!)),
  );
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

function checkGradients(name: string, grads: unknown, inputs: readonly Tensor[]): Tensor[] {
  if (!Array.isArray(grads) || grads.length !== inputs.length) {
    throw new SeqmodelError(
      `${name} backward: expected ${inputs.length} gradients (one per input), received ` +
        (Array.isArray(grads) ? `${grads.length}` : typeof grads),
    );
  }
  return grads.map((g: unknown, i) => {
    const x = inputs[i]!;
    if (g === undefined) return tf.zerosLike(x);
    if (!(g instanceof tf.Tensor))
      invalidArgument(`${name} backward: gradient ${i}`, g, 'a tensor or undefined');
    if (g.shape.length !== x.shape.length || g.shape.some((d: number, k: number) => d !== x.shape[k])) {
      throw new SeqmodelError(
        `${name} backward: gradient ${i}: expected the shape of input ${i}, ${formatShape(x.shape)}, received ` +
          formatShape(g.shape),
      );
    }
    return g;
  });
}
