/**
 * The playground end to end: the built site served locally, driven in Debian's headless Chromium. It loads, trains
 * and the loss falls, switches cell and backend (checking the backend that really runs), opens every view, steps
 * through time with the keyboard, replays a shared link to the same curves, keeps working offline, and logs no
 * errors. Screenshots are checked for content; with `PLAYGROUND_SCREENSHOTS=1` they are written to `docs/` for the
 * README. Skipped where there is no Chromium (`pnpm test` installs it where it can and says why it could not;
 * under CI a missing browser is an error).
 */
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { browserUnavailable, type LaunchedChromium, launchChromium } from '@seqmodel/browser-testing';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { webglEntry } from '../../webgl-build.js';
import { DEFAULT_CONFIG } from '../config.js';
import type { PlaygroundHandle } from '../ui/app.js';
import { type StaticServer, serveStatic } from './static-server.js';

const appDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const dist = join(appDir, 'dist');
// Why the tests cannot run here (no Chromium): `pnpm test`'s `scripts/ensure-chromium.mjs` says it in one line.
const skipReason = browserUnavailable();
// Whether the site is built with WebGL: where the workspace has `@seqmodel/backend-webgl` (webgl-build.ts).
const builtWithWebgl = 'entry' in webglEntry();
const screenshotDir =
  process.env.PLAYGROUND_SCREENSHOTS === '1'
    ? join(appDir, 'docs')
    : mkdtempSync(join(tmpdir(), 'playground-shots-'));

type Handle = PlaygroundHandle;
declare global {
  interface Window {
    playground: Handle;
  }
}

let server: StaticServer;
let chromium: LaunchedChromium;
let page: Page;
const problems: string[] = [];

/** Watches a page for console errors, uncaught exceptions and failed requests. */
function watch(p: Page): void {
  p.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()}`);
  });
  p.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  p.on('requestfailed', (r) => problems.push(`request failed: ${r.url()} ${r.failure()?.errorText ?? ''}`));
}

async function ready(p: Page): Promise<void> {
  await p.waitForFunction(() => window.playground?.ready() === true, null, { timeout: 90_000 });
}

async function stepCount(p: Page): Promise<number> {
  return p.evaluate(() => window.playground.points().length);
}

/** Plays until at least `steps` steps are done, then pauses and waits for the pause to land. */
async function trainAtLeast(p: Page, steps: number): Promise<void> {
  await p.click('#play');
  await p.waitForFunction((n) => window.playground.points().length >= n, steps, { timeout: 120_000 });
  await p.click('#play');
  await p.waitForFunction(() => !window.playground.playing(), null, { timeout: 30_000 });
}

async function openView(p: Page, id: string): Promise<void> {
  await p.click(`#tab-${id}`);
  await p.waitForSelector(`#panel-${id}:not([hidden])`);
}

/**
 * A screenshot of `selector`, checked for content in the page itself (decoded on a canvas): many colours and a fair
 * share of non-background pixels; saved under `name`.
 */
async function checkedScreenshot(
  p: Page,
  selector: string,
  name: string,
): Promise<{ colors: number; ink: number }> {
  const png = await p.locator(selector).screenshot();
  writeFileSync(join(screenshotDir, `${name}.png`), png);
  const stats = await p.evaluate(async (base64) => {
    const image = new Image();
    image.src = `data:image/png;base64,${base64}`;
    await image.decode();
    const canvas = document.createElement('canvas');
    canvas.width = image.width;
    canvas.height = image.height;
    const ctx = canvas.getContext('2d')!;
    ctx.drawImage(image, 0, 0);
    const { data } = ctx.getImageData(0, 0, image.width, image.height);
    const colors = new Set<number>();
    let ink = 0;
    for (let i = 0; i < data.length; i += 4) {
      const r = data[i]!;
      const g = data[i + 1]!;
      const b = data[i + 2]!;
      colors.add((r << 16) | (g << 8) | b);
      if (r + g + b < 600) ink += 1;
    }
    return { colors: colors.size, ink: ink / (data.length / 4) };
  }, png.toString('base64'));
  expect(stats.colors, `${name}: distinct colours`).toBeGreaterThan(20);
  expect(stats.ink, `${name}: share of non-background pixels`).toBeGreaterThan(0.01);
  return stats;
}

describe.skipIf(skipReason !== undefined)('the playground in Chromium', () => {
  beforeAll(async () => {
    if (!existsSync(join(dist, 'index.html'))) {
      // `pnpm test` builds it first (turbo); a test run on its own builds it here.
      const { build } = await import('vite');
      await build({ root: appDir, logLevel: 'warn' });
    }
    mkdirSync(screenshotDir, { recursive: true });
    server = await serveStatic(dist);
    chromium = await launchChromium(['webgl'], { viewport: { width: 1280, height: 900 } });
    page = await chromium.context.newPage();
    watch(page);
  }, 300_000);

  afterAll(async () => {
    await chromium?.close();
    await server?.close();
  });

  it('loads, says which backend runs, and weighs what it says', async () => {
    server.resetCounts();
    await page.goto(server.origin);
    await ready(page);
    expect(DEFAULT_CONFIG.backend).toBe('webgl');
    const status = await page.evaluate(() => window.playground.backend());
    if (builtWithWebgl) {
      expect(status?.running).toBe('webgl');
      expect(status?.fallbackReason).toBeUndefined();
      // SwiftShader here: the page says that it is a software renderer.
      await expect.poll(() => page.textContent('#backend-status')).toMatch(/^webgl \(.+, float32\)$/);
    } else {
      // A build without WebGL says so, in the status, the message line and the switch, and runs on wasm.
      expect(status?.running).toBe('wasm');
      expect(status?.fallbackReason).toMatch(
        /^webgl did not start: not in this build \(@seqmodel\/backend-webgl/,
      );
      expect(status?.missing?.webgl).toMatch(/is not in the workspace this page was built from$/);
      await expect.poll(() => page.textContent('#backend-status')).toMatch(/^wasm \(SIMD/);
      await expect
        .poll(() => page.textContent('#messages'))
        .toMatch(/^Asked for webgl, running on wasm: .*not in this build/);
      const option = page.locator('#backend option[value="webgl"]');
      expect(await option.textContent()).toBe('webgl (not in this build)');
      expect(await option.isDisabled()).toBe(true);
    }
    expect(await page.locator('#params table tbody tr').count()).toBe(2);
    // Everything the page loaded came from this server (no CDN); Moby-Dick loads in the background.
    await page.waitForTimeout(1000);
    const bytes = [...server.sent.values()].reduce((a, b) => a + b, 0);
    console.info(
      `playground page weight: ${(bytes / 1e6).toFixed(2)} MB over ${server.sent.size} files (${[...server.sent.keys()].join(', ')})`,
    );
    expect(bytes).toBeLessThan(4e6);
  });

  it('trains the default model (memory probe, LSTM) and the loss falls', async () => {
    // The rest runs on wasm, the fastest backend here (WebGL runs on SwiftShader, a CPU renderer): see the WebGL test.
    if (DEFAULT_CONFIG.backend !== 'wasm') {
      await page.goto(`${server.origin}/?backend=wasm`);
      await ready(page);
    }
    await trainAtLeast(page, 60);
    const points = await page.evaluate(() => window.playground.points());
    const mean = (xs: { loss: number }[]) => xs.reduce((a, p) => a + p.loss, 0) / xs.length;
    expect(mean(points.slice(-10))).toBeLessThan(mean(points.slice(0, 10)) - 0.02);
    expect(await page.evaluate(() => window.playground.tfjsBackend())).toBe('wasm');
    const rate = 1000 / (points.slice(-30).reduce((a, p) => a + p.ms, 0) / 30);
    console.info(`default model on wasm: ${rate.toFixed(1)} steps/s (${points.length} steps)`);
    expect(await page.textContent('#stat-step')).toBe(String(points.length));
    await checkedScreenshot(page, 'body', 'playground');
  }, 180_000);

  it('opens every view from the real tensors, and steps through time with the keyboard', async () => {
    await openView(page, 'hidden');
    const map = page.locator('#panel-hidden .heatmap-frame').first();
    await map.waitFor();
    await map.focus();
    await page.keyboard.press('Home');
    for (let i = 0; i < 3; i++) await page.keyboard.press('ArrowRight');
    await expect.poll(() => map.getAttribute('aria-valuenow')).toBe('3');
    expect(await page.locator('#panel-hidden .readout').first().textContent()).toMatch(/^step 3 /);
    await page.keyboard.press('End');
    expect(Number(await map.getAttribute('aria-valuenow'))).toBe(47);
    await checkedScreenshot(page, '#panel-hidden', 'hidden-state');

    await openView(page, 'gates');
    await expect
      .poll(() => page.locator('#panel-gates figcaption').allTextContents(), { timeout: 30_000 })
      .toEqual(['input gate (0…1)', 'forget gate (0…1)', 'candidate (in −1…1)', 'output gate (0…1)']);
    await checkedScreenshot(page, '#panel-gates', 'gates');

    await openView(page, 'gradients');
    await expect
      .poll(() => page.locator('#panel-gradients path[data-series]').count(), { timeout: 30_000 })
      .toBe(1);
    await checkedScreenshot(page, '#panel-gradients', 'gradients');

    await openView(page, 'connectivity');
    await expect
      .poll(() => page.locator('#panel-connectivity .connectivity-strip span').count(), { timeout: 30_000 })
      .toBe(48);
    await checkedScreenshot(page, '#panel-connectivity', 'connectivity');

    await openView(page, 'attention');
    expect(await page.textContent('#panel-attention')).toContain('Attention is off');

    await openView(page, 'code');
    const code = await page.textContent('#code');
    expect(code).toContain("} from '@seqmodel/layers';");
    expect(code).toContain('memoryProbeTask({ numSamples: 2048');
    await openView(page, 'data');
    expect(await page.locator('#panel-data .example').count()).toBe(3);
  }, 180_000);

  it('races a simple RNN against an LSTM: the RNN forgets with lag, the LSTM remembers (the README picture)', async () => {
    await openView(page, 'race');
    await page.click('#race-play');
    // Long enough for the lecture's point to show (engine/race.test.ts checks it in Node at 600 steps).
    await page.waitForFunction(
      () => Number(document.querySelector('#race-standings tbody tr td:nth-child(3)')?.textContent) >= 300,
      null,
      { timeout: 240_000 },
    );
    await page.click('#race-play');
    await expect
      .poll(() => page.locator('#panel-race figure').nth(1).locator('path[data-series]').count())
      .toBe(2);
    await expect
      .poll(() => page.locator('#panel-race figure').nth(2).locator('path[data-series]').count())
      .toBe(2);
    const rows = await page.locator('#race-standings tbody tr td:first-child').allTextContents();
    expect(rows).toEqual(['simpleRNN', 'lstm']);
    // Accuracy against lag, read from the chart's table: [lag, simpleRNN, lstm] per row, lags 1 to 16.
    const lagTable = page.locator('#panel-race figure').nth(1).locator('table');
    expect(await lagTable.locator('thead th').allTextContents()).toEqual([
      'lag (steps back)',
      'simpleRNN',
      'lstm',
    ]);
    const cells = (await lagTable.locator('tbody tr').last().locator('td').allTextContents()).map(Number);
    expect(cells[0]).toBe(16);
    expect(cells[1]!).toBeLessThan(0.6); // the simple RNN guesses at lag 16 (chance: 0.5)
    expect(cells[2]!).toBeGreaterThan(cells[1]! + 0.05);
    await checkedScreenshot(page, '#panel-race', 'race');
  }, 300_000);

  it('switches cell and backend; the backend that runs is the one chosen', async () => {
    await page.selectOption('#cell', 'gru');
    await ready(page);
    expect(await stepCount(page)).toBe(0);
    await page.click('#step');
    await page.waitForFunction(() => window.playground.points().length === 1);
    await openView(page, 'gates');
    await expect
      .poll(() => page.locator('#panel-gates figcaption').allTextContents(), { timeout: 30_000 })
      .toEqual(['update gate (0…1)', 'reset gate (0…1)', 'candidate (in −1…1)']);
    await page.selectOption('#backend', 'cpu');
    await expect.poll(() => page.evaluate(() => window.playground.backend()?.running)).toBe('cpu');
    await page.click('#step');
    await page.waitForFunction(() => window.playground.points().length === 2);
    // The model moved with its weights: training went on from step 1.
    expect(await page.evaluate(() => window.playground.tfjsBackend())).toBe('cpu');
    expect(await page.textContent('#backend-status')).toBe('cpu (JavaScript)');
    expect(page.url()).toContain('backend=cpu');
    await page.selectOption('#backend', 'wasm');
    await expect.poll(() => page.evaluate(() => window.playground.backend()?.running)).toBe('wasm');
  }, 120_000);

  // Where the site is built with WebGL; the first test checks what a build without it says.
  it.skipIf(!builtWithWebgl)(
    'trains on WebGL (SwiftShader here), and the backend running is really webgl',
    async () => {
      await page.selectOption('#backend', 'webgl');
      await expect.poll(() => page.evaluate(() => window.playground.backend()?.running)).toBe('webgl');
      const before = await stepCount(page);
      await trainAtLeast(page, before + 10);
      expect(await page.evaluate(() => window.playground.tfjsBackend())).toBe('webgl');
      expect(await page.textContent('#backend-status')).toMatch(/^webgl \(.*float32\)$/);
      const points = await page.evaluate(() => window.playground.points());
      const rate = 1000 / (points.slice(-15).reduce((a, p) => a + p.ms, 0) / 15);
      console.info(
        `GRU model on webgl (${await page.textContent('#backend-status')}): ${rate.toFixed(1)} steps/s`,
      );
      await page.selectOption('#backend', 'wasm');
      await expect.poll(() => page.evaluate(() => window.playground.backend()?.running)).toBe('wasm');
    },
    180_000,
  );

  it('turns attention on and shows its weights', async () => {
    await page.selectOption('#task', 'copy');
    await page.check('#attention');
    await ready(page);
    await page.click('#step');
    await openView(page, 'attention');
    await expect.poll(() => page.locator('#panel-attention canvas').count(), { timeout: 30_000 }).toBe(2);
    await checkedScreenshot(page, '#panel-attention', 'attention');
    await page.uncheck('#attention');
    await ready(page);
  }, 120_000);

  it('reopens a shared link and replays the same curve', async () => {
    await page.selectOption('#task', 'adding');
    await ready(page);
    await trainAtLeast(page, 25);
    await page.click('#share');
    const url = page.url();
    expect(url).toMatch(/steps=\d+/);
    const first = await page.evaluate(() => window.playground.points().map((p) => p.loss));
    const second = await chromium.context.newPage();
    watch(second);
    await second.goto(url);
    await ready(second);
    await second.waitForFunction(
      (n) => window.playground.points().length === n && !window.playground.playing(),
      first.length,
      {
        timeout: 120_000,
      },
    );
    expect(await second.evaluate(() => window.playground.points().map((p) => p.loss))).toEqual(first);
    await second.close();
  }, 240_000);

  it('generates text offline once loaded', async () => {
    await chromium.context.setOffline(true);
    try {
      await page.selectOption('#task', 'text');
      await ready(page);
      await page.click('#step');
      await openView(page, 'generate');
      await page.fill('#generate-length', '40');
      await page.locator('#generate-length').dispatchEvent('change');
      await page.click('#generate');
      await expect
        .poll(() => page.textContent('#generated'), { timeout: 60_000 })
        .toMatch(/^Call me Ishmael\. .{40}$/s);
    } finally {
      await chromium.context.setOffline(false);
    }
  }, 180_000);

  it('logged no errors', async () => {
    expect(await page.evaluate(() => window.playground.errors())).toEqual([]);
    expect(problems).toEqual([]);
  });
});
