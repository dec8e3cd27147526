/**
 * Debian's Chromium, headless, through playwright-core (Playwright's own browser download cannot work on machines
 * without internet access), with SwiftShader behind ANGLE so that WebGL runs where there is no GPU.
 *
 * The same functions, with the same names and signatures, are in `@seqmodel/browser-testing` (the WebGL backend's
 * test infrastructure, in progress on its own branch); once that package is on main this file is deleted and its
 * importers import from there instead.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium } from 'playwright-core';

const knownPaths = ['/usr/bin/chromium', '/usr/bin/chromium-browser'];

/** The Chromium executable: `$CHROMIUM_PATH`, else `chromium` on the PATH, else a known place; undefined if none. */
export function findChromium(): string | undefined {
  const fromEnv = process.env.CHROMIUM_PATH;
  if (fromEnv !== undefined && fromEnv !== '') return existsSync(fromEnv) ? fromEnv : undefined;
  for (const name of ['chromium', 'chromium-browser']) {
    try {
      const found = execFileSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).trim();
      if (found !== '' && existsSync(found)) return found;
    } catch {
      // not on the PATH
    }
  }
  return knownPaths.find((p) => existsSync(p));
}

/**
 * Why the browser tests cannot run here, or undefined when they can. Under CI (`CI` set) a missing browser is an
 * error rather than a reason to skip: the test command installs it there (`scripts/ensure-chromium.mjs`).
 */
export function browserUnavailable(): string | undefined {
  if (findChromium() !== undefined) return undefined;
  const reason =
    'no Chromium found (install it with `apt-get install chromium`, or set CHROMIUM_PATH); `pnpm test` installs it when run as root with apt-get';
  if (process.env.CI !== undefined && process.env.CI !== '' && process.env.CI !== 'false') {
    throw new Error(`browser tests: ${reason}; CI must run them`);
  }
  return reason;
}

export type GpuApi = 'webgl' | 'webgpu';

/** Chromium's flags for headless runs with a software GPU where there is no hardware one. */
export function chromiumArgs(gpu: readonly GpuApi[]): string[] {
  const args = [
    '--no-sandbox',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
    '--disable-quic',
    '--disable-dev-shm-usage',
    // Without a GPU, Chromium 139+ uses SwiftShader for WebGL only when explicitly allowed.
    '--use-angle=swiftshader',
    '--enable-unsafe-swiftshader',
  ];
  if (gpu.includes('webgpu')) {
    args.push(
      '--enable-unsafe-webgpu',
      '--enable-features=Vulkan',
      '--use-vulkan=swiftshader',
      '--use-webgpu-adapter=swiftshader',
    );
  }
  return args;
}

export interface LaunchedChromium {
  readonly context: BrowserContext;
  /** Closes the browser and removes its profile. */
  close(): Promise<void>;
}

/** Launches headless Chromium with a fresh profile (a new `--user-data-dir`, removed on close). */
export async function launchChromium(gpu: readonly GpuApi[] = ['webgl']): Promise<LaunchedChromium> {
  const executablePath = findChromium();
  if (executablePath === undefined)
    throw new Error(`launchChromium: ${browserUnavailable() ?? 'no Chromium'}`);
  const profile = mkdtempSync(join(tmpdir(), 'seqmodel-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath,
    headless: true,
    args: chromiumArgs(gpu),
    viewport: { width: 1280, height: 900 },
  });
  return {
    context,
    async close() {
      await context.close().catch(() => undefined);
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
