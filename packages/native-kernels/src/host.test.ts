/**
 * The kernel library's host unit tests (test/host_test.cc: GEMM against a double-precision loop for both micro
 * kernels, fast_exp, the thread pool), compiled with the machine's C++ compiler under AddressSanitizer and
 * UndefinedBehaviorSanitizer where it has them, and run. Skipped, with the reason, without a compiler.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { findTool, run } from './toolchain.js';

const root = join(import.meta.dirname, '..');
const compiler = findTool([process.env.CXX, 'c++', 'g++', 'clang++'], 'C++ compiler');
const work = mkdtempSync(join(tmpdir(), 'seqmodel-native-kernels-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const sources = [
  'test/host_test.cc',
  'host/cpu_features.cc',
  'host/gemm.cc',
  'host/sequence.cc',
  'host/thread_pool.cc',
];

it.skipIf(!compiler.command)(
  `host kernels pass their unit tests under AddressSanitizer and UBSan${compiler.reason ? ` (skipped: ${compiler.reason})` : ''}`,
  () => {
    const binary = join(work, 'host_test');
    const common = [
      '-std=c++17',
      '-pthread',
      '-I',
      join(root, 'include'),
      ...sources.map((s) => join(root, s)),
      '-o',
      binary,
    ];
    const sanitized = run(
      compiler.command!,
      ['-O1', '-g', '-fsanitize=address,undefined', '-fno-omit-frame-pointer', ...common],
      300_000,
    );
    // A compiler without the sanitizer runtimes still builds and runs the tests plainly.
    const build =
      sanitized.status === 0
        ? sanitized
        : run(compiler.command!, ['-O2', '-fno-trapping-math', '-fno-math-errno', ...common], 300_000);
    expect(build.status, build.output).toBe(0);
    const result = run(binary, [], 300_000);
    expect(result.status, result.output).toBe(0);
    expect(result.output).toMatch(/^\d+ passed, 0 failed$/m);
  },
  600_000,
);
