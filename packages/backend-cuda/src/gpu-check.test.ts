/**
 * The GPU check, as far as it runs without a GPU: the esbuild bundle builds (every workspace package and tfjs
 * inlined), runs under plain Node and stops with the addon's reason when no device is usable; gpu-check.sh stops in
 * one line on a machine without an NVIDIA GPU. (Building the addon with nvcc inside gpu-check.sh is the same command
 * line as binding.gyp's, which the install runs here.)
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { isAvailable } from './addon.js';

const root = join(import.meta.dirname, '..');
const availability = isAvailable();

it('the bundle builds and, without a usable GPU, says why and exits with 2', () => {
  const prepare = spawnSync(
    process.execPath,
    [join(root, 'scripts', 'prepare-gpu-check.mjs'), '--bundle-only'],
    {
      encoding: 'utf8',
      timeout: 300_000,
    },
  );
  expect(prepare.status, `${prepare.stdout}${prepare.stderr}`).toBe(0);
  expect(existsSync(join(root, 'gpu-bundle', 'node-include', 'node_api.h'))).toBe(true);
  const check = spawnSync(process.execPath, [join(root, 'gpu-bundle', 'check.mjs'), 'kits'], {
    encoding: 'utf8',
    timeout: 300_000,
  });
  if (availability.available) {
    expect(check.stdout).toMatch(/^device: /m);
  } else {
    expect(check.status, check.stderr).toBe(2);
    expect(check.stdout.trim()).toBe(`no usable GPU: ${availability.reason}`);
  }
}, 600_000);

const systemPath = '/usr/bin:/bin';
const hasNvidiaSmi = systemPath.split(':').some((dir) => existsSync(join(dir, 'nvidia-smi')));

it.skipIf(hasNvidiaSmi)('gpu-check.sh stops in one line without an NVIDIA GPU', () => {
  const result = spawnSync('/bin/bash', [join(root, 'scripts', 'gpu-check.sh')], {
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, PATH: systemPath },
  });
  expect(result.status).toBe(2);
  expect(result.stdout).toMatch(/no NVIDIA GPU here \(nvidia-smi missing or failing\)/);
});
