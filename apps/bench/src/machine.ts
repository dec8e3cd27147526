/** What the results were measured on: the machine, and the versions of seqmodel and tfjs. */
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { arch, cpus, loadavg, platform, release, totalmem } from 'node:os';
import { version_cpu } from '@tensorflow/tfjs-backend-cpu';
import { version_wasm } from '@tensorflow/tfjs-backend-wasm';
import { version_core } from '@tensorflow/tfjs-core';
import { version_layers } from '@tensorflow/tfjs-layers';
import type { MachineRecord, VersionsRecord } from './results.js';

export function loadAverage(): number[] {
  return loadavg().map((l) => Math.round(l * 100) / 100);
}

export function machineRecord(loadAtStart: readonly number[]): MachineRecord {
  const cores = cpus();
  return {
    cpuModel: cores[0]?.model.trim() ?? 'unknown',
    logicalCores: cores.length,
    totalMemoryBytes: totalmem(),
    platform: platform(),
    arch: arch(),
    osRelease: release(),
    node: process.version,
    loadAverage: { start: [...loadAtStart], end: loadAverage() },
  };
}

/**
 * Every seqmodel package whose code a bench run can time (core, attention, layers, the backends, the cells): the
 * bench's own dependencies of those kinds, so that a cell added to the bench (a dependency and a line in `cells.ts`)
 * is recorded with no list to update here.
 */
function measuredPackages(require: NodeJS.Require): string[] {
  const manifest = require('../package.json') as { dependencies?: Record<string, string> };
  return Object.keys(manifest.dependencies ?? {}).filter((name) =>
    /^@seqmodel\/(core|attention|layers|backend-(?!testing)|cell-)/.test(name),
  );
}

/** tfjs's browser backends: not imported in Node (the browser pages bundle them), so read from their manifests. */
const browserTfjsPackages = ['@tensorflow/tfjs-backend-webgl', '@tensorflow/tfjs-backend-webgpu'];

function gitCommit(): string | null {
  try {
    const options = {
      encoding: 'utf8' as const,
      stdio: ['ignore', 'pipe', 'ignore'] as ('ignore' | 'pipe')[],
    };
    const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], options).trim();
    const dirty =
      execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], options).trim() !== '';
    return `${commit}${dirty ? '-dirty' : ''}`;
  } catch {
    return null;
  }
}

export function versionsRecord(): VersionsRecord {
  const require = createRequire(import.meta.url);
  const packages: Record<string, string> = {};
  const fromManifests = (names: readonly string[]) => {
    for (const name of names) {
      try {
        packages[name] = (require(`${name}/package.json`) as { version: string }).version;
      } catch {
        // A package without a ./package.json export: its version is left out rather than guessed.
      }
    }
  };
  fromManifests(measuredPackages(require));
  packages['@tensorflow/tfjs-core'] = version_core;
  packages['@tensorflow/tfjs-layers'] = version_layers;
  packages['@tensorflow/tfjs-backend-cpu'] = version_cpu;
  packages['@tensorflow/tfjs-backend-wasm'] = version_wasm;
  fromManifests(browserTfjsPackages);
  return { packages, gitCommit: gitCommit() };
}
