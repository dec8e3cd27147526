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
  openPage,
} from '@seqmodel/browser-testing';
import type { RemoteBench } from './remote.js';

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

/** Opens a page running the seqmodel backend `name` (`webgl` or `webgpu`) on `path`. */
export async function openBrowserBench(name: 'webgl' | 'webgpu', path: string): Promise<RemoteBench> {
  const script = await bundleForBrowser(pageEntry()!);
  const chromium = await launchChromium([name]);
  try {
    const { page } = await openPage(chromium.context, { script });
    const details = await callInPage<string>(page, 'start', name, path);
    return {
      name,
      details,
      matMul: (n, repeats) => callInPage(page, 'matMul', n, repeats),
      runCase: (cellKey, size, options) => callInPage(page, 'runCase', cellKey, size, options),
      runAttentionCase: (caseName, options) => callInPage(page, 'runAttentionCase', caseName, options),
      close: () => chromium.close(),
    };
  } catch (error) {
    await chromium.close();
    throw error;
  }
}
