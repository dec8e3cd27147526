/**
 * The `attention` / `scaledDotProduct` fused kernel for tfjs backends that keep tensors in CPU memory (cpu, wasm):
 * the FlashAttention recurrence of `flash-attention.ts` on an engine (JavaScript or WebAssembly SIMD), over the
 * tensors' own memory (`tensor-memory.ts`), differentiable through `@seqmodel/backend-tfjs`'s `customGradient` with
 * the hand-written backward pass. The forward pass keeps, besides its output, one log-sum-exp per query row, so
 * training holds O(T·d) per head, not the T x T weights.
 *
 * It declines `returnWeights` (the weights are the T x T matrix it exists to avoid; the generic path returns them)
 * and anything but float32 tensors. Masks of any broadcastable shape, both causal alignments, any scale, grouped
 * key/value heads and dropout (the contract's factors, read block by block) are supported.
 */
import { customGradient, type TfjsBackend } from '@seqmodel/backend-tfjs';
import { SeqmodelError } from '@seqmodel/core';
import type * as tf from '@tensorflow/tfjs-core';
import type { ScaledDotProductKernel, ScaledDotProductKernelArgs } from '../functional/kernel.js';
import {
  type AttentionShape,
  defaultFlashBlocks,
  type FlashBlocks,
  type FlashProblem,
  flashBackward,
  flashForward,
  type HostMask,
} from './flash-attention.js';
import type { FlashEngine } from './flash-engine.js';
import type { TensorMemory } from './tensor-memory.js';

type Tensor = tf.Tensor;

export interface FlashKernelConfig {
  readonly engine: FlashEngine;
  readonly memory: TensorMemory;
  /** Block sizes (default 64 x 64); small ones let tests cover many blocks with small tensors. */
  readonly blocks?: FlashBlocks;
}

/** Element strides of a rank-4 mask broadcast to `[B, H, Tq, Tk]` (0 on its axes of size 1). */
export function maskStrides(shape: readonly number[]): [number, number, number, number] {
  const [, s1, s2, s3] = shape as [number, number, number, number];
  const contiguous = [s1 * s2 * s3, s2 * s3, s3, 1];
  return shape.map((n, i) => (n === 1 ? 0 : contiguous[i]!)) as [number, number, number, number];
}

/** The sizes and options of an attention call (`AttentionShape`), read off its arguments. */
export function attentionShape(args: ScaledDotProductKernelArgs<Tensor>): AttentionShape {
  const [batch, heads, queryLength, depth] = args.query.shape as [number, number, number, number];
  const [, keyHeads, keyLength] = args.key.shape as [number, number, number];
  return {
    batch,
    heads,
    keyHeads,
    queryLength,
    keyLength,
    depth,
    valueDepth: args.value.shape[3]!,
    scale: args.scale,
    causal: args.causal,
    queryOffset: args.queryOffset,
  };
}

/** The flash attention kernel for one backend, on `config.engine`. */
export function flashAttentionKernel(
  backend: TfjsBackend,
  config: FlashKernelConfig,
): ScaledDotProductKernel<Tensor> {
  const { engine, memory } = config;
  const blocks = config.blocks ?? defaultFlashBlocks;
  const name = `flash attention (${engine.name}) on ${backend.name}`;
  return {
    supports(args) {
      if (args.returnWeights) {
        return `${name}: never forms the Tq x Tk weights that returnWeights asks for (the generic path returns them)`;
      }
      const tensors = { query: args.query, key: args.key, value: args.value, mask: args.mask };
      for (const [argument, x] of Object.entries(tensors)) {
        if (x !== undefined && x.dtype !== 'float32')
          return `${name}: ${argument} is ${x.dtype}, not float32`;
      }
      return undefined;
    },
    run(args) {
      const reason = this.supports(args);
      if (reason !== undefined) throw new SeqmodelError(reason);
      const sizes = attentionShape(args);
      const { batch, heads, queryLength, valueDepth } = sizes;
      const constants = [args.mask, args.dropoutKeep].filter((x): x is Tensor => x !== undefined);
      const problem = (mask: Tensor | undefined, keep: Tensor | undefined): FlashProblem => ({
        ...sizes,
        mask:
          mask === undefined
            ? undefined
            : ({ data: memory.view(mask), strides: maskStrides(mask.shape) } satisfies HostMask),
        keep: keep === undefined ? undefined : memory.view(keep),
      });
      const [output] = customGradient(
        {
          name,
          forward: ([q, k, v], save, { recordsGradient }) => {
            const out = memory.allocate([batch, heads, queryLength, valueDepth]);
            const lse = recordsGradient ? memory.allocate([batch, heads, queryLength]) : undefined;
            flashForward(
              engine,
              problem(args.mask, args.dropoutKeep),
              {
                query: memory.view(q!),
                key: memory.view(k!),
                value: memory.view(v!),
                output: memory.view(out),
                logSumExp: lse && memory.view(lse),
              },
              blocks,
            );
            // The inputs and masks may be intermediates of the calling scope, freed before the backward pass runs:
            // tfjs keeps what is saved (sharing the data on cpu, copying it on wasm).
            if (lse) save([q!, k!, v!, out, lse, ...constants]);
            // The log-sum-exp is an output too (the caller drops it), so that tfjs counts it as one: its per-kernel
            // leak check (IS_TEST) takes any other new tensor for a leak.
            return lse ? [out, lse] : [out];
          },
          backward: ([dOut], saved) => {
            const [q, k, v, out, lse, ...rest] = saved as [
              Tensor,
              Tensor,
              Tensor,
              Tensor,
              Tensor,
              ...Tensor[],
            ];
            const mask = args.mask === undefined ? undefined : rest[0];
            const keep = args.dropoutKeep === undefined ? undefined : rest[rest.length - 1];
            const grads = [q, k, v].map((x) => memory.allocate(x.shape));
            const [dq, dk, dv] = grads.map((g) => memory.view(g)) as [
              Float32Array,
              Float32Array,
              Float32Array,
            ];
            flashBackward(
              engine,
              problem(mask, keep),
              {
                query: memory.view(q),
                key: memory.view(k),
                value: memory.view(v),
                output: memory.view(out),
                logSumExp: memory.view(lse),
                outputGradient: memory.view(dOut!),
                queryGradient: dq,
                keyGradient: dk,
                valueGradient: dv,
              },
              blocks,
            );
            return grads;
          },
        },
        [args.query, args.key, args.value],
      );
      return { output: output! };
    },
  };
}
