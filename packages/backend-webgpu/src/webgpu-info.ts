/**
 * What tfjs's WebGPU backend runs on, read once when it starts: the adapter (a GPU, or SwiftShader's software
 * Vulkan device in headless browsers) and the limits the fused kernels plan with.
 */
import type { WebgpuInstance } from './webgpu-backend.js';

export interface WebgpuInfo {
  /** The adapter as the browser describes it (vendor, architecture, device, description joined). */
  readonly adapter: string;
  /** True for an adapter without a GPU (SwiftShader): its times say nothing about GPUs. */
  readonly softwareAdapter: boolean;
  /** WebGPU computes in 32-bit floats everywhere tfjs runs it. */
  readonly precision: 32;
  /** The most invocations one workgroup may have (the fused kernels give one workgroup per batch row). */
  readonly maxInvocationsPerWorkgroup: number;
  /** Bytes of workgroup memory, where the fused kernels keep a row's state. */
  readonly maxWorkgroupStorageSize: number;
}

export function readWebgpuInfo(instance: WebgpuInstance): WebgpuInfo {
  const info = instance.device.adapterInfo ?? {};
  const parts = [info.vendor, info.architecture, info.device, info.description].filter(
    (p): p is string => typeof p === 'string' && p !== '',
  );
  const adapter = parts.length > 0 ? parts.join(', ') : '(the browser does not describe its adapter)';
  return {
    adapter,
    softwareAdapter: /swiftshader|llvmpipe|software|basic render|cpu/i.test(adapter),
    precision: 32,
    maxInvocationsPerWorkgroup: instance.device.limits.maxComputeInvocationsPerWorkgroup,
    maxWorkgroupStorageSize: instance.device.limits.maxComputeWorkgroupStorageSize,
  };
}
