/**
 * The bench's GPU backends (webgl, webgpu) run in headless Chromium: the page (`browser-page.ts`, bundled from the
 * sources) runs the same cases with the same code as Node, and the results come back as a `RemoteBench`'s.
 * Chromium is Debian's (`apt-get install chromium`), driven through playwright-core with SwiftShader where there is
 * no GPU, as in the browser tests (`@seqmodel/browser-testing`).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  bundleForBrowser,
  callInPage,
  findChromium,
  launchChromium,
  type OpenedPage,
  openPage,
} from '@seqmodel/browser-testing';
import type { RemoteBench, RemotePaths } from './remote.js';

/** The page's source: beside this module in the repository (the bench runs from a checkout). */
function pageEntry(): string | undefined {
  for (const candidate of ['./browser-page.ts', '../src/browser-page.ts']) {
    const path = fileURLToPath(new URL(candidate, import.meta.url));
    if (existsSync(path)) return path;
  }
  return undefined;
}

/** Why the GPU backends cannot run here, or undefined. */
export function browserBenchUnavailable(): string | undefined {
  if (findChromium() === undefined)
    return 'no Chromium found (apt-get install chromium, or set CHROMIUM_PATH)';
  if (pageEntry() === undefined)
    return "the bench page's source (src/browser-page.ts) is not beside the bench";
  return undefined;
}

type Page = OpenedPage['page'];

/** A new page of the bench in its own Chromium, handed to `use` (the browser is closed if `use` throws). */
async function withBenchPage<T>(
  name: 'webgl' | 'webgpu',
  use: (page: Page, close: () => Promise<void>) => Promise<T>,
): Promise<T> {
  const script = await bundleForBrowser(pageEntry()!);
  const chromium = await launchChromium([name]);
  try {
    const { page } = await openPage(chromium.context, { script });
    return await use(page, () => chromium.close());
  } catch (error) {
    await chromium.close();
    throw error;
  }
}

/** Opens a page running the seqmodel backend `name` (`webgl` or `webgpu`) on `path`. */
export function openBrowserBench(name: 'webgl' | 'webgpu', path: string): Promise<RemoteBench> {
  return withBenchPage(name, async (page, close) => {
    const details = await callInPage<string>(page, 'start', name, path);
    return {
      name,
      details,
      matMul: (n, repeats) => callInPage(page, 'matMul', n, repeats),
      runCase: (cellKey, size, options) => callInPage(page, 'runCase', cellKey, size, options),
      runAttentionCase: (caseName, options) => callInPage(page, 'runAttentionCase', caseName, options),
      close,
    };
  });
}

/** Opens a page with the seqmodel backend `name` on every path (fused, compiled, generic), for `bench paths`. */
export function openBrowserPaths(name: 'webgl' | 'webgpu'): Promise<RemotePaths> {
  return withBenchPage(name, async (page, close) => {
    const details = await callInPage<string>(page, 'startPaths', name);
    return {
      details,
      runPathsCase: (cellKey, size, config) => callInPage(page, 'runPathsCase', cellKey, size, config),
      close,
    };
  });
}
