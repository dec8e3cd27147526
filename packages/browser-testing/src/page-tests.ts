/**
 * Turns a page's checks into vitest tests: one browser per test file, launched while vitest collects the file
 * (the checks are listed by the page), one test per check, the browser closed after the file. Without Chromium the
 * file's tests are skipped with one line saying why (under CI that is an error: see `browserUnavailable`).
 */
import { fileURLToPath } from 'node:url';
import { afterAll, describe, it } from 'vitest';
import type { GpuApi } from './chromium.js';
import { browserUnavailable } from './chromium.js';
import { type BrowserSession, type ListedCheck, openBrowserSession } from './index.js';

/** The path of a page entry in `src/pages/`. */
export function pageEntry(name: string): string {
  return fileURLToPath(new URL(`./pages/${name}`, import.meta.url));
}

/** Opens the page (or answers why not) at collection time. */
export async function openForTests(
  gpu: readonly GpuApi[],
  entry: string,
  files?: Readonly<Record<string, string>>,
): Promise<{ session?: BrowserSession; skip?: string }> {
  // The one line saying why comes from scripts/ensure-chromium.mjs (pnpm test) and from the skipped suite's name.
  const skip = browserUnavailable();
  if (skip !== undefined) return { skip };
  const session = await openBrowserSession(gpu, entry, files);
  afterAll(() => session.close(), 60_000);
  return { session };
}

/**
 * One vitest test per check of the page, grouped as the page groups them. With `checksPerBrowser`, every that many
 * checks run in a fresh browser (`reopen` launches it; the previous one is closed): a page's GPU device, with
 * whatever tfjs and the driver keep of it, lasts only that many checks.
 */
export async function describePageChecks(
  session: BrowserSession,
  timeout = 300_000,
  chunking?: { readonly checksPerBrowser: number; readonly reopen: () => Promise<BrowserSession> },
): Promise<void> {
  const checks = await session.listChecks();
  let current = session;
  let currentChunk = 0;
  const sessionFor = async (index: number): Promise<BrowserSession> => {
    const chunk = chunking === undefined ? 0 : Math.floor(index / chunking.checksPerBrowser);
    if (chunking !== undefined && chunk !== currentChunk) {
      await current.close();
      current = await chunking.reopen();
      currentChunk = chunk;
    }
    return current;
  };
  // The first session is closed by whoever opened it (openForTests); a reopened one here.
  afterAll(async () => {
    if (current !== session) await current.close();
  }, 60_000);
  const groups = new Map<string, { check: ListedCheck; index: number }[]>();
  checks.forEach((check, index) => {
    const list = groups.get(check.group) ?? [];
    list.push({ check, index });
    groups.set(check.group, list);
  });
  for (const [group, list] of groups) {
    describe(group, () => {
      for (const { check, index } of list) {
        it.skipIf(check.skip !== undefined)(
          check.name,
          async () => (await sessionFor(index)).runCheck(index),
          timeout,
        );
      }
    });
  }
}

/**
 * A suite of one vitest test per check of the page `entry` (in `src/pages/`), in a browser with `gpu`; without
 * Chromium, a skipped suite whose name says why. `checksPerBrowser` spreads a long plan over several browsers.
 */
export async function pageCheckSuite(
  title: string,
  gpu: readonly GpuApi[],
  entry: string,
  files?: Readonly<Record<string, string>>,
  checksPerBrowser?: number,
): Promise<void> {
  const { session, skip } = await openForTests(gpu, pageEntry(entry), files);
  const chunking =
    checksPerBrowser === undefined
      ? undefined
      : { checksPerBrowser, reopen: () => openBrowserSession(gpu, pageEntry(entry), files) };
  describe.skipIf(skip !== undefined)(
    skip === undefined ? title : `${title} (skipped: ${skip})`,
    async () => {
      if (session) await describePageChecks(session, undefined, chunking);
      else it('needs Chromium', () => undefined);
    },
  );
}
