// Building an addon over the kernel library with node-gyp, for @seqmodel/backend-native (host, a C++ compiler) and
// @seqmodel/backend-cuda (device, nvcc as well). Their scripts/build-addon.mjs import it through `paths.cjs`'s
// `buildScript` (not an export: an ES module, which CommonJS could only import dynamically):
//
//   node scripts/build-addon.mjs             the package's `build`: fails only when compilation itself fails
//   node scripts/build-addon.mjs --optional  the package's `install`: never fails
//   node scripts/build-addon.mjs --force     rebuild even when the sources have not changed
//
// The outcome is written to build/seqmodel-addon.json; the package's `isAvailable()` reads the reason from it when
// the addon is missing (no compiler, no nvcc, no node-gyp, or a failed compilation). A build whose inputs (sources,
// Node's ABI, platform, the settings named in `environment`) are unchanged is skipped.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

function filesUnder(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = join(dir, name);
      return statSync(path).isDirectory() ? filesUnder(path) : [path];
    });
}

/** Whether `command args` runs and exits with 0. */
export function runs(command, args) {
  return spawnSync(command, args, { stdio: 'pipe', encoding: 'utf8' }).status === 0;
}

/** The first of `candidates` that answers `--version`, and the list tried. */
export function findCommand(candidates) {
  const tried = candidates.filter((c) => typeof c === 'string' && c !== '');
  return { found: tried.find((c) => runs(c, ['--version'])), tried };
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

/**
 * Builds `build/Release/<addonName>.node` in `root` with node-gyp, unless up to date.
 * - `packageName`: for messages ("@seqmodel/backend-native");
 * - `what`: "native addon", "CUDA addon";
 * - `requirements()`: checks the tools beyond node-gyp; returns `{ env }` (added to node-gyp's environment and
 *   hashed) or `{ missing: 'reason' }`;
 * - `sources`: files and folders whose contents the build depends on besides the kernel library;
 * - `environment`: names of environment variables that change the build.
 */
export function buildAddon({ root, packageName, what, addonName, requirements, sources, environment = [] }) {
  const optional = process.argv.includes('--optional');
  const force = process.argv.includes('--force');
  const started = Date.now();
  const buildDir = join(root, 'build');
  const statusFile = join(buildDir, 'seqmodel-addon.json');
  const addonFile = join(buildDir, 'Release', `${addonName}.node`);
  const say = (message) => console.log(`${packageName}: ${message}`);
  const writeStatus = (status) => {
    mkdirSync(buildDir, { recursive: true });
    writeFileSync(statusFile, `${JSON.stringify(status, null, 2)}\n`);
  };
  const unavailable = (reason) => {
    writeStatus({ built: false, reason });
    say(`${what} not built: ${reason}. isAvailable() will report this; the other backends still work.`);
    process.exit(0);
  };

  const require = createRequire(join(root, 'package.json'));
  let kernels;
  try {
    kernels = require('@seqmodel/native-kernels/paths');
  } catch (error) {
    unavailable(
      `@seqmodel/native-kernels (the kernel sources) is not installed (${error.message.split('\n')[0]})`,
    );
  }
  const needs = requirements(kernels);
  if (needs.missing) unavailable(needs.missing);
  const env = needs.env ?? {};

  const hash = createHash('sha256');
  const files = [
    ...sources.flatMap((s) => (existsSync(s) && statSync(s).isDirectory() ? filesUnder(s) : [s])),
    ...filesUnder(kernels.includeDirectory),
    ...filesUnder(kernels.napiDirectory),
    ...filesUnder(kernels.sourceDirectory),
    ...filesUnder(kernels.cudaDirectory),
  ];
  for (const file of files) hash.update(file).update(readFileSync(file));
  hash.update(
    JSON.stringify([
      process.versions.modules,
      process.platform,
      process.arch,
      env,
      environment.map((name) => process.env[name] ?? ''),
    ]),
  );
  const digest = hash.digest('hex');
  let previous;
  try {
    previous = JSON.parse(readFileSync(statusFile, 'utf8'));
  } catch {
    previous = undefined;
  }
  if (!force && previous?.built && previous.hash === digest && existsSync(addonFile)) {
    say(`${what} up to date`);
    process.exit(0);
  }
  const nodeGyp = findNodeGyp();
  if (!nodeGyp) unavailable('node-gyp not found (it comes with npm; or install it: npm install -g node-gyp)');

  say(`compiling the ${what} (node-gyp)...`);
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
    env: { ...process.env, ...env },
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
    say(`compiling the ${what} failed after ${seconds} s (see above)`);
    process.exit(optional ? 0 : 1);
  }
  writeStatus({ built: true, hash: digest, ...env, seconds, node: process.versions.node });
  say(`${what} built in ${seconds} s`);
}
