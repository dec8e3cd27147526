/**
 * Finding and launching Debian's Chromium headless, with the flags that give it a GPU to run on where there is
 * none: SwiftShader behind ANGLE for WebGL (Chromium 139+ no longer falls back to it unless told), and SwiftShader
 * behind Vulkan for WebGPU. Playwright's own browser download cannot work on machines without internet access, so
 * the browser is the system's (`apt-get install chromium`), driven through playwright-core.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium } from 'playwright-core';

/** Where Debian and Ubuntu put Chromium. */
const knownPaths = ['/usr/bin/chromium', '/usr/bin/chromium-browser'];

/**
 * The Chromium executable: `$CHROMIUM_PATH`, else `chromium` on the PATH, else a known location; undefined when
 * there is none.
 */
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
 * error, not a reason to skip: the test command installs it there (`scripts/ensure-chromium.mjs`).
 */
export function browserUnavailable(): string | undefined {
  if (findChromium() !== undefined) return undefined;
  const reason =
    'no Chromium found (install it with `apt-get install chromium`, or set CHROMIUM_PATH); `pnpm test` installs ' +
    'it when run as root with apt-get';
  if (process.env.CI !== undefined && process.env.CI !== '' && process.env.CI !== 'false') {
    throw new Error(`browser tests: ${reason}; CI must run them`);
  }
  return reason;
}

/** What the page needs from the GPU. */
export type GpuApi = 'webgl' | 'webgpu';

/** Chromium's command-line flags for headless runs with a (software, where needed) GPU. */
export function chromiumArgs(gpu: readonly GpuApi[]): string[] {
  const args = [
    '--no-sandbox',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
    '--disable-quic',
    '--disable-dev-shm-usage',
    // Without a GPU, Chromium 139+ only uses SwiftShader for WebGL when explicitly allowed.
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

export interface LaunchOptions {
  /** The pages' viewport (Playwright's default, 1280x720, when absent). */
  readonly viewport?: { readonly width: number; readonly height: number };
}

/**
 * Launches headless Chromium with a fresh profile (a new `--user-data-dir`, removed on close).
 *
 * @example
 * const { context, close } = await launchChromium(['webgl']);
 */
export async function launchChromium(
  gpu: readonly GpuApi[] = ['webgl'],
  options: LaunchOptions = {},
): Promise<LaunchedChromium> {
  const executablePath = findChromium();
  if (executablePath === undefined)
    throw new Error(`launchChromium: ${browserUnavailable() ?? 'no Chromium'}`);
  const profile = mkdtempSync(join(tmpdir(), 'seqmodel-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath,
    headless: true,
    args: chromiumArgs(gpu),
    ...(options.viewport ? { viewport: { ...options.viewport } } : {}),
  });
  return {
    context,
    async close() {
      await context.close().catch(() => undefined);
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
