/**
 * `@seqmodel/attention/testing`: the attention kernel kit. Run it on every backend that has a fused
 * `attention` / `scaledDotProduct` kernel. On tfjs-backend-wasm leave tfjs's `IS_TEST` flag off: its per-kernel leak
 * check misfires there for custom gradients that save tensors, as every fused kernel's backward pass does.
 *
 * @example
 * registerAttentionKernels();
 * for (const check of attentionKernelChecks(await createWasmBackend())) it(check.name, check.run);
 */
export {
  type AttentionKernelCase,
  type AttentionKernelCheckOptions,
  type AttentionMaskKind,
  attentionKernelCases,
  attentionKernelChecks,
} from './attention-kernel-checks.js';
