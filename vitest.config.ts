import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, isAbsolute, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

// One vitest setup for the whole monorepo: every package and app with a `src/` folder becomes a project named
// after its package, and `tests/<name>/` folders (tests of the repository as a whole) become projects named
// `<name>`. Tests import workspace packages through the `@seqmodel/source` export condition, so they run against
// the TypeScript sources and need no build.
//
// Paths are taken from this file's folder, not the working directory, because each package's `test` script runs
// vitest with this config from inside the package; such a run (the working directory inside a project) runs that
// project alone, so `pnpm test` in a package, or in a copy of one, needs no project name.
const repoRoot = dirname(fileURLToPath(import.meta.url));

interface ProjectDir {
  name: string;
  dir: string;
  include: string[];
}

function packageProjects(root: string): ProjectDir[] {
  const base = join(repoRoot, root);
  if (!existsSync(base)) return [];
  return readdirSync(base)
    .map((name) => join(base, name))
    .filter((dir) => existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'src')))
    .map((dir) => ({
      name: JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).name as string,
      dir,
      include: ['src/**/*.test.ts'],
    }));
}

function repositoryProjects(): ProjectDir[] {
  const base = join(repoRoot, 'tests');
  if (!existsSync(base)) return [];
  return readdirSync(base, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => ({ name: entry.name, dir: join(base, entry.name), include: ['**/*.test.ts'] }));
}

const all = [...packageProjects('packages'), ...packageProjects('apps'), ...repositoryProjects()];

function isInside(dir: string, path: string): boolean {
  const rel = relative(dir, path);
  return !isAbsolute(rel) && rel.split(sep)[0] !== '..';
}

/**
 * Projects whose test files share a process per worker (vitest's `isolate: false`) instead of one process each. A
 * file's imports (tfjs, and several hundred modules of the workspace's TypeScript sources through vite's module
 * runner) cost ~1.5-2.5 s per process here: layers' 59 files spent 134 s importing and 49 s testing, and the project
 * took 106 s alone with a process per file, 34 s sharing (2026-12-03, 2 cores). A project belongs here only when its
 * files leave nothing process-wide behind that changes what a later file tests, and none needs a fresh process. The
 * kernels they register are unregistered again (a kernel left registered would silently move later files from the
 * generic path to a fused one): `scripts/shared-process-guard.ts` fails a file that leaves the kernel table or the
 * cell registry changed.
 * The backends' packages keep a process per file: they test one-time initialization (tfjs-wasm's module and its
 * paths, tfjs's first-tensor notice, native addons, browsers).
 */
const sharedProcessProjects = new Set([
  '@seqmodel/attention',
  '@seqmodel/bench',
  '@seqmodel/datasets',
  '@seqmodel/layers',
]);
const sharedProcessGuard = join(repoRoot, 'scripts', 'shared-process-guard.ts');

/**
 * A shared project's setup files: its own `src/shared-process-setup.ts` where it has one (what all its files expect
 * registered once per process: the bench's plugin cells, as its CLI registers them at start), then the guard, which
 * takes its snapshot after that.
 */
function sharedProcessSetup(dir: string): string[] {
  const own = join(dir, 'src', 'shared-process-setup.ts');
  return existsSync(own) ? [own, sharedProcessGuard] : [sharedProcessGuard];
}

const current = all.find((project) => isInside(project.dir, process.cwd()));
const selected = current === undefined ? all : [current];

/** The project whose files drive headless Chromium: the longest files of the run. */
const browserProject = '@seqmodel/browser-testing';

/**
 * Vitest's order (by the last run's durations, else by file size, project by project), with the browser files
 * moved to the front. They are the longest files and spend most of their time waiting for Chromium's GPU process
 * (SwiftShader), so started first they overlap the rest of the run on the other worker. Without this a fresh
 * clone, which has no durations yet, starts them late and ends with them running alone.
 */
class BrowserFilesFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const isBrowser = (f: TestSpecification) => f.project.name === browserProject;
    return [...sorted.filter(isBrowser), ...sorted.filter((f) => !isBrowser(f))];
  }
}

export default defineConfig({
  resolve: { conditions: ['@seqmodel/source'] },
  ssr: { resolve: { conditions: ['@seqmodel/source'] } },
  test: {
    projects: selected.map(({ name, dir, include }) => ({
      extends: true as const,
      test: sharedProcessProjects.has(name)
        ? { name, root: dir, include, isolate: false, setupFiles: sharedProcessSetup(dir) }
        : { name, root: dir, include },
    })),
    testTimeout: 60_000,
    // Vitest's default is one worker less than the cores: one worker on these 2-core machines, where the browser
    // files leave a core idle for long spells while Chromium's GPU process works (13-50% of the machine idle in
    // samples). Two workers overlap them with the rest.
    maxWorkers: Math.max(2, availableParallelism() - 1),
    sequence: { sequencer: BrowserFilesFirst },
  },
});
