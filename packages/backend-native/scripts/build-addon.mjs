#!/usr/bin/env node
// Builds the native addon (build/Release/seqmodel_native.node) with node-gyp when a C++ compiler is present.
//
//   node scripts/build-addon.mjs             the package's `build`: fails only when compilation itself fails
//   node scripts/build-addon.mjs --optional  the package's `install`: never fails
//   node scripts/build-addon.mjs --force     rebuild even when the sources have not changed
//
// The outcome is written to build/seqmodel-addon.json; `isAvailable()` reads the reason from it when the addon
// is missing (no compiler, no node-gyp, or a failed compilation). A build whose inputs (sources, Node's ABI,
// platform, sanitizer setting) are unchanged is skipped, so install followed by build compiles once.
// SEQMODEL_NATIVE_SANITIZE=address builds with AddressSanitizer (see the README).
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const buildDir = join(root, 'build');
const statusFile = join(buildDir, 'seqmodel-addon.json');
const addonFile = join(buildDir, 'Release', 'seqmodel_native.node');
const optional = process.argv.includes('--optional');
const force = process.argv.includes('--force');
const started = Date.now();

function say(message) {
  console.log(`@seqmodel/backend-native: ${message}`);
}

function writeStatus(status) {
  mkdirSync(buildDir, { recursive: true });
  writeFileSync(statusFile, `${JSON.stringify(status, null, 2)}\n`);
}

function readStatus() {
  try {
    return JSON.parse(readFileSync(statusFile, 'utf8'));
  } catch {
    return undefined;
  }
}

function filesUnder(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = join(dir, name);
      return statSync(path).isDirectory() ? filesUnder(path) : [path];
    });
}

function inputsHash(kernels) {
  const hash = createHash('sha256');
  const files = [
    join(root, 'binding.gyp'),
    ...filesUnder(join(root, 'addon')),
    ...filesUnder(kernels.includeDirectory),
    ...filesUnder(kernels.napiDirectory),
    ...kernels.hostSources,
  ];
  for (const file of files) hash.update(file.slice(root.length)).update(readFileSync(file));
  hash.update(
    JSON.stringify([
      process.versions.modules,
      process.platform,
      process.arch,
      process.env.SEQMODEL_NATIVE_SANITIZE ?? '',
    ]),
  );
  return hash.digest('hex');
}

function runs(command, args) {
  const result = spawnSync(command, args, { stdio: 'pipe', encoding: 'utf8' });
  return result.status === 0;
}

function findCompiler() {
  const tried = [process.env.CXX, 'c++', 'g++', 'clang++'].filter((c) => typeof c === 'string' && c !== '');
  const found = tried.find((c) => runs(c, ['--version']));
  return { found, tried };
}

// node-gyp as npm and pnpm hand it to install scripts, on PATH, or bundled with the npm beside this Node.
function findNodeGyp() {
  const candidates = [];
  if (process.env.npm_config_node_gyp) candidates.push([process.execPath, [process.env.npm_config_node_gyp]]);
  candidates.push(['node-gyp', []]);
  for (const prefix of [join(dirname(process.execPath), '..', 'lib'), dirname(process.execPath)]) {
    candidates.push([
      process.execPath,
      [join(prefix, 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js')],
    ]);
  }
  for (const [command, prefixArgs] of candidates) {
    if (prefixArgs.length > 0 && !existsSync(prefixArgs[0])) continue;
    if (runs(command, [...prefixArgs, '--version'])) return [command, prefixArgs];
  }
  return undefined;
}

function unavailable(reason) {
  writeStatus({ built: false, reason });
  say(
    `native addon not built: ${reason}. isAvailable() will report this; the package's other backends still work.`,
  );
  process.exit(0);
}

const require = createRequire(import.meta.url);
let kernels;
try {
  kernels = require('@seqmodel/native-kernels/paths');
} catch (error) {
  unavailable(
    `@seqmodel/native-kernels (the kernel sources) is not installed (${error.message.split('\n')[0]})`,
  );
}
const hash = inputsHash(kernels);
const previous = readStatus();
if (!force && previous?.built && previous.hash === hash && existsSync(addonFile)) {
  say('native addon up to date');
  process.exit(0);
}
const compiler = findCompiler();
if (!compiler.found) {
  unavailable(
    `no C++ compiler found (tried ${compiler.tried.join(', ')}); install one (Debian: apt-get install g++) or set CXX, then run "npm run build:addon" in @seqmodel/backend-native`,
  );
}
const nodeGyp = findNodeGyp();
if (!nodeGyp) unavailable('node-gyp not found (it comes with npm; or install it: npm install -g node-gyp)');

say(`compiling the native addon with ${compiler.found} (node-gyp)...`);
const [command, prefixArgs] = nodeGyp;
// Node's own headers where its installation has them (official tarballs, Debian's nodejs): node-gyp otherwise
// downloads them, which fails offline.
const prefix = join(dirname(process.execPath), '..');
const nodeDir =
  !process.env.npm_config_nodedir && existsSync(join(prefix, 'include', 'node', 'node_api.h'))
    ? [`--nodedir=${prefix}`]
    : [];
const result = spawnSync(command, [...prefixArgs, 'rebuild', '--jobs', 'max', ...nodeDir], {
  cwd: root,
  stdio: 'pipe',
  encoding: 'utf8',
  env: { ...process.env, ...(process.env.CXX ? {} : { CXX: compiler.found }) },
});
const seconds = Math.round((Date.now() - started) / 100) / 10;
if (result.status !== 0 || !existsSync(addonFile)) {
  const output = `${result.stdout ?? ''}${result.stderr ?? ''}`.trim().split('\n');
  const tail = output.slice(-40).join('\n');
  writeStatus({
    built: false,
    reason: `compilation failed (node-gyp exited with ${result.status})`,
    output: tail,
  });
  console.error(tail);
  say(`compiling the native addon failed after ${seconds} s (see above)`);
  process.exit(optional ? 0 : 1);
}
writeStatus({ built: true, hash, compiler: compiler.found, seconds, node: process.versions.node });
say(`native addon built in ${seconds} s`);
