/**
 * Serving a page to Chromium from memory: an entry module bundled with esbuild from the workspace (through the
 * `@seqmodel/source` condition, like the tests), an HTML page that loads it and any extra files (tfjs's wasm
 * binaries). Requests to `http://localhost/` are answered by Playwright's router, so nothing is listened on and
 * nothing is fetched from the network; `localhost` is a secure context, which WebGPU requires.
 */
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { build } from 'esbuild';
import type { BrowserContext, Page } from 'playwright-core';

export const pageOrigin = 'http://localhost';

/** Bundles `entry` (a TypeScript module) and everything it imports into one ES module for the browser. */
export async function bundleForBrowser(entry: string): Promise<string> {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    conditions: ['@seqmodel/source'],
    sourcemap: 'inline',
    logLevel: 'silent',
    // tfjs-backend-wasm's Emscripten glue names Node modules it only loads under Node; so do layers' file savers
    // (`node:` specifiers, imported dynamically when a model is saved to disk).
    external: ['fs', 'path', 'crypto', 'worker_threads', 'perf_hooks', 'os', 'node:*'],
    define: { 'process.env.NODE_ENV': '"production"' },
  });
  const output = result.outputFiles[0];
  if (output === undefined) throw new Error(`bundleForBrowser(${entry}): esbuild produced no output`);
  return output.text;
}

const contentTypes: Readonly<Record<string, string>> = {
  '.js': 'text/javascript',
  '.html': 'text/html',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
};

export interface PageFiles {
  /** The bundled entry (from {@link bundleForBrowser}). */
  readonly script: string;
  /** More files, by path below the origin (`/tfjs-wasm/tfjs-backend-wasm-simd.wasm`), read from disk. */
  readonly files?: Readonly<Record<string, string>>;
  /** A `Content-Security-Policy` header for the page (`script-src 'self'`: no generated code), if any. */
  readonly contentSecurityPolicy?: string;
}

export interface OpenedPage {
  readonly page: Page;
  /** Console errors and uncaught exceptions of the page so far. */
  readonly errors: string[];
}

/**
 * Opens a page in `context` that runs `script`, and waits for the script to set `window.seqmodelReady` (a
 * promise) and for that promise. A failure while loading rejects with the page's own error.
 */
export async function openPage(
  context: BrowserContext,
  { script, files = {}, contentSecurityPolicy }: PageFiles,
): Promise<OpenedPage> {
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.stack ?? error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  const html =
    '<!doctype html><html><head><meta charset="utf-8"></head><body><script type="module" src="/main.js"></script></body></html>';
  await page.route(`${pageOrigin}/**`, async (route) => {
    const path = new URL(route.request().url()).pathname;
    if (path === '/' || path === '/index.html') {
      const headers: Record<string, string> =
        contentSecurityPolicy === undefined ? {} : { 'Content-Security-Policy': contentSecurityPolicy };
      return route.fulfill({ body: html, contentType: 'text/html', headers });
    }
    if (path === '/main.js') return route.fulfill({ body: script, contentType: 'text/javascript' });
    const file = files[path];
    if (file === undefined) return route.fulfill({ status: 404, body: `not found: ${path}` });
    return route.fulfill({
      body: readFileSync(file),
      contentType: contentTypes[extname(path)] ?? 'application/octet-stream',
    });
  });
  await page.goto(`${pageOrigin}/`);
  try {
    await page.waitForFunction(() => 'seqmodelReady' in window, undefined, { timeout: 120_000 });
  } catch (error) {
    throw new Error(`the page did not start: ${(error as Error).message}\n${errors.join('\n')}`);
  }
  try {
    await page.evaluate(() => (window as unknown as { seqmodelReady: Promise<unknown> }).seqmodelReady);
  } catch (error) {
    throw new Error(`the page failed to start: ${(error as Error).message}\n${errors.join('\n')}`);
  }
  return { page, errors };
}
