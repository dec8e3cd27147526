// The WGSL programs of the webgpu flash kernel, structurally (Node has no WebGPU: the numbers are checked in headless
// Chromium, packages/browser-testing/src/pages/webgpu-flash-checks.ts): every input read (WebGPU drops a binding the
// shader never uses while tfjs binds every input), tfjs's uniforms kept, at most 7 inputs, workgroup memory within
// WebGPU's guaranteed 16 KiB, the problem's constants in the source; the kernel's declines and its registration.
import { listKernels, SeqmodelError, unregisterKernel } from '@seqmodel/core';
import { afterAll, describe, expect, it } from 'vitest';
import { SCALED_DOT_PRODUCT_KERNEL } from '../functional/kernel.js';
import { scaledDotProductAttention } from '../functional/scaled-dot-product.js';
import { cpuBackend } from '../test-helpers.js';
import { registerAttentionKernels } from './register.js';
import { webgpuFlashKernel } from './webgpu-kernel.js';
import {
  forwardProgram,
  keyValueGradientProgram,
  queryGradientProgram,
  statsProgram,
  tileRows,
  type WgslFlashProblem,
  type WgslProgram,
  wgslFlashUnsupported,
} from './webgpu-programs.js';

const base: WgslFlashProblem = {
  batch: 2,
  heads: 4,
  keyHeads: 2,
  queryLength: 70,
  keyLength: 130,
  depth: 16,
  valueDepth: 8,
  scale: 0.25,
  causal: false,
  queryOffset: 0,
  dropout: false,
};

const problems: Record<string, WgslFlashProblem> = {
  plain: base,
  causal: { ...base, causal: true, queryOffset: 60 },
  'key padding': { ...base, maskStrides: [130, 0, 0, 1] },
  'mask and dropout': { ...base, maskStrides: [0, 0, 130, 1], dropout: true },
  'd = dv = 64 (32 key rows would fill 16 KiB without the ids)': {
    ...base,
    depth: 64,
    valueDepth: 64,
    causal: true,
  },
  'd = 128, dv = 96': { ...base, depth: 128, valueDepth: 96, maskStrides: [130, 0, 0, 1] },
  'large depths': { ...base, depth: 256, valueDepth: 224, maskStrides: [130, 0, 0, 1], dropout: true },
};

const programsOf = (p: WgslFlashProblem): WgslProgram[] => [
  forwardProgram(p, false),
  forwardProgram(p, true),
  statsProgram(p),
  queryGradientProgram(p),
  keyValueGradientProgram(p),
];

/** What is wrong with a program's bindings and workgroup memory (empty: nothing). */
function structuralProblems(program: WgslProgram): string[] {
  const code = program.getUserCode();
  const found: string[] = [];
  if (program.variableNames.length > 7) found.push(`${program.variableNames.length} inputs, more than 7`);
  for (const name of program.variableNames) {
    if (!new RegExp(`\\b${name}\\[`).test(code)) found.push(`input ${name} is never read`);
  }
  if (!/\buniforms\./.test(code)) found.push("tfjs's uniforms are never read");
  const floats = [...code.matchAll(/var<workgroup> \w+: array<f32, (\d+)>/g)].reduce(
    (n, m) => n + Number(m[1]),
    0,
  );
  const ids = [...code.matchAll(/var<workgroup> \w+: vec2<i32>/g)].length;
  const bytes = floats * 4 + ids * 8;
  if (bytes > 16384) found.push(`${bytes} bytes of workgroup memory, more than 16384`);
  if (/var<workgroup> \w+: (?!array<f32, \d+>|vec2<i32>)/.test(code)) {
    found.push('workgroup memory of a type the check does not size');
  }
  if (/atomic/.test(code)) found.push('atomics');
  return found;
}

describe('the WGSL flash attention programs', () => {
  for (const [name, p] of Object.entries(problems)) {
    it(`${name}: every input read, uniforms kept, at most 7 inputs, workgroup memory within 16 KiB`, () => {
      for (const program of programsOf(p))
        expect(structuralProblems(program), program.shaderKey.slice(0, 40)).toEqual([]);
    });
  }

  it('the structural check fails when an input is not read', () => {
    const program = forwardProgram(problems['key padding']!, false);
    const code = program.getUserCode().replace(/f32\(mask\[[^\]]*\]\) > 0\.0/, 'true');
    expect(structuralProblems({ ...program, getUserCode: () => code })).toEqual(['input mask is never read']);
  });

  it('declares the problem as constants: sizes, scale, causal offset, mask strides; inputs as the contract orders them', () => {
    const p = problems['mask and dropout']!;
    const code = forwardProgram(p, true).getUserCode();
    for (const line of [
      'const B: i32 = 2;',
      'const H: i32 = 4;',
      'const G: i32 = 2;',
      'const TQ: i32 = 70;',
      'const TK: i32 = 130;',
      'const SCALE: f32 = 0.25;',
      'const MS2: i32 = 130;',
      'const WIDTH: i32 = 9;',
    ]) {
      expect(code).toContain(line);
    }
    expect(forwardProgram(p, true).variableNames).toEqual(['query', 'key', 'value', 'mask', 'keep']);
    expect(queryGradientProgram(p).variableNames).toEqual([
      'query',
      'key',
      'value',
      'stats',
      'outputGradient',
      'mask',
      'keep',
    ]);
    expect(forwardProgram({ ...p, scale: 1 }, false).getUserCode()).toContain('const SCALE: f32 = 1.0;');
    expect(forwardProgram(problems.causal!, false).getUserCode()).toContain('j <= i + OFFSET');
    expect(forwardProgram(base, false).getUserCode()).not.toContain('OFFSET + 1');
  });

  it('output shapes and dispatches: one workgroup per 64 query rows (keys for dK/dV) and batch·head', () => {
    const p = base;
    expect(forwardProgram(p, false).outputShape).toEqual([2 * 4 * 70, 8]);
    expect(forwardProgram(p, true).outputShape).toEqual([2 * 4 * 70, 9]);
    expect(forwardProgram(p, true).dispatch).toEqual([2, 8, 1]);
    expect(statsProgram(p).outputShape).toEqual([2 * 4 * 70, 2]);
    expect(queryGradientProgram(p).outputShape).toEqual([2 * 4 * 70, 16]);
    expect(keyValueGradientProgram(p).outputShape).toEqual([2 * 2 * 130, 24]);
    expect(keyValueGradientProgram(p).dispatch).toEqual([3, 4, 1]);
  });

  it('tiles as many rows as 16 KiB of workgroup memory holds beside the ids, at most 32', () => {
    expect(tileRows(24)).toBe(32);
    expect(tileRows(127)).toBe(32);
    // 32 rows of 128 floats would fill 16 KiB, leaving no room for the workgroup's ids.
    expect(tileRows(128)).toBe(31);
    expect(tileRows(256)).toBe(15);
    expect(tileRows(480)).toBe(8);
  });

  it('names what it cannot run: depths beyond 480 together, dispatches beyond 65535 workgroups', () => {
    expect(wgslFlashUnsupported(base)).toBeUndefined();
    expect(wgslFlashUnsupported({ ...base, depth: 300, valueDepth: 200 })).toMatch(
      /depth \+ valueDepth is 500/,
    );
    expect(wgslFlashUnsupported({ ...base, batch: 20000 })).toMatch(
      /would dispatch 87500 workgroups along one dimension, more than WebGPU.s 65535/,
    );
  });
});

describe('the webgpu flash kernel outside WebGPU', () => {
  const backend = cpuBackend();
  afterAll(() => {
    unregisterKernel({ backend: 'webgpu', ...SCALED_DOT_PRODUCT_KERNEL });
  });

  it("declines on a tfjs backend without runWebGPUProgram, saying so; fused: 'require' fails with the reason", () => {
    const kernel = webgpuFlashKernel(backend);
    backend.tidy(() => {
      const q = backend.tensor(new Float32Array(2 * 3 * 4), [1, 2, 3, 4]);
      const args = {
        query: q,
        key: q,
        value: q,
        mask: undefined,
        causal: false,
        queryOffset: 0,
        scale: 0.5,
        dropoutKeep: undefined,
        returnWeights: false,
      };
      expect(kernel.supports(args)).toMatch(/is not tfjs-backend-webgpu \(it has no runWebGPUProgram\)/);
      expect(kernel.supports({ ...args, returnWeights: true })).toMatch(/returnWeights/);
      expect(kernel.supports({ ...args, scale: 1e39 })).toMatch(/scale 1e\+39 is not a finite float32/);
      expect(() => kernel.run(args)).toThrow(SeqmodelError);
      // Registered for webgpu, nothing changes on cpu.
      registerAttentionKernels({ backends: ['webgpu'] });
      expect(() =>
        scaledDotProductAttention(backend, { query: q, key: q, value: q, fused: 'require' }),
      ).toThrow(/no fused kernel/);
    });
  });

  it('registers for webgpu only when asked; refuses an unknown backend name, naming the argument', () => {
    registerAttentionKernels({ backends: ['webgpu'] });
    expect(listKernels(SCALED_DOT_PRODUCT_KERNEL).map((k) => k.backend)).toContain('webgpu');
    expect(() => registerAttentionKernels({ backends: ['webgl' as 'webgpu'] })).toThrow(
      /registerAttentionKernels\(options\.backends\).*cpu, wasm, webgpu/,
    );
  });
});
