// What can be checked without a browser: the WGSL each built-in step program becomes, and how the package refuses
// to start where there is no WebGPU. The backend itself runs in headless Chromium (packages/browser-testing).
import { createCpuBackend } from '@seqmodel/backend-cpu';
import type { StepProgram } from '@seqmodel/backend-tfjs';
import { recordCompiledPrograms, recordStepPrograms } from '@seqmodel/backend-tfjs/testing';
import { SeqmodelError } from '@seqmodel/core';
import { describe, expect, it } from 'vitest';
import { countWebgpuPrograms, createWebgpuBackend, webgpuInfo } from './index.js';
import { WgslLauncher, wgslUserCode } from './wgsl-launcher.js';

const maxInputs = new WgslLauncher(createCpuBackend()).maxInputs;
const programs = recordStepPrograms(createCpuBackend(), maxInputs);
// The compiled kernel's programs (plugin cells, and the built-in cells compiled).
const compiled = recordCompiledPrograms(maxInputs);

describe('WGSL of the GPU step programs', () => {
  it('covers every built-in cell and option: forward, backward and gathering programs', () => {
    const names = new Set(
      programs.map((p) => p.name.replace(/^(simpleRNN|lstm|gru) /, '').replace(/^collect .*/, 'collect')),
    );
    expect(names).toEqual(
      new Set([
        'forward step',
        'forward step, first stage',
        'backward dh',
        'backward step',
        'backward step, last stage',
        'collect',
      ]),
    );
    expect(programs.length).toBeGreaterThan(40);
  });

  it('reads only its declared inputs, and keeps every binding (WebGPU drops buffers a shader never reads)', () => {
    for (const program of programs) checkWgsl(program);
  });
});

describe('WGSL of the compiled kernel programs', () => {
  it('reads only its declared inputs, within the limit, and keeps every binding', () => {
    expect(compiled.length).toBeGreaterThan(40);
    for (const program of compiled) checkWgsl(program);
  });
});

describe('starting without WebGPU', () => {
  it('refuses with the reason, and counts nothing before it has started', async () => {
    await expect(createWebgpuBackend()).rejects.toThrow(
      /this environment has no WebGPU \(navigator\.gpu is missing/,
    );
    expect(await webgpuInfo()).toBeUndefined();
    expect(() => countWebgpuPrograms(() => 1)).toThrow(SeqmodelError);
    expect(() => countWebgpuPrograms(() => 1)).toThrow(
      /has not started \(await createWebgpuBackend\(\) first\)/,
    );
  });

  it('names a bad options argument', async () => {
    await expect(createWebgpuBackend(null as never)).rejects.toThrow(
      /createWebgpuBackend\(options\).*an options object/,
    );
  });
});

/**
 * A step program's WGSL reads only its declared inputs (at most `maxInputs`), keeps every binding (WebGPU drops
 * buffers a shader never reads), uses only declared uniforms, carries no GLSL declarations, and leaves no operator
 * without its operand.
 */
function checkWgsl(program: StepProgram): void {
  expect(program.inputs.length, program.name).toBeLessThanOrEqual(maxInputs);
  const code = wgslUserCode(program);
  const declared = new Set(program.inputs.map((i) => i.name));
  for (const [, name] of code.matchAll(/(\w+)\[\(/g)) expect(declared, program.name).toContain(name);
  for (const input of program.inputs) {
    expect(code, `${program.name} keeps ${input.name}`).toContain(`${input.name}[0]`);
  }
  const uniforms = new Set([...program.uniforms, 'size']);
  for (const [, name] of code.matchAll(/uniforms\.(\w+)/g)) expect(uniforms, program.name).toContain(name);
  expect(code).not.toMatch(/\b(float|int) \w+ =/);
  // No operator left without its operand (the bindings kept for a program without inputs once read `result + ;`):
  // WebGPU reports a shader that does not compile only to the console, and its dispatches leave stale values.
  expect(code, program.name).not.toMatch(/[-+*/]\s*;/);
}
