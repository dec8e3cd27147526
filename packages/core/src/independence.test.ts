/** Core is tensor-agnostic by contract: no tensor library among its dependencies or imports. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? sourceFiles(join(dir, entry.name))
      : entry.name.endsWith('.ts')
        ? [join(dir, entry.name)]
        : [],
  );
}

describe('@seqmodel/core independence', () => {
  it('declares no runtime dependencies at all', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
    expect(pkg.dependencies ?? {}).toEqual({});
    expect(pkg.peerDependencies ?? {}).toEqual({});
  });

  it('imports only its own modules and Node built-ins in tests', () => {
    const foreign: string[] = [];
    for (const file of sourceFiles(join(root, 'src'))) {
      for (const match of readFileSync(file, 'utf8').matchAll(/^(?:import|export)[^;]*?from '([^']+)'/gms)) {
        const spec = match[1]!;
        const allowed =
          spec.startsWith('.') ||
          (file.endsWith('.test.ts') && (spec === 'vitest' || spec.startsWith('node:')));
        if (!allowed) foreign.push(`${file.slice(root.length + 1)}: ${spec}`);
      }
    }
    expect(foreign).toEqual([]);
  });
});
