/**
 * Turns a page's checks into vitest tests: one browser per test file, launched while vitest collects the file
 * (the checks are listed by the page), one test per check, the browser closed after the file. Without Chromium the
 * file's tests are skipped with one line saying why (under CI that is an error: see `browserUnavailable`).
 */
import { fileURLToPath } from 'node:url';
import { afterAll, describe, it } from 'vitest';
import type { GpuApi } from './chromium.js';
import { type BrowserSession, browserSkipReason, type ListedCheck, openBrowserSession } from './index.js';

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
  const skip = browserSkipReason();
  if (skip !== undefined) return { skip };
  const session = await openBrowserSession(gpu, entry, files);
  afterAll(() => session.close());
  return { session };
}

/** One vitest test per check of the page, grouped as the page groups them. */
export async function describePageChecks(session: BrowserSession, timeout = 120_000): Promise<void> {
  const checks = await session.listChecks();
  const groups = new Map<string, { check: ListedCheck; index: number }[]>();
  checks.forEach((check, index) => {
    const list = groups.get(check.group) ?? [];
    list.push({ check, index });
    groups.set(check.group, list);
  });
  for (const [group, list] of groups) {
    describe(group, () => {
      for (const { check, index } of list) {
        it.skipIf(check.skip !== undefined)(check.name, () => session.runCheck(index), timeout);
      }
    });
  }
}
