// What can be checked without a browser: the GLSL each built-in step program becomes, and how the package refuses
// to start where there is no WebGL. The backend itself runs in headless Chromium (packages/browser-testing).
import { createCpuBackend } from '@seqmodel/backend-cpu';
import { recordCompiledPrograms, recordStepPrograms } from '@seqmodel/backend-tfjs/testing';
import { SeqmodelError } from '@seqmodel/core';
import { describe, expect, it } from 'vitest';
import { glslUserCode } from './glsl-launcher.js';
import { countWebglPrograms, createWebglBackend } from './index.js';

// tfjs-webgl samples at most 16 textures per program; the programs here read at most 7 (WebGPU's limit) anyway.
const programs = recordStepPrograms(createCpuBackend(), 16);
// The compiled kernel's programs (plugin cells, and the built-in cells compiled), within WebGL's 16 inputs.
const compiled = recordCompiledPrograms(16);

function getter(name: string): string {
  return `get${name.charAt(0).toUpperCase()}${name.slice(1)}`;
}

describe('GLSL of the GPU step programs', () => {
  it('samples only the inputs it declares, through the getters tfjs generates for them', () => {
    expect(programs.length).toBeGreaterThan(40);
    for (const program of programs) {
      const code = glslUserCode(program);
      const getters = new Set([...program.inputs.map((i) => getter(i.name)), 'getOutputCoords']);
      const used = [...code.matchAll(/\b(get[A-Z]\w*)\(/g)].map((m) => m[1]!);
      expect(used.length, program.name).toBeGreaterThan(0);
      for (const name of used) expect(getters, program.name).toContain(name);
      expect(code).toContain('setOutput(result);');
      // WGSL declarations must not leak into GLSL.
      expect(code, program.name).not.toMatch(/\blet \w+:|\bfn \w+\(|\buniforms\./);
    }
  });
});

describe('GLSL of the compiled kernel programs', () => {
  it('samples only the inputs it declares, through the getters tfjs generates for them', () => {
    expect(compiled.length).toBeGreaterThan(40);
    for (const program of compiled) {
      expect(program.inputs.length, program.name).toBeLessThanOrEqual(16);
      const code = glslUserCode(program);
      const getters = new Set([...program.inputs.map((i) => getter(i.name)), 'getOutputCoords']);
      const used = [...code.matchAll(/\b(get[A-Z]\w*)\(/g)].map((m) => m[1]!);
      expect(used.length, program.name).toBeGreaterThan(0);
      for (const name of used) expect(getters, program.name).toContain(name);
      // Uniforms are declared by tfjs from program.uniforms: every one the code uses, and only those.
      for (const u of ['tau', 'stepIndex']) {
        expect(new RegExp(`\\b${u}\\b`).test(code), `${program.name} ${u}`).toBe(
          program.uniforms.includes(u),
        );
      }
      expect(code, program.name).not.toMatch(/\blet \w+:|\bfn \w+\(|\buniforms\./);
    }
  });
});

describe('starting without WebGL', () => {
  it('counts nothing before tfjs-webgl has started', () => {
    expect(() => countWebglPrograms(() => 1)).toThrow(SeqmodelError);
    expect(() => countWebglPrograms(() => 1)).toThrow(
      /has not started \(await createWebglBackend\(\) first\)/,
    );
  });

  it('names a bad options argument', async () => {
    await expect(createWebglBackend(null as never)).rejects.toThrow(
      /createWebglBackend\(options\).*an options object/,
    );
  });
});
