/**
 * `@seqmodel/attention/testing`: the attention kernel kit. Run it on every backend that has a fused
 * `attention` / `scaledDotProduct` kernel:
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
