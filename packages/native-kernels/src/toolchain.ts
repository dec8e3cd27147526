/** Finding a compiler for the tests: the first candidate that answers `--version`, or why none does. */
import { spawnSync } from 'node:child_process';

export interface Tool {
  readonly command?: string;
  /** Why no command was found (one line), when none was. */
  readonly reason?: string;
}

export function findTool(candidates: readonly (string | undefined)[], what: string): Tool {
  const tried = candidates.filter((c): c is string => typeof c === 'string' && c !== '');
  for (const command of tried) {
    const result = spawnSync(command, ['--version'], { encoding: 'utf8' });
    if (result.status === 0) return { command };
  }
  return { reason: `no ${what} found (tried ${tried.join(', ')})` };
}

/** Runs a command; returns its exit status and combined output. */
export function run(
  command: string,
  args: readonly string[],
  timeoutMs: number,
): { status: number | null; output: string } {
  const result = spawnSync(command, args, { encoding: 'utf8', timeout: timeoutMs, maxBuffer: 1 << 24 });
  return {
    status: result.status,
    output: `${result.stdout ?? ''}${result.stderr ?? ''}${result.error ? String(result.error) : ''}`,
  };
}

/**
 * Compiles a C++ test program with the host sources, under AddressSanitizer and UBSan when the compiler has them
 * (plainly otherwise), runs it, and returns its build and run results.
 */
export function buildAndRunSanitized(
  compiler: string,
  includeDirectory: string,
  sources: readonly string[],
  binary: string,
): { build: { status: number | null; output: string }; result?: { status: number | null; output: string } } {
  const common = ['-std=c++17', '-pthread', '-I', includeDirectory, ...sources, '-o', binary];
  const sanitized = run(
    compiler,
    ['-O1', '-g', '-fsanitize=address,undefined', '-fno-omit-frame-pointer', ...common],
    600_000,
  );
  const build =
    sanitized.status === 0
      ? sanitized
      : run(compiler, ['-O2', '-fno-trapping-math', '-fno-math-errno', ...common], 600_000);
  if (build.status !== 0) return { build };
  return { build, result: run(binary, [], 300_000) };
}
