import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { defineConfig } from 'vitest/config';

// One vitest setup for the whole monorepo: every package and app with a `src/` folder becomes a project named
// after its package. Tests import workspace packages through the `@seqmodel/source` export condition, so they run
// against the TypeScript sources and need no build.
const roots = ['packages', 'apps'];
const projects = roots.flatMap((root) =>
  existsSync(root)
    ? readdirSync(root)
        .map((dir) => join(root, dir))
        .filter((dir) => existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'src')))
        .map((dir) => ({
          extends: true as const,
          test: {
            name: JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).name as string,
            root: dir,
            include: ['src/**/*.test.ts'],
          },
        }))
    : [],
);

export default defineConfig({
  resolve: { conditions: ['@seqmodel/source'] },
  ssr: { resolve: { conditions: ['@seqmodel/source'] } },
  test: {
    projects,
    testTimeout: 60_000,
  },
});
