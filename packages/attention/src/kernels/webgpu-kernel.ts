/**
 * The `attention` / `scaledDotProduct` fused kernel on tfjs-backend-webgpu: the FlashAttention forward pass and
 * FlashAttention-2 backward pass as WGSL compute programs (`webgpu-programs.ts`), run with the WebGPU backend's
 * `runWebGPUProgram` and differentiable through `@seqmodel/backend-tfjs`'s `customGradient`. The forward pass
 * keeps, besides its output, one log-sum-exp per query row (beside the output rows, `[rows, dv + 1]`), so training
 * holds O(T·d) per head, never the T x T weights.
 *
 * Launches: inference 1 program; with gradients recorded, the forward program and a slice, and for the backward
 * pass a per-row statistics program, dQ, dK/dV (one program, side by side) and two slices.
 *
 * It declines `returnWeights` (the T x T matrix it exists to avoid), tensors other than float32 (the dropout keep
 * mask included), empty sequences, a scale that is not a finite float32, depths beyond what its programs keep per
 * invocation and dispatches beyond WebGPU's limits, each with the reason; the generic path then runs. Masks of any
 * broadcastable shape, both causal alignments, grouped key/value heads and dropout are supported.
 */
import { customGradient, type TfjsBackend } from '@seqmodel/backend-tfjs';
import { SeqmodelError } from '@seqmodel/core';
import * as tf from '@tensorflow/tfjs-core';
import type { ScaledDotProductKernel, ScaledDotProductKernelArgs } from '../functional/kernel.js';
import { attentionShape, maskStrides } from './flash-kernel.js';
import {
  forwardProgram,
  keyValueGradientProgram,
  queryGradientProgram,
  statsProgram,
  type WgslFlashProblem,
  type WgslProgram,
  wgslFlashUnsupported,
} from './webgpu-programs.js';

type Tensor = tf.Tensor;

/** What the kernel uses of tfjs-backend-webgpu 4.22's `WebGPUBackend`. */
interface WebgpuProgramBackend {
  runWebGPUProgram(program: WgslProgram, inputs: tf.TensorInfo[], outputDtype: 'float32'): tf.TensorInfo;
}

function webgpuInstance(tfjsBackendName: string): WebgpuProgramBackend | undefined {
  const instance = tf
    .engine()
    .findBackend(tfjsBackendName) as unknown as Partial<WebgpuProgramBackend> | null;
  return typeof instance?.runWebGPUProgram === 'function' ? (instance as WebgpuProgramBackend) : undefined;
}

function problemOf(args: ScaledDotProductKernelArgs<Tensor>): WgslFlashProblem {
  return {
    ...attentionShape(args),
    maskStrides: args.mask === undefined ? undefined : maskStrides(args.mask.shape),
    dropout: args.dropoutKeep !== undefined,
  };
}

/** The flash attention kernel for a seqmodel backend on tfjs-backend-webgpu. */
export function webgpuFlashKernel(backend: TfjsBackend): ScaledDotProductKernel<Tensor> {
  const tfjsName = backend.tfjsBackendName;
  const name = `flash attention (WGSL) on ${backend.name}`;
  const launch = (program: WgslProgram, inputs: readonly Tensor[]): Tensor => {
    const instance = webgpuInstance(tfjsName);
    if (instance === undefined) {
      throw new SeqmodelError(
        `${name}: tfjs backend ${tfjsName} has no runWebGPUProgram (not tfjs-backend-webgpu)`,
      );
    }
    // A copy per launch: tfjs rewrites the program's shaderKey and dispatch.
    return tf
      .engine()
      .makeTensorFromTensorInfo(instance.runWebGPUProgram({ ...program }, [...inputs], 'float32'));
  };
  return {
    supports(args) {
      if (args.returnWeights) {
        return `${name}: never forms the Tq x Tk weights that returnWeights asks for (the generic path returns them)`;
      }
      const tensors = {
        query: args.query,
        key: args.key,
        value: args.value,
        mask: args.mask,
        dropoutKeep: args.dropoutKeep,
      };
      for (const [argument, x] of Object.entries(tensors)) {
        if (x !== undefined && x.dtype !== 'float32')
          return `${name}: ${argument} is ${x.dtype}, not float32`;
      }
      if (!Number.isFinite(Math.fround(args.scale))) {
        return `${name}: scale ${args.scale} is not a finite float32 (its programs take it as a WGSL constant)`;
      }
      if (webgpuInstance(tfjsName) === undefined) {
        return `${name}: tfjs backend ${tfjsName} is not tfjs-backend-webgpu (it has no runWebGPUProgram)`;
      }
      const p = problemOf(args);
      if ([p.batch, p.heads, p.queryLength, p.keyLength, p.depth, p.valueDepth].includes(0)) {
        return `${name}: a size of query [${args.query.shape}], key [${args.key.shape}] or value [${args.value.shape}] is 0`;
      }
      const reason = wgslFlashUnsupported(p);
      return reason === undefined ? undefined : `${name}: ${reason}`;
    },
    run(args) {
      const reason = this.supports(args);
      if (reason !== undefined) throw new SeqmodelError(reason);
      const p = problemOf(args);
      const { batch, heads, keyHeads, queryLength, keyLength, depth, valueDepth } = p;
      const rows = batch * heads * queryLength;
      const keyRows = batch * keyHeads * keyLength;
      const constants = [args.mask, args.dropoutKeep].filter((x): x is Tensor => x !== undefined);
      const outShape = [batch, heads, queryLength, valueDepth];
      const [output] = customGradient(
        {
          name,
          forward: ([q, k, v], save, { recordsGradient }) => {
            if (!recordsGradient) {
              // customGradient runs this in a tidy: the flat result is freed.
              return [tf.reshape(launch(forwardProgram(p, false), [q!, k!, v!, ...constants]), outShape)];
            }
            // The output rows with each row's log-sum-exp after them; the log-sum-exp part is an output too (the
            // caller drops it), so that tfjs counts it as one: its per-kernel leak check (IS_TEST) takes any other
            // new tensor for a leak.
            const packed = launch(forwardProgram(p, true), [q!, k!, v!, ...constants]);
            const rowsOnly = tf.slice(packed, [0, 0], [rows, valueDepth]);
            const out = tf.reshape(rowsOnly, outShape);
            rowsOnly.dispose();
            // The inputs and masks may be intermediates of the calling scope, freed before the backward pass.
            save([q!, k!, v!, packed, ...constants]);
            return [out, packed];
          },
          backward: ([dOut], saved) =>
            tf.tidy(() => {
              const [q, k, v, packed, ...rest] = saved as [Tensor, Tensor, Tensor, Tensor, ...Tensor[]];
              const stats = launch(statsProgram(p), [packed, dOut!]);
              const inputs = [q, k, v, stats, dOut!, ...rest];
              const dq = launch(queryGradientProgram(p), inputs);
              const dkv = launch(keyValueGradientProgram(p), inputs);
              return [
                tf.reshape(dq, q.shape),
                tf.reshape(tf.slice(dkv, [0, 0], [keyRows, depth]), k.shape),
                tf.reshape(tf.slice(dkv, [0, depth], [keyRows, valueDepth]), v.shape),
              ];
            }),
        },
        [args.query, args.key, args.value],
      );
      return { output: output! };
    },
  };
}
