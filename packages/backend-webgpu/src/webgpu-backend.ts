/**
 * The seqmodel backend on tfjs's WebGPU backend: tensors live in GPU storage buffers and every op is a compute
 * shader. Recurrent cells run through fused compute shaders (`fused/`) that run a whole sequence in one dispatch;
 * the generic path (core's loop over tfjs's ops) stays the always-correct fallback.
 */
import {
  createTfjsBackend,
  factoryKernelOptions,
  initTfjsBackend,
  type TfjsBackend,
  type TfjsKernelDefinition,
} from '@seqmodel/backend-tfjs';
import { invalidArgument, SeqmodelError } from '@seqmodel/core';
import * as tf from '@tensorflow/tfjs-core';
import { webgpuFusedKernels } from './fused-kernels.js';
import { readWebgpuInfo, type WebgpuInfo } from './webgpu-info.js';
import './register-tfjs-webgpu.js';

export interface WebgpuBackendOptions {
  /**
   * More fused kernels of any kind, tried before the built-in ones and those registered for the backend's name
   * (core's `registerKernel`); `false` leaves out every fused kernel, built-in and registered, so that the generic
   * path runs everywhere.
   */
  readonly kernels?: readonly TfjsKernelDefinition[] | false;
  /** Check sequence arguments for NaN and ±Infinity before every `runSequence` (default false). */
  readonly checkNumerics?: boolean;
}

/** What this package reads of tfjs's WebGPU backend instance (tfjs-backend-webgpu 4.22). */
export interface WebgpuInstance {
  readonly device: {
    readonly adapterInfo?: { vendor?: string; architecture?: string; device?: string; description?: string };
    readonly limits: { maxComputeInvocationsPerWorkgroup: number; maxComputeWorkgroupStorageSize: number };
  };
  recordAndSubmit: (...args: unknown[]) => unknown;
}

let started: Promise<WebgpuInfo> | undefined;

async function start(): Promise<WebgpuInfo> {
  if (typeof navigator === 'undefined' || !('gpu' in navigator)) {
    throw new SeqmodelError(
      'createWebgpuBackend: this environment has no WebGPU (navigator.gpu is missing; WebGPU needs a secure ' +
        'context, and headless Chromium needs --enable-unsafe-webgpu and an adapter such as --use-webgpu-adapter=swiftshader)',
    );
  }
  try {
    await initTfjsBackend('webgpu');
  } catch (error) {
    throw new SeqmodelError(
      `createWebgpuBackend: tfjs's WebGPU backend failed to start: no adapter or device (${(error as Error).message})`,
    );
  }
  return readWebgpuInfo(tf.engine().findBackend('webgpu') as unknown as WebgpuInstance);
}

/**
 * A seqmodel backend on `@tensorflow/tfjs-backend-webgpu` (browsers with WebGPU). Asynchronous because the
 * adapter and device are requested asynchronously; await it before running other tfjs work. The device is
 * requested once per page and shared by every WebGPU seqmodel backend. Where WebGPU is missing or gives no
 * adapter, the promise rejects with the reason instead of falling back to another tfjs backend.
 *
 * @example
 * const backend = await createWebgpuBackend();
 * console.log((await webgpuInfo())?.adapter);
 */
export async function createWebgpuBackend(options: WebgpuBackendOptions = {}): Promise<TfjsBackend> {
  if (typeof options !== 'object' || options === null) {
    invalidArgument('createWebgpuBackend(options)', options, 'an options object');
  }
  started ??= start();
  await started;
  return createTfjsBackend({
    name: 'webgpu',
    tfjsBackendName: 'webgpu',
    ...factoryKernelOptions(webgpuFusedKernels, options, 'createWebgpuBackend'),
    ...(options.checkNumerics === undefined ? {} : { checkNumerics: options.checkNumerics }),
  });
}

/** What tfjs's WebGPU backend runs on; undefined before `createWebgpuBackend` has finished once. */
export async function webgpuInfo(): Promise<WebgpuInfo | undefined> {
  if (started === undefined) return undefined;
  try {
    return await started;
  } catch {
    return undefined;
  }
}
