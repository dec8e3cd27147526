/**
 * The seqmodel backend on tfjs's WebGL backend: tensors live in GPU textures and every op is a fragment-shader
 * program. Recurrent cells run through fused programs (`fused/`) that do a whole time step in one launch; the
 * generic path (core's loop over tfjs's ops) stays the always-correct fallback.
 */
import {
  createTfjsBackend,
  factoryKernelOptions,
  initTfjsBackend,
  type TfjsBackend,
  type TfjsKernelDefinition,
} from '@seqmodel/backend-tfjs';
import { checkBoolean, invalidArgument, SeqmodelError } from '@seqmodel/core';
import * as tf from '@tensorflow/tfjs-core';
import { webglFusedKernels } from './fused-kernels.js';
import { readWebglInfo, type WebglInfo } from './webgl-info.js';
import './register-tfjs-webgl.js';

export interface WebglBackendOptions {
  /**
   * Accept a software WebGL implementation (SwiftShader, llvmpipe) where no GPU is available, as headless browsers
   * and CI machines have. tfjs refuses such contexts by default because they are usually slower than the cpu and
   * wasm backends; set it for tests and for machines without a GPU. Default false.
   */
  readonly allowSoftwareRenderer?: boolean;
  /**
   * Store tensors in 16-bit float textures even where 32-bit float render targets exist (tfjs's
   * `tf.webgl.forceHalfFloat()`), to see what a device without them computes. Default false. Must be the same for
   * every backend of a page: tfjs fixes its texture format when its WebGL backend starts.
   */
  readonly forceHalfFloat?: boolean;
  /**
   * Train (`valueAndGrads`) even where tensors are stored in 16-bit floats. Default false: gradients with 11
   * significant bits stall or diverge for the learning rates recurrent models use, so `valueAndGrads` refuses
   * with an error that names the precision; forward passes always run.
   */
  readonly allowHalfFloatTraining?: boolean;
  /**
   * More fused kernels of any kind, tried before the built-in ones and those registered for the backend's name
   * (core's `registerKernel`); `false` leaves out every fused kernel, built-in and registered, so that the generic
   * path runs everywhere.
   */
  readonly kernels?: readonly TfjsKernelDefinition[] | false;
  /** Check sequence arguments for NaN and ±Infinity before every `runSequence` (default false). */
  readonly checkNumerics?: boolean;
}

interface InitSettings {
  readonly allowSoftwareRenderer: boolean;
  readonly forceHalfFloat: boolean;
}

let initialization: { settings: InitSettings; done: Promise<WebglInfo> } | undefined;

async function initialize(settings: InitSettings): Promise<WebglInfo> {
  // Both flags are read when tfjs creates its WebGL context and texture format, so they are set before.
  tf.env().set('SOFTWARE_WEBGL_ENABLED', settings.allowSoftwareRenderer);
  if (settings.forceHalfFloat) tf.env().set('WEBGL_FORCE_F16_TEXTURES', true);
  try {
    await initTfjsBackend('webgl');
  } catch (error) {
    const hint = settings.allowSoftwareRenderer
      ? 'this browser or machine gives no WebGL 2 context (headless Chromium needs --enable-unsafe-swiftshader)'
      : 'no hardware WebGL context; pass allowSoftwareRenderer: true to accept a software renderer';
    throw new SeqmodelError(
      `createWebglBackend: tfjs's WebGL backend failed to start: ${hint} (${(error as Error).message})`,
    );
  }
  return readWebglInfo(tf.engine().findBackend('webgl') as unknown as WebglInstance);
}

/** What this package reads of tfjs's WebGL backend instance. */
export interface WebglInstance {
  readonly gpgpu: { readonly gl: WebGL2RenderingContext | WebGLRenderingContext; executeProgram: () => void };
}

function resolveSettings(options: WebglBackendOptions): InitSettings {
  const { allowSoftwareRenderer = false, forceHalfFloat = false, allowHalfFloatTraining } = options;
  checkBoolean('createWebglBackend(options.allowSoftwareRenderer)', allowSoftwareRenderer);
  checkBoolean('createWebglBackend(options.forceHalfFloat)', forceHalfFloat);
  if (allowHalfFloatTraining !== undefined) {
    checkBoolean('createWebglBackend(options.allowHalfFloatTraining)', allowHalfFloatTraining);
  }
  return { allowSoftwareRenderer, forceHalfFloat };
}

/**
 * A seqmodel backend on `@tensorflow/tfjs-backend-webgl` (browsers only). Asynchronous because tfjs starts its
 * WebGL backend asynchronously; await it before running other tfjs work. tfjs's WebGL backend starts once per page:
 * later calls reuse it and must pass the same `allowSoftwareRenderer` and `forceHalfFloat` (or none). If it cannot
 * start (no WebGL 2, or only a software renderer without `allowSoftwareRenderer`), the promise rejects with the
 * reason instead of falling back to the cpu backend as tfjs does.
 *
 * @example
 * const backend = await createWebglBackend();
 * console.log((await webglInfo())?.renderer); // which GPU runs it
 */
export async function createWebglBackend(options: WebglBackendOptions = {}): Promise<TfjsBackend> {
  if (typeof options !== 'object' || options === null) {
    invalidArgument('createWebglBackend(options)', options, 'an options object');
  }
  const requested = resolveSettings(options);
  const initOptionsGiven = 'allowSoftwareRenderer' in options || 'forceHalfFloat' in options;
  if (initialization === undefined) {
    initialization = { settings: requested, done: initialize(requested) };
  } else if (initOptionsGiven && JSON.stringify(initialization.settings) !== JSON.stringify(requested)) {
    throw new SeqmodelError(
      `createWebglBackend(options): tfjs's WebGL backend already started with ${JSON.stringify(initialization.settings)}; ` +
        `received ${JSON.stringify(requested)} (it starts once per page: pass the same options or none)`,
    );
  }
  const info = await initialization.done;
  const backend = createTfjsBackend({
    name: 'webgl',
    tfjsBackendName: 'webgl',
    ...factoryKernelOptions(webglFusedKernels, options, 'createWebglBackend'),
    ...(options.checkNumerics === undefined ? {} : { checkNumerics: options.checkNumerics }),
  });
  if (info.precision === 16 && options.allowHalfFloatTraining !== true)
    refuseHalfFloatTraining(backend, info);
  return backend;
}

/** Makes `valueAndGrads` throw on a backend whose tensors are 16-bit floats (see `allowHalfFloatTraining`). */
function refuseHalfFloatTraining(backend: TfjsBackend, info: WebglInfo): void {
  backend.valueAndGrads = () => {
    throw new SeqmodelError(
      `valueAndGrads: this WebGL backend stores tensors in 16-bit floats (${info.renderer}, ` +
        `float32 render targets ${info.float32RenderTargets ? 'available but forced off' : 'missing'}), too coarse for ` +
        'training; train on the wasm or cpu backend, or pass allowHalfFloatTraining: true to createWebglBackend',
    );
  };
}

/** What tfjs's WebGL backend runs on; undefined before `createWebglBackend` has finished once. */
export async function webglInfo(): Promise<WebglInfo | undefined> {
  if (initialization === undefined) return undefined;
  try {
    return await initialization.done;
  } catch {
    return undefined;
  }
}
