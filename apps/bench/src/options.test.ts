import { describe, expect, it } from 'vitest';
import { parseCommand, parseInteger, parseList } from './options.js';
import { formatSize, presets } from './sizes.js';

function run(argv: string[]) {
  const c = parseCommand(argv);
  if (c.kind !== 'run') throw new Error(`expected a run, got ${c.kind}`);
  return c;
}

describe('run flags', () => {
  it('defaults to the default preset, every backend, cell and mode', () => {
    const { config, json, markdown } = run([]);
    expect(config.preset).toBe('default');
    expect(config.backends).toEqual(['cpu', 'wasm', 'native', 'webgl', 'webgpu', 'cuda']);
    expect(config.cells).toEqual([
      'simpleRNN',
      'lstm',
      'gru',
      'gruResetAfter',
      'mgu',
      'peepholeLstm',
      'indRnn',
      'layerNormLstm',
    ]);
    expect(config.modes).toEqual(['forward', 'train']);
    expect(config.path).toBe('fused');
    expect(config.sizes).toEqual(presets.default.sizes);
    expect([config.repeats, config.minTimeMs, config.warmup, config.seed, config.matMulSize]).toEqual([
      5, 100, 2, 2024, 1024,
    ]);
    expect([config.threads, config.torch]).toEqual([1, false]);
    expect(json).toBeUndefined();
    expect(markdown).toBeUndefined();
    expect(run(['run']).config).toEqual(config);
  });

  it('takes a preset and lets flags override it', () => {
    const quick = run(['--preset', 'quick']).config;
    expect(quick.sizes).toEqual(presets.quick.sizes);
    expect(quick.repeats).toBe(presets.quick.repeats);
    expect(run(['--quick']).config).toEqual(quick);
    const custom = run([
      '--preset=large',
      '--backends',
      'wasm,cpu,wasm',
      '--cells',
      'gru,mgu',
      '--sizes',
      '32x64x32x128,64x100x64x256',
      '--modes',
      'train',
      '--path',
      'generic',
      '--repeats',
      '7',
      '--min-time',
      '0',
      '--warmup',
      '3',
      '--seed',
      '5',
      '--matmul',
      '0',
      '--threads',
      '2',
      '--torch',
      '--json',
      'out.json',
      '--markdown',
      'report',
    ]);
    expect(custom.config.preset).toBe('large');
    expect(custom.config.backends).toEqual(['wasm', 'cpu']);
    expect(custom.config.cells).toEqual(['gru', 'mgu']);
    expect(custom.config.sizes.map(formatSize)).toEqual(['32x64x32x128', '64x100x64x256']);
    expect(custom.config.modes).toEqual(['train']);
    expect(custom.config.path).toBe('generic');
    expect([
      custom.config.repeats,
      custom.config.warmup,
      custom.config.seed,
      custom.config.matMulSize,
    ]).toEqual([7, 3, 5, 0]);
    expect([custom.config.threads, custom.config.torch]).toEqual([2, true]);
    expect(custom.json).toBe('out.json');
    expect(custom.markdown).toBe('report');
  });

  it('names the flag, the value and what is allowed in every error', () => {
    expect(() => run(['--preset', 'huge'])).toThrow(
      '--preset: expected one of quick, default, large, received "huge"',
    );
    expect(() => run(['--backends', 'cpu,tpu'])).toThrow(
      '--backends: unknown "tpu" in "cpu,tpu"; expected a comma-separated list of cpu, wasm, native, webgl, webgpu, cuda (or all)',
    );
    expect(() => run(['--cells', 'lstm,transformer'])).toThrow(
      '--cells: unknown "transformer" in "lstm,transformer"; expected a comma-separated list of simpleRNN, lstm, gru, gruResetAfter, mgu',
    );
    expect(() => run(['--modes', 'forward,'])).toThrow('--modes: an empty item in "forward,"');
    expect(() => run(['--sizes', '32x64'])).toThrow(
      '--sizes: size "32x64": expected batch x time x input x units',
    );
    expect(() => run(['--path', 'fast'])).toThrow(
      '--path: expected one of fused, compiled, generic, received "fast"',
    );
    expect(() => run(['--repeats', '0'])).toThrow('--repeats: expected an integer >= 1, received "0"');
    expect(() => run(['--min-time=-1'])).toThrow('--min-time: expected an integer >= 0, received "-1"');
    expect(() => run(['--warmup', '0'])).toThrow('--warmup: expected an integer >= 1, received "0"');
    expect(() => run(['--seed', '1.5'])).toThrow('--seed: expected an integer >= 0, received "1.5"');
    expect(() => run(['--matmul', 'big'])).toThrow('--matmul: expected an integer >= 0, received "big"');
    expect(() => run(['--threads', '0'])).toThrow('--threads: expected an integer >= 1, received "0"');
    expect(() => run(['--quick', '--preset', 'large'])).toThrow('--quick: conflicts with --preset large');
    expect(() => run(['--json', ''])).toThrow('--json: expected a path, received ""');
    expect(() => run(['--fast'])).toThrow("Unknown option '--fast'");
    expect(() => run(['--fast'])).toThrow('(see --help)');
    expect(() => run(['extra'])).toThrow('unexpected argument "extra"');
  });

  it('parses lists and integers', () => {
    expect(parseList('--x', 'all', ['a', 'b'])).toEqual(['a', 'b']);
    expect(parseList('--x', ' b , a ', ['a', 'b'])).toEqual(['b', 'a']);
    expect(parseInteger('--x', '12', 1)).toBe(12);
    expect(() => parseInteger('--x', '1e3', 1)).toThrow('--x: expected an integer >= 1, received "1e3"');
  });
});

describe('whole-model workloads', () => {
  it('runs none by default; --layers adds them after the cells; bench layers runs only them', () => {
    expect(run([]).config.layers).toEqual([]);
    expect(run(['--layers', 'dense,embedding-lstm-v87']).config.layers).toEqual([
      'dense',
      'embedding-lstm-v87',
    ]);
    const layers = run(['layers']).config;
    expect(layers.cells).toEqual([]);
    expect(layers.layers).toEqual(['embedding-lstm-v87', 'embedding-lstm-v1600', 'dense']);
    expect(layers.matMulSize).toBe(0);
    expect(run(['layers', '--backends', 'cpu', '--layers', 'dense', '--matmul', '64']).config).toMatchObject({
      backends: ['cpu'],
      layers: ['dense'],
      matMulSize: 64,
    });
    expect(run(['--cells', 'none', '--layers', 'all']).config.cells).toEqual([]);
  });

  it('names a bad workload and refuses a run with nothing to do', () => {
    expect(() => run(['--layers', 'dens'])).toThrow(
      '--layers: unknown "dens" in "dens"; expected a comma-separated list of embedding-lstm-v87, embedding-lstm-v1600, dense (or all, or none)',
    );
    expect(() => run(['layers', '--layers', 'none'])).toThrow(
      '--cells none and --layers none: nothing to run',
    );
  });
});

describe('other commands', () => {
  it('parses compare, report, list and help', () => {
    expect(parseCommand(['compare', 'a.json', 'b.json'])).toEqual({
      kind: 'compare',
      before: 'a.json',
      after: 'b.json',
      threshold: 0.05,
      failOnRegression: false,
    });
    expect(
      parseCommand(['compare', 'a.json', 'b.json', '--threshold', '0.1', '--fail-on-regression']),
    ).toMatchObject({
      threshold: 0.1,
      failOnRegression: true,
    });
    expect(() => parseCommand(['compare', 'a.json'])).toThrow(
      'compare: expected two result files (before and after), received 1',
    );
    expect(() => parseCommand(['compare', 'a', 'b', '--threshold', '5'])).toThrow(
      '--threshold: expected a number in [0, 1) such as 0.05 (5%), received "5"',
    );
    expect(parseCommand(['report', 'r.json', '--markdown', 'out'])).toEqual({
      kind: 'report',
      file: 'r.json',
      markdown: 'out',
    });
    expect(parseCommand(['list'])).toEqual({ kind: 'list' });
    expect(parseCommand(['--help'])).toEqual({ kind: 'help' });
    expect(parseCommand(['compare', '--help'])).toEqual({ kind: 'help' });
  });
});
