// The README's example, run as it is written there (with this package's own imports relative).
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { browserUnavailable, callInPage, openBrowserSession } from './index.js';

const skipReason = browserUnavailable();
if (skipReason !== undefined) console.warn(`browser-testing README example skipped: ${skipReason}`);

it.skipIf(skipReason !== undefined)(
  'the README example: a page bundled from TypeScript runs seqmodel and answers a call from Node',
  async () => {
    const entry = fileURLToPath(new URL('./pages/sum.page.ts', import.meta.url));
    const session = await openBrowserSession([], entry);
    try {
      expect(await callInPage(session.page, 'sum', [1, 2, 3.5])).toBe(6.5);
      expect(session.errors).toEqual([]);
    } finally {
      await session.close();
    }
  },
  120_000,
);
