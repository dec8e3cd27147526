/**
 * The CUDA text of the compiled GPU kernel's step programs, checked without a GPU: every program the kernel launches
 * for plugin cells and the compiled built-ins (`recordCompiledPrograms`, with this backend's 64-input limit)
 * - compiles with nvcc for sm_90 with warnings as errors (NVRTC, which compiles them on a GPU machine, takes the
 *   same language), and
 * - computes, compiled as host C++ by g++ with CUDA's thread indices emulated, what the JavaScript interpreter of
 *   the same programs computes (`interpretProgram`) on the same inputs: within 1e-5 of the larger magnitude and 1,
 *   float32 arithmetic against the interpreter's float64 operations rounded to float32 at each binding.
 * Skipped, with the reason, without nvcc or g++.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createCpuBackend } from '@seqmodel/backend-cpu';
import type { StepProgram } from '@seqmodel/backend-tfjs';
import { interpretProgram, recordCompiledPrograms } from '@seqmodel/backend-tfjs/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { cudaProgramSource, programEntryPoint, singlePrecision } from './cuda-lang.js';

await createCpuBackend();
const programs = recordCompiledPrograms(64);
const work = mkdtempSync(join(tmpdir(), 'seqmodel-cuda-lang-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

// The compilers, found as the addons' builds find theirs (native-kernels' build script: the first that runs).
const { buildScript } = createRequire(import.meta.url)('@seqmodel/native-kernels/paths') as {
  buildScript: string;
};
const { findCommand } = (await import(pathToFileURL(buildScript).href)) as {
  findCommand(candidates: readonly (string | undefined)[]): { found: string | undefined };
};
const nvcc = findCommand([process.env.SEQMODEL_NVCC, 'nvcc', '/usr/local/cuda/bin/nvcc']).found;
const gxx = findCommand([process.env.CXX, 'g++', 'c++']).found;

/** Every program in one file, each entry point renamed `seqmodel_program_<i>` (the prelude once). */
function allPrograms(): string {
  const sources = programs.map((p) => cudaProgramSource(p));
  const prelude = sources[0]!.slice(0, sources[0]!.indexOf('\n\n'));
  return `${prelude}\n\n${sources
    .map((s, i) => s.slice(prelude.length).replace(programEntryPoint, `${programEntryPoint}_${i}`))
    .join('\n')}`;
}

/** The uniforms of a launch: `tau` 1, `stepIndex` 2 (the recorded programs' sequences have 4 steps). */
function uniformsOf(program: StepProgram): number[] {
  return program.uniforms.map((u) => (u === 'tau' ? 1 : 2));
}

/** Deterministic inputs in [-1, 1], a few exact zeros (the masks' `!= 0.0`). */
function inputsOf(program: StepProgram, k: number): Float32Array[] {
  return program.inputs.map((input, n) =>
    Float32Array.from({ length: input.rows * input.cols }, (_, i) =>
      (i + n + k) % 7 === 0 ? 0 : Math.sin(1.7 * i + 0.3 * n + k),
    ),
  );
}

describe('singlePrecision', () => {
  it('suffixes float literals and maps the math functions to their float forms, leaving identifiers alone', () => {
    expect(singlePrecision('x = 1.0 / (1.0 + exp(-v0_1_2)) * 2.5e-7 + max(in0[(b) * 3 + (c0)], 0.0);')).toBe(
      'x = 1.0f / (1.0f + expf(-v0_1_2)) * 2.5e-7f + seqmodel_max(in0[(b) * 3 + (c0)], 0.0f);',
    );
    expect(singlePrecision('act_exp(x) + dact_log(y) + sqrt(abs(min(a, (-0.0))))')).toBe(
      'act_exp(x) + dact_log(y) + sqrtf(fabsf(seqmodel_min(a, (-0.0f))))',
    );
  });
});

describe('the CUDA text of the compiled kernel programs', () => {
  it('records the programs of every variant', () => {
    expect(programs.length).toBeGreaterThan(40);
    for (const p of programs) expect(p.inputs.length).toBeLessThanOrEqual(64);
  });

  it.skipIf(nvcc === undefined)(
    `compiles for sm_90 with nvcc, warnings as errors${nvcc ? '' : ' (skipped: no nvcc on PATH)'}`,
    () => {
      const file = join(work, 'programs.cu');
      writeFileSync(file, allPrograms());
      const result = spawnSync(
        nvcc!,
        ['-std=c++17', '-arch=sm_90', '-cubin', '-Werror', 'all-warnings', file, '-o', join(work, 'p.cubin')],
        { encoding: 'utf8' },
      );
      expect(result.stderr + result.stdout).toBe('');
      expect(result.status).toBe(0);
    },
    120_000,
  );

  it.skipIf(gxx === undefined)(
    `computes what the interpreter computes, as host C++ (g++)${gxx ? '' : ' (skipped: no g++ on PATH)'}`,
    () => {
      // The host has no grid: each output element is one call with the thread's indices set.
      const shim = `#include <cmath>
#include <math.h>
#include <cstdio>
#include <cstdlib>
#include <vector>
struct Index3 { unsigned x = 0, y = 0, z = 0; };
static Index3 blockIdx, blockDim, threadIdx;
#define __global__
#define __device__
#define __forceinline__ inline
`;
      const inputs = programs.map((p, k) => inputsOf(p, k));
      const calls = programs.map((p, k) => {
        const pointers = p.inputs.map((i, n) => `const float* p${n} = next(${i.rows * i.cols});`);
        const args = [
          ...p.inputs.map((_, n) => `p${n}`),
          'out.data()',
          'count',
          ...uniformsOf(p).map(String),
        ];
        return `  {
    const int count = ${p.outputRows * p.outputCols};
    std::vector<float> out(count);
    ${pointers.join('\n    ')}
    blockDim.x = 128;
    for (int i = 0; i < count; ++i) {
      blockIdx.x = i / 128;
      threadIdx.x = i % 128;
      ${programEntryPoint}_${k}(${args.join(', ')});
    }
    fwrite(out.data(), sizeof(float), count, output);
  }`;
      });
      const main = `
static std::vector<float> data;
static std::size_t position = 0;
static const float* next(std::size_t n) { const float* p = data.data() + position; position += n; return p; }
int main(int argc, char** argv) {
  if (argc != 3) return 2;
  // The prelude keeps a NaN where CUDA's fmaxf / fminf drop it, and orders ±0, as the interpreter's Math.max does.
  if (!std::isnan(seqmodel_max(NAN, 0.0f)) || !std::isnan(seqmodel_min(0.0f, NAN)) ||
      !std::isnan(clamp(NAN, 0.0f, 1.0f)) || !std::isnan(sign(NAN)) || seqmodel_max(-1.0f, 2.0f) != 2.0f ||
      clamp(3.0f, 0.0f, 1.0f) != 1.0f || sign(-0.5f) != -1.0f || !signbit(sign(-0.0f)) ||
      signbit(seqmodel_max(-0.0f, 0.0f)) || signbit(seqmodel_max(0.0f, -0.0f)) ||
      !signbit(seqmodel_min(-0.0f, 0.0f)) || !signbit(seqmodel_min(0.0f, -0.0f))) {
    return 4;
  }
  FILE* input = fopen(argv[1], "rb");
  fseek(input, 0, SEEK_END);
  data.resize(static_cast<std::size_t>(ftell(input)) / sizeof(float));
  fseek(input, 0, SEEK_SET);
  if (fread(data.data(), sizeof(float), data.size(), input) != data.size()) return 3;
  fclose(input);
  FILE* output = fopen(argv[2], "wb");
${calls.join('\n')}
  fclose(output);
  return 0;
}
`;
      const cpp = join(work, 'programs.cpp');
      writeFileSync(cpp, `${shim}${allPrograms()}${main}`);
      const exe = join(work, 'programs');
      const built = spawnSync(gxx!, ['-std=c++17', '-O1', '-w', '-o', exe, cpp], { encoding: 'utf8' });
      expect(built.stderr).toBe('');
      const all = inputs.flat();
      const packed = new Float32Array(all.reduce((n, a) => n + a.length, 0));
      let at = 0;
      for (const a of all) {
        packed.set(a, at);
        at += a.length;
      }
      writeFileSync(join(work, 'in.bin'), packed);
      const ran = spawnSync(exe, [join(work, 'in.bin'), join(work, 'out.bin')], { encoding: 'utf8' });
      expect(ran.status).toBe(0);
      const out = new Float32Array(readFileSync(join(work, 'out.bin')).buffer.slice(0));
      let offset = 0;
      let compared = 0;
      programs.forEach((p, k) => {
        const count = p.outputRows * p.outputCols;
        const uniforms = Object.fromEntries(p.uniforms.map((u, i) => [u, uniformsOf(p)[i]!]));
        const expected = interpretProgram(p)(inputs[k]!, uniforms, p.outputRows, p.outputCols);
        const actual = out.subarray(offset, offset + count);
        offset += count;
        for (let i = 0; i < count; i++) {
          const [a, e] = [actual[i]!, expected[i]!];
          if (Number.isNaN(e)) {
            expect(a, `${p.name} element ${i}`).toBeNaN();
            continue;
          }
          // The inputs are arbitrary: a log of a non-positive value is −∞ (or NaN) on both sides.
          if (!Number.isFinite(e)) {
            expect(a, `${p.name} element ${i}`).toBe(e);
            continue;
          }
          expect(Math.abs(a - e), `${p.name} element ${i}: ${a} against ${e}`).toBeLessThanOrEqual(
            1e-5 * Math.max(1, Math.abs(e)),
          );
          compared++;
        }
      });
      expect(offset).toBe(out.length);
      expect(compared).toBeGreaterThan(1000);
    },
    120_000,
  );
});
