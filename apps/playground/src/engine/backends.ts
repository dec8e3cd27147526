/**
 * The backends the page trains on, best first, each started once per worker. A backend that cannot start here
 * (no WebGL 2, a wasm file that fails to load) is skipped for the next one, and the page is told which one runs and
 * why: never a silent fallback. WebGL comes first where the page is built with `@seqmodel/backend-webgl`
 * (`webgl-build.ts`); where it is not, asking for it says so and the page runs on the next one.
 */

import { loadWebgl, webglMissing } from 'virtual:seqmodel-webgl';
import { createCpuBackend } from '@seqmodel/backend-cpu';
import { createWasmBackend, wasmInfo } from '@seqmodel/backend-wasm';
import type { Backend } from '@seqmodel/core';
import wasmPlain from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreaded from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import type { BackendName } from '../config.js';
import type { BackendStatus } from './protocol.js';

export interface StartedBackend {
  readonly backend: Backend<unknown>;
  readonly detail: string;
}

interface BackendEntry {
  readonly name: BackendName;
  start(): Promise<StartedBackend>;
}

/** Absolute URLs: the wasm module resolves relative ones against its own script, which bundling moves. */
function absolute(url: string): string {
  return new URL(url, self.location.href).href;
}

const ENTRIES: readonly BackendEntry[] = [
  {
    name: 'webgl',
    async start() {
      if (loadWebgl === undefined) throw new Error(`not in this build (${webglMissing})`);
      const { createWebglBackend, webglInfo } = await loadWebgl();
      // A software renderer (SwiftShader, llvmpipe) is accepted, and named in the status, so that a machine without
      // a GPU still shows what WebGL runs; its speed says nothing about GPUs.
      const backend = await createWebglBackend({ allowSoftwareRenderer: true });
      const info = await webglInfo();
      if (info === undefined) return { backend, detail: '' };
      // 16-bit floats are too coarse to train in; the backend would refuse at the first step, so refuse here.
      if (info.precision === 16)
        throw new Error(`${info.renderer} has no 32-bit float render targets, too coarse for training`);
      const software = info.softwareRenderer ? ', software renderer' : '';
      return { backend, detail: `${info.renderer}${software}, float${info.precision}` };
    },
  },
  {
    name: 'wasm',
    async start() {
      const backend = await createWasmBackend({
        wasmPaths: {
          'tfjs-backend-wasm.wasm': absolute(wasmPlain),
          'tfjs-backend-wasm-simd.wasm': absolute(wasmSimd),
          'tfjs-backend-wasm-threaded-simd.wasm': absolute(wasmThreaded),
        },
      });
      const info = await wasmInfo();
      const detail =
        info === undefined
          ? ''
          : `${info.simd ? 'SIMD' : 'no SIMD'}, ${info.numThreads} thread${info.numThreads === 1 ? '' : 's'}`;
      return { backend: backend as Backend<unknown>, detail };
    },
  },
  {
    name: 'cpu',
    async start() {
      return { backend: createCpuBackend() as Backend<unknown>, detail: 'JavaScript' };
    },
  },
];

/** The backends built into this page (WebGL only where the build has it). */
export const BACKEND_NAMES: readonly BackendName[] = ENTRIES.filter(
  (e) => e.name !== 'webgl' || loadWebgl !== undefined,
).map((e) => e.name);

const started = new Map<BackendName, Promise<StartedBackend>>();

function startOnce(entry: BackendEntry): Promise<StartedBackend> {
  let promise = started.get(entry.name);
  if (promise === undefined) {
    promise = entry.start();
    started.set(entry.name, promise);
  }
  return promise;
}

/** Starts `requested`, or else the first backend after it that starts; says which runs and why. */
export async function startBackend(
  requested: BackendName,
): Promise<{ started: StartedBackend; status: BackendStatus }> {
  const order = [
    ENTRIES.find((e) => e.name === requested) ?? ENTRIES[0]!,
    ...ENTRIES.filter((e) => e.name !== requested),
  ];
  const failures: string[] = [];
  for (const entry of order) {
    try {
      const result = await startOnce(entry);
      return {
        started: result,
        status: {
          requested,
          running: result.backend.name,
          detail: result.detail,
          ...(failures.length === 0 ? {} : { fallbackReason: failures.join('; ') }),
          available: BACKEND_NAMES,
          ...(webglMissing === undefined ? {} : { missing: { webgl: webglMissing } }),
        },
      };
    } catch (error) {
      failures.push(`${entry.name} did not start: ${(error as Error).message}`);
    }
  }
  throw new Error(`no backend could start: ${failures.join('; ')}`);
}
