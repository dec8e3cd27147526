/**
 * `@seqmodel/browser-testing` (private): runs seqmodel code in headless Chromium for the browser tests
 * (`tests/browser`) and the bench. Node side: find and launch Chromium (`chromium.ts`), bundle and serve a page
 * (`page.ts`), call what the page exposes and run its checks (this file). Page side: `@seqmodel/browser-testing/in-page`.
 */
import type { Page } from 'playwright-core';
import { type GpuApi, type LaunchedChromium, launchChromium } from './chromium.js';
import type { CallResult, ListedCheck } from './in-page.js';
import { bundleForBrowser, type OpenedPage, openPage } from './page.js';

export {
  browserUnavailable,
  chromiumArgs,
  findChromium,
  type GpuApi,
  type LaunchedChromium,
  type LaunchOptions,
  launchChromium,
} from './chromium.js';
export type { ListedCheck } from './in-page.js';
export { bundleForBrowser, type OpenedPage, openPage, pageOrigin } from './page.js';

/** Calls the function the page exposed as `name` and returns its result; the page's error becomes an Error here. */
export async function callInPage<R = unknown>(page: Page, name: string, ...args: unknown[]): Promise<R> {
  const result = await page.evaluate(
    ([n, a]) =>
      (
        globalThis as unknown as { seqmodelCall: (n: string, a: unknown[]) => Promise<CallResult> }
      ).seqmodelCall(n, a),
    [name, args] as [string, unknown[]],
  );
  if (!result.ok) throw new Error(`in the page, ${name}: ${result.error}`);
  return result.value as R;
}

/** A browser with one page that runs a bundled entry. */
export interface BrowserSession extends OpenedPage {
  /** The checks the page exposed (`exposeChecks`), in order. */
  listChecks(): Promise<ListedCheck[]>;
  /** Runs check `index` of {@link listChecks} in the page; rejects with its error. */
  runCheck(index: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * Each entry's bundle, made once per process: a long plan reopens its page in a fresh browser every few checks
 * (`checksPerBrowser`), and bundling the same sources again took ~0.8 s each time (6.3 MB with its source map).
 */
const bundles = new Map<string, Promise<string>>();

function bundleOnce(entry: string): Promise<string> {
  let bundle = bundles.get(entry);
  if (bundle === undefined) {
    bundle = bundleForBrowser(entry);
    bundles.set(entry, bundle);
    // A failed bundle is not kept: the next session tries again (and reports its own error).
    bundle.catch(() => bundles.delete(entry));
  }
  return bundle;
}

/**
 * Launches Chromium, bundles `entry` (once per process) and opens it. The page must call `pageReady` or
 * `exposeChecks`.
 *
 * @example
 * const session = await openBrowserSession(['webgl'], fileURLToPath(new URL('./pages/webgl.ts', import.meta.url)));
 */
export async function openBrowserSession(
  gpu: readonly GpuApi[],
  entry: string,
  files: Readonly<Record<string, string>> = {},
  options: { readonly contentSecurityPolicy?: string } = {},
): Promise<BrowserSession> {
  const script = await bundleOnce(entry);
  const chromium: LaunchedChromium = await launchChromium(gpu);
  try {
    const opened = await openPage(chromium.context, { script, files, ...options });
    return {
      ...opened,
      listChecks: () => callInPage<ListedCheck[]>(opened.page, 'listChecks'),
      runCheck: async (index) => {
        await callInPage(opened.page, 'runCheck', index);
      },
      close: () => chromium.close(),
    };
  } catch (error) {
    await chromium.close();
    throw error;
  }
}
