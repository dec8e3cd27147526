#!/usr/bin/env node
/**
 * Makes sure the browser tests (`packages/browser-testing`: the WebGL and WebGPU backends in headless Chromium)
 * have a browser: `pnpm test` runs this first. Chromium found ($CHROMIUM_PATH, or `chromium` on the PATH): nothing
 * to do. Missing, and running as root with apt-get (CI, fresh containers): installs Debian's `chromium`. Otherwise
 * the browser tests are skipped, and this prints the one line saying why. Under CI (`CI` set) a browser that cannot
 * be had is an error: CI must run those tests.
 *
 * Usage: `node scripts/ensure-chromium.mjs` (exit status 1 only under CI without a browser).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** Chromium's executable, as `@seqmodel/browser-testing`'s `findChromium` looks for it. */
export function findChromium() {
  // biome-ignore lint/suspicious/noUndeclaredEnvVars: a plain script run before turbo, not a turbo task
  const fromEnv = process.env.CHROMIUM_PATH;
  if (fromEnv) return existsSync(fromEnv) ? fromEnv : undefined;
  for (const name of ['chromium', 'chromium-browser']) {
    try {
      const found = execFileSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).trim();
      if (found && existsSync(found)) return found;
    } catch {
      // not on the PATH
    }
  }
  return ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));
}

function hasCommand(name) {
  return spawnSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' }).status === 0;
}

function install() {
  console.log("browser tests: no Chromium found; installing Debian's chromium (apt-get, about a minute)");
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [
    ['update', '-qq'],
    ['install', '-y', '-qq', '--no-install-recommends', 'chromium'],
  ]) {
    const run = spawnSync('apt-get', args, { stdio: ['ignore', 'ignore', 'inherit'], env });
    if (run.status !== 0) return `apt-get ${args.join(' ')} failed (exit status ${run.status})`;
  }
  return findChromium() === undefined
    ? 'apt-get installed chromium, but no chromium executable was found'
    : undefined;
}

const ci = Boolean(process.env.CI) && process.env.CI !== 'false';
if (findChromium() === undefined) {
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  const reason =
    root && hasCommand('apt-get')
      ? install()
      : 'no Chromium, and not root with apt-get to install it (apt-get install chromium, or set CHROMIUM_PATH)';
  if (reason !== undefined) {
    if (ci) {
      console.error(`browser tests: cannot run under CI: ${reason}`);
      process.exit(1);
    }
    console.log(`browser tests will be skipped: ${reason}`);
  }
}
