/**
 * What tfjs's WebGL backend runs on, read once when it starts: the renderer (a GPU, or a software one such as
 * SwiftShader), and the precision tensors are stored in. tfjs's own `floatPrecision()` answers 16 wherever float32
 * render targets are enabled (tfjs issue 6980), so this reads tfjs's flags instead.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { WebglInstance } from './webgl-backend.js';

export interface WebglInfo {
  /** 2 (tfjs 4.22 needs WebGL 2 for float textures; 1 only on very old browsers). */
  readonly webglVersion: number;
  /** The GPU (or software renderer) and its vendor, as the browser names them. */
  readonly renderer: string;
  readonly vendor: string;
  /** True for a renderer without a GPU (SwiftShader, llvmpipe): its times say nothing about GPUs. */
  readonly softwareRenderer: boolean;
  /** Whether the device can render to 32-bit float textures. */
  readonly float32RenderTargets: boolean;
  /** The bits of the floats tensors are stored in: 32, or 16 without float32 render targets or when forced. */
  readonly precision: 32 | 16;
  /** The largest texture side; a tensor's texture must fit in it. */
  readonly maxTextureSize: number;
  /** How many textures one program may read (tfjs caps it at 16). */
  readonly maxTexturesInShader: number;
}

const UNMASKED_VENDOR = 0x9245;
const UNMASKED_RENDERER = 0x9246;

export function readWebglInfo(instance: WebglInstance): WebglInfo {
  const gl = instance.gpgpu.gl;
  // Chromium reports the real renderer through RENDERER; older browsers only through the debug extension.
  const debug = gl.getExtension('WEBGL_debug_renderer_info');
  const renderer = String(gl.getParameter(debug ? UNMASKED_RENDERER : gl.RENDERER));
  const vendor = String(gl.getParameter(debug ? UNMASKED_VENDOR : gl.VENDOR));
  const env = tf.env();
  return {
    webglVersion: env.getNumber('WEBGL_VERSION'),
    renderer,
    vendor,
    softwareRenderer: /swiftshader|llvmpipe|softpipe|software|basic render/i.test(renderer),
    float32RenderTargets: env.getBool('WEBGL_RENDER_FLOAT32_CAPABLE'),
    precision: env.getBool('WEBGL_RENDER_FLOAT32_ENABLED') ? 32 : 16,
    maxTextureSize: env.getNumber('WEBGL_MAX_TEXTURE_SIZE'),
    maxTexturesInShader: env.getNumber('WEBGL_MAX_TEXTURES_IN_SHADER'),
  };
}
