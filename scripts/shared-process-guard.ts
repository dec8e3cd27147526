// Set up before every test file of the projects whose files share a process (`sharedProcessProjects` in
// vitest.config.ts). A file that leaves the kernel table or the cell registry changed would decide for the files
// after it in the same process what they run (a fused kernel or the generic path, a cell of its own under a
// registered name) or make them throw, depending on the order vitest picks: it fails here, naming what it left.
// Entries are compared as objects, so a kernel or cell replaced under the same name counts as changed.
import { afterAll } from 'vitest';
import {
  defaultKernelRegistry,
  formatKernelKey,
  getCell,
  listCells,
  listKernels,
} from '../packages/core/src/index.js';

type Entries = Map<string, unknown>;

const snapshot = (): { kernels: Entries; cells: Entries } => ({
  kernels: new Map(listKernels().map((k) => [formatKernelKey(k), defaultKernelRegistry.get(k)])),
  cells: new Map(listCells().map((name) => [name, getCell(name)])),
});

/** What changed from `before` to `after`: names added, removed, and replaced by another object. */
function changes(before: Entries, after: Entries): string[] {
  const out: string[] = [];
  for (const [name, entry] of after) {
    if (!before.has(name)) out.push(`registered ${name}`);
    else if (before.get(name) !== entry) out.push(`replaced ${name}`);
  }
  for (const name of before.keys()) if (!after.has(name)) out.push(`unregistered ${name}`);
  return out;
}

const before = snapshot();

afterAll(() => {
  const after = snapshot();
  const left = [
    ...changes(before.kernels, after.kernels).map((c) => `kernel: ${c}`),
    ...changes(before.cells, after.cells).map((c) => `cell: ${c}`),
  ];
  if (left.length > 0) {
    throw new Error(
      'this test file shares its process with others (vitest.config.ts, sharedProcessProjects) and left the ' +
        `registries changed (${left.join('; ')}); undo what it registers in afterAll`,
    );
  }
});
