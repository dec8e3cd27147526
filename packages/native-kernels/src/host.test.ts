/**
 * The kernel library's C++ tests, compiled with the machine's C++ compiler under AddressSanitizer and
 * UndefinedBehaviorSanitizer where it has them, and run. Skipped, with the reason, without a compiler:
 * - test/host_test.cc: GEMM against a double-precision loop for both micro kernels, fast_exp, the thread pool;
 * - test/runner_test.cc: the device's sequence runner (sequence_runner.h) run by the host launcher, against the host
 *   sequence kernels (sequence.cc), forward, backward and gradients of every cell.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { buildAndRunSanitized, findTool } from './toolchain.js';

const root = join(import.meta.dirname, '..');
const compiler = findTool([process.env.CXX, 'c++', 'g++', 'clang++'], 'C++ compiler');
const work = mkdtempSync(join(tmpdir(), 'seqmodel-native-kernels-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const hostSources = ['host/cpu_features.cc', 'host/gemm.cc', 'host/sequence.cc', 'host/thread_pool.cc'];
const skipped = compiler.reason ? ` (skipped: ${compiler.reason})` : '';

for (const [program, what] of [
  ['host_test', 'host kernels pass their unit tests'],
  ['runner_test', "the device's sequence runner, launched on the host, matches the host sequence kernels"],
] as const) {
  it.skipIf(!compiler.command)(
    `${what} under AddressSanitizer and UBSan${skipped}`,
    () => {
      const sources = [`test/${program}.cc`, ...hostSources].map((s) => join(root, s));
      const { build, result } = buildAndRunSanitized(
        compiler.command!,
        join(root, 'include'),
        sources,
        join(work, program),
      );
      expect(build.status, build.output).toBe(0);
      expect(result?.status, result?.output).toBe(0);
      expect(result?.output).toMatch(/^\d+ passed, 0 failed$/m);
    },
    1_200_000,
  );
}
