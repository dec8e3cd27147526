import { describe, it } from 'vitest';
import { describePageChecks, openForTests, pageEntry } from './page-tests.js';

const { session, skip } = await openForTests(['webgpu'], pageEntry('webgpu-kits.page.ts'));

describe.skipIf(skip !== undefined)('webgpu backend in headless Chromium: the conformance plan', async () => {
  if (session) await describePageChecks(session);
  else it('is skipped', () => undefined);
});
