/**
 * The packages as a user gets them: packed into tarballs (`scripts/pack-all.mjs`, what `pnpm publish` would
 * upload), installed with npm into a fresh project outside the repository (TensorFlow.js from the npm registry),
 * then imported in ESM and CommonJS, typechecked under `moduleResolution` nodenext and bundler, linted with publint
 * and "are the types wrong", and every README example marked `runnable` run against them.
 *
 * Needs the packages built (`pnpm test` builds them first) and the npm registry. Everything it writes, npm's cache
 * included, goes to one temporary folder that is removed at the end.
 */
import { spawn } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { publint } from 'publint';
import { formatMessage } from 'publint/utils';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packAll, publishablePackages } from '../../scripts/pack-all.mjs';
import { importedPackages, installedPackages, runnableSnippets, type Snippet } from './readme-snippets.js';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = join(here, '..', '..');
const packages = publishablePackages(repoRoot);
const readmes = ['README.md', ...packages.map(({ dir }) => relative(repoRoot, join(dir, 'README.md')))];
const snippets: Snippet[] = readmes.flatMap((file) =>
  runnableSnippets(file, readFileSync(join(repoRoot, file), 'utf8')),
);

// npm gets none of the npm_config_* settings that the pnpm / npx running this test exports (cache, prefix, user
// agent, ...), and a cache of its own; registry, certificate and proxy settings pass through.
const KEPT_NPM_SETTINGS =
  /^npm_config_(registry|cafile|ca|proxy|https_proxy|noproxy|strict_ssl|userconfig)$/i;

function cleanEnv(cache: string): NodeJS.ProcessEnv {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key) || KEPT_NPM_SETTINGS.test(key)),
  );
  return { ...env, npm_config_cache: cache, npm_config_update_notifier: 'false', NODE_OPTIONS: '' };
}

interface RunResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command without blocking, so that the slow checks (npm, tsc, attw) overlap. */
function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

async function expectSuccess(running: Promise<RunResult>, what: string): Promise<string> {
  const result = await running;
  if (result.status !== 0) {
    throw new Error(
      `${what}: expected exit status 0, received ${result.status}\n${result.stderr}\n${result.stdout}`,
    );
  }
  return result.stdout;
}

/** The JSON a fixture prints on its last line (tfjs may print a notice before it). */
function lastJsonLine(stdout: string): unknown {
  const line = stdout.trim().split('\n').at(-1) ?? '';
  return JSON.parse(line);
}

const TSC = join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc');
const ATTW = join(repoRoot, 'node_modules', '.bin', 'attw');

/** A consumer's strict settings; default `lib` (with DOM) and `skipLibCheck: false`, so our .d.ts files are checked. */
function tsconfig(module: string, moduleResolution: string, files: string[]): string {
  const compilerOptions = {
    module,
    moduleResolution,
    target: 'es2022',
    strict: true,
    noEmit: true,
    skipLibCheck: false,
  };
  return JSON.stringify({ compilerOptions, files }, null, 2);
}

function snippetFile(snippet: Snippet, extension: string): string {
  return `${snippet.file.replace(/[/.]/g, '-')}-L${snippet.line}.${extension}`;
}

describe('packed packages installed with npm into a fresh project', () => {
  let work = '';
  let app = '';
  let env: NodeJS.ProcessEnv = {};
  let tarballs: Record<string, string> = {};
  /** attw runs on the tarballs alone: started before the install, awaited by its test. */
  const attw = new Map<string, Promise<RunResult>>();

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'seqmodel-packaging-'));
    app = join(work, 'app');
    env = cleanEnv(join(work, 'npm-cache'));
    tarballs = packAll(join(work, 'tarballs'), packages);
    for (const [name, tarball] of Object.entries(tarballs)) {
      attw.set(name, run(ATTW, [tarball, '--format', 'ascii'], work, env));
    }

    mkdirSync(join(app, 'readme'), { recursive: true });
    writeFileSync(
      join(app, 'package.json'),
      `${JSON.stringify({ name: 'fresh-app', private: true }, null, 2)}\n`,
    );
    cpSync(join(here, 'fixtures'), app, { recursive: true });
    // The install line the READMEs give, with tarballs in place of registry names.
    const install = [
      'install',
      '--no-audit',
      '--no-fund',
      ...Object.values(tarballs),
      '@tensorflow/tfjs-core@4.22.0',
    ];
    await expectSuccess(run('npm', install, app, env), 'npm install');

    for (const kind of ['mts', 'cts', 'ts']) cpSync(join(app, 'typed.ts'), join(app, `typed-check.${kind}`));
    const tsSnippets = snippets
      .filter((s) => s.language === 'ts')
      .map((s) => `readme/${snippetFile(s, 'mts')}`);
    for (const snippet of snippets) {
      const source = join(app, 'readme', snippetFile(snippet, snippet.language === 'ts' ? 'mts' : 'mjs'));
      writeFileSync(source, snippet.code);
      if (snippet.language === 'ts') {
        const js = ts.transpileModule(snippet.code, {
          compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
        }).outputText;
        writeFileSync(join(app, 'readme', snippetFile(snippet, 'mjs')), js);
      }
    }
    const nodenextFiles = ['typed-check.mts', 'typed-check.cts', ...tsSnippets];
    writeFileSync(join(app, 'tsconfig.nodenext.json'), tsconfig('nodenext', 'nodenext', nodenextFiles));
    writeFileSync(join(app, 'tsconfig.bundler.json'), tsconfig('esnext', 'bundler', ['typed-check.ts']));
    // The install compiles backend-native's addon (g++) and backend-cuda's (nvcc) where the compilers exist: minutes
    // on two loaded cores.
  }, 600_000);

  // Removing a node_modules tree of tens of thousands of files takes well over vitest's 10 s hook default when the
  // machine is loaded (seen at load average 20 on 2 cores).
  afterAll(() => {
    if (work !== '') rmSync(work, { recursive: true, force: true });
  }, 120_000);

  it('installs every package from its tarball, with tfjs from the registry', () => {
    for (const { manifest } of packages) {
      const installed = join(app, 'node_modules', ...manifest.name.split('/'), 'package.json');
      expect(JSON.parse(readFileSync(installed, 'utf8')).version, manifest.name).toBe(manifest.version);
    }
    expect(existsSync(join(app, 'node_modules', '@tensorflow', 'tfjs-core', 'package.json'))).toBe(true);
    // Tests and sources never ship.
    for (const name of Object.keys(tarballs)) {
      const dir = join(app, 'node_modules', ...name.split('/'));
      expect(readdirSync(dir).sort(), name).not.toContain('src');
    }
  });

  it('runs in ESM (import) and CommonJS (require), with the same results on every backend', async () => {
    const [esm, cjs] = (
      await Promise.all([
        expectSuccess(run(process.execPath, ['esm.mjs'], app, env), 'node esm.mjs'),
        expectSuccess(run(process.execPath, ['cjs.cjs'], app, env), 'node cjs.cjs'),
      ])
    ).map(lastJsonLine);
    expect(cjs).toEqual(esm);
    const result = esm as {
      lstm: Record<'reference' | 'cpu' | 'wasm', number[][]>;
      kernelGradientShape: number[];
      tfjsPlanGroups: number;
      mguParams: number;
      prediction: number[][];
      birthsRows: number;
      addingShape: number[];
    };
    // float32 backends against the float64 reference, three LSTM steps: rounding stays near 1e-7.
    for (const backend of ['cpu', 'wasm'] as const) {
      result.lstm[backend][0]?.forEach((value, i) => {
        expect(Math.abs(value - (result.lstm.reference[0]?.[i] ?? Number.NaN)), backend).toBeLessThan(1e-5);
      });
    }
    expect(result.lstm.reference[0]).toHaveLength(4);
    expect(result.kernelGradientShape).toEqual([3, 16]);
    expect(result.tfjsPlanGroups).toBeGreaterThan(0);
    expect(result.mguParams).toBe(14080); // (45·64 + 64·64 + 64)·2
    expect(result.prediction.length).toBe(1);
    expect(result.prediction[0]).toHaveLength(2);
    expect(result.birthsRows).toBe(7305);
    expect(result.addingShape).toEqual([8, 6, 2]);
  });

  it('with both builds of @seqmodel/core loaded, a lookup in one names the cell registered in the other', async () => {
    const out = lastJsonLine(
      await expectSuccess(run(process.execPath, ['dual.mjs'], app, env), 'node dual.mjs'),
    ) as {
      message: string;
      builtInFound: string;
    };
    expect(out.message).toContain(
      'getCell: cell "mgu" is registered in another copy of @seqmodel/core loaded in this process',
    );
    expect(out.builtInFound).toBe('lstm');
  });

  it('typechecks under moduleResolution nodenext (ESM and CommonJS files, README TypeScript examples) and bundler', async () => {
    await Promise.all([
      expectSuccess(run(process.execPath, [TSC, '-p', 'tsconfig.nodenext.json'], app, env), 'tsc (nodenext)'),
      expectSuccess(run(process.execPath, [TSC, '-p', 'tsconfig.bundler.json'], app, env), 'tsc (bundler)'),
    ]);
  });

  for (const snippet of snippets) {
    it(`the example at ${snippet.file}:${snippet.line} runs`, async () => {
      const file = join('readme', snippetFile(snippet, 'mjs'));
      await expectSuccess(run(process.execPath, [file], app, env), `node ${file}`);
    });
  }

  for (const { manifest } of packages) {
    it(`${manifest.name}: publint reports nothing`, async () => {
      const tarball = readFileSync(tarballs[manifest.name] ?? '');
      const data = tarball.buffer.slice(tarball.byteOffset, tarball.byteOffset + tarball.byteLength);
      const { messages, pkg } = await publint({ pack: { tarball: data }, level: 'suggestion' });
      expect(messages.map((message) => `${message.type}: ${formatMessage(message, pkg)}`)).toEqual([]);
    });

    it(`${manifest.name}: "are the types wrong" finds no problem`, async () => {
      const running = attw.get(manifest.name);
      if (running === undefined) throw new Error(`attw: expected a run for ${manifest.name}, received none`);
      await expectSuccess(running, `attw ${manifest.name}`);
    });
  }
});

describe('README examples and install lines', () => {
  const manifests = new Map(packages.map(({ manifest }) => [manifest.name, manifest]));

  /** The workspace packages npm would have to fetch for `names`: theirs and their dependencies' and peers'. */
  function workspaceClosure(names: Iterable<string>): Set<string> {
    const closure = new Set<string>();
    const visit = (name: string): void => {
      const manifest = manifests.get(name);
      if (manifest === undefined || closure.has(name)) return;
      closure.add(name);
      for (const dep of Object.keys({ ...manifest.dependencies, ...manifest.peerDependencies })) visit(dep);
    };
    for (const name of names) visit(name);
    return closure;
  }

  it('every package README has a runnable example', () => {
    for (const { dir } of packages) {
      const readme = relative(repoRoot, join(dir, 'README.md'));
      expect(snippets.filter((s) => s.file === readme).length, readme).toBeGreaterThan(0);
    }
  });

  for (const readme of readmes) {
    it(`${readme}: its npm install lines give every tarball its examples need`, () => {
      const installed = installedPackages(readFileSync(join(repoRoot, readme), 'utf8'));
      const own = packages.find(({ dir }) => relative(repoRoot, join(dir, 'README.md')) === readme);
      if (own !== undefined) expect([...installed], readme).toContain(own.manifest.name);
      const imported = snippets
        .filter((s) => s.file === readme)
        .flatMap((s) => [...importedPackages(s.code)]);
      const needed = new Set([...imported, ...workspaceClosure([...installed, ...imported])]);
      expect([...needed].filter((name) => !installed.has(name)).sort(), readme).toEqual([]);
    });
  }
});
