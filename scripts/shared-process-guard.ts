// Set up before every test file of the projects whose files share a process (`sharedProcessProjects` in
// vitest.config.ts). A file that leaves the kernel table changed would decide for the files after it in the same
// process whether they run a fused kernel or the generic path, depending on the order vitest picks: it fails here,
// naming what it left. (A cell left registered needs no guard: registering it again throws.)
import { afterAll } from 'vitest';
import { formatKernelKey, listKernels } from '../packages/core/src/index.js';

const kernels = () => listKernels().map(formatKernelKey).sort();
const before = kernels();

afterAll(() => {
  const after = kernels();
  const added = after.filter((k) => !before.includes(k));
  const removed = before.filter((k) => !after.includes(k));
  if (added.length > 0 || removed.length > 0) {
    throw new Error(
      `this test file shares its process with others (vitest.config.ts, sharedProcessProjects) and left the kernel ` +
        `table changed: registered ${JSON.stringify(added)}, unregistered ${JSON.stringify(removed)}; undo what it ` +
        'registers in afterAll',
    );
  }
});
