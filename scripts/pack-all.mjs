#!/usr/bin/env node
/**
 * Packs every publishable package (`packages/*` not marked private) into npm tarballs, the way `pnpm publish` would
 * publish them: `workspace:` ranges become the packages' versions, only `files` are included. The packages are not on
 * the npm registry yet; these tarballs are how they are used outside this repository today
 * (`npm install ./dist-packages/seqmodel-core-0.0.0.tgz ...`).
 *
 * Usage: `npx -y pnpm@12.21.0 pack-all` or `node scripts/pack-all.mjs [--out <dir>]` (default dir: dist-packages/,
 * emptied of old tarballs first). Needs `pnpm install` to have run.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** The workspace packages that get published: every `packages/*` whose package.json is not private. */
export function publishablePackages(root = repoRoot) {
  const base = join(root, 'packages');
  return readdirSync(base)
    .map((name) => join(base, name))
    .filter((dir) => existsSync(join(dir, 'package.json')))
    .map((dir) => ({ dir, manifest: JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) }))
    .filter(({ manifest }) => manifest.private !== true)
    .sort((a, b) => a.manifest.name.localeCompare(b.manifest.name));
}

/**
 * Runs the pinned pnpm. It occasionally fails to start with ERR_PNPM_BAD_CONFIG_DEP (a registry flake, see
 * DEVELOPERS.md): retried. Throws with pnpm's output on failure.
 */
function pnpm(args, what) {
  let result;
  for (let attempt = 1; attempt <= 4; attempt++) {
    result = spawnSync('npx', ['-y', 'pnpm@12.21.0', ...args], {
      cwd: repoRoot,
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    if (result.status === 0 || !/ERR_PNPM_BAD_CONFIG_DEP/.test(result.stderr + result.stdout)) break;
  }
  if (result.status !== 0) {
    throw new Error(`pack-all: ${what} failed (exit ${result.status}):\n${result.stderr}${result.stdout}`);
  }
  return result.stdout;
}

/**
 * Builds the given packages and packs them into `outDir` with `pnpm pack`; returns the tarballs' absolute paths by
 * package name. The build goes through turbo (through pnpm, which turbo needs on the PATH), cached: a few seconds
 * when nothing changed, and never a stale build packed.
 */
export function packAll(outDir, packages = publishablePackages()) {
  const paths = packages.map(({ dir }) => `./${relative(repoRoot, dir)}`);
  const buildFilters = paths.map((path) => `--filter=${path}`);
  pnpm(['exec', 'turbo', 'run', 'build', ...buildFilters, '--output-logs=errors-only'], 'the build');
  mkdirSync(outDir, { recursive: true });
  for (const file of readdirSync(outDir)) if (file.endsWith('.tgz')) rmSync(join(outDir, file));
  const packFilters = paths.flatMap((path) => ['--filter', path]);
  const stdout = pnpm(['-r', ...packFilters, 'pack', '--pack-destination', outDir, '--json'], 'pnpm pack');
  const packed = JSON.parse(stdout.slice(stdout.indexOf('[')));
  const tarballs = Object.fromEntries(packed.map((entry) => [entry.name, entry.filename]));
  const missing = packages
    .map(({ manifest }) => manifest.name)
    .filter((name) => !existsSync(tarballs[name] ?? ''));
  if (missing.length > 0)
    throw new Error(`pack-all: expected a tarball for ${missing.join(', ')}, pnpm made none`);
  return tarballs;
}

function parseArgs(argv) {
  let out = join(repoRoot, 'dist-packages');
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--out' && argv[i + 1] !== undefined) out = resolve(argv[++i]);
    else throw new Error(`pack-all: unknown argument ${JSON.stringify(argv[i])}; expected --out <dir>`);
  }
  return { out };
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    const { out } = parseArgs(process.argv.slice(2));
    const tarballs = Object.values(packAll(out));
    console.log(`Packed ${tarballs.length} packages into ${relative(process.cwd(), out) || '.'}:`);
    for (const file of tarballs) console.log(`  ${relative(process.cwd(), file)}`);
    console.log('\nIn another project (npm fetches their TensorFlow.js dependencies from the registry):');
    console.log(`  npm install ${tarballs.join(' ')} @tensorflow/tfjs-core@4.22.0`);
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  }
}
