import { describe, expect, it } from 'vitest';
import { configFromQuery, DEFAULT_CONFIG, queryFromConfig, trainingKey } from './config.js';

const cells = ['simpleRNN', 'lstm', 'gru', 'mgu'];

describe('the URL holds the whole state', () => {
  it('round-trips every setting through the query string, writing only what differs from the defaults', () => {
    const config = {
      ...DEFAULT_CONFIG,
      task: 'copy' as const,
      lag: 25,
      cell: 'mgu',
      units: 32,
      depth: 2,
      bidirectional: true,
      attention: true,
      optimizer: 'rmsprop' as const,
      learningRate: 0.003,
      clip: 0,
      batchSize: 64,
      seed: 77,
      backend: 'cpu' as const,
      view: 'gates' as const,
      race: ['gru', 'mgu', 'simpleRNN'],
      steps: 120,
    };
    const query = queryFromConfig(config);
    expect(query).toBe(
      'task=copy&lag=25&cell=mgu&units=32&depth=2&bidi=1&attn=1&opt=rmsprop&lr=0.003&clip=0&batch=64&seed=77&backend=cpu&view=gates&race=gru%2Cmgu%2CsimpleRNN&steps=120',
    );
    expect(configFromQuery(query, cells)).toEqual({ config, ignored: [] });
    expect(queryFromConfig(DEFAULT_CONFIG)).toBe('');
    expect(configFromQuery('', cells).config).toEqual(DEFAULT_CONFIG);
  });

  it('clamps numbers into range, ignores unknown keys and values, and says which', () => {
    const { config, ignored } = configFromQuery(
      'units=100000&lr=-3&depth=2.6&cell=nope&task=chess&bidi=yes&race=lstm&what=1&seed=abc',
      cells,
    );
    expect(config.units).toBe(128);
    expect(config.learningRate).toBe(1e-5);
    expect(config.depth).toBe(3);
    expect(config.cell).toBe(DEFAULT_CONFIG.cell);
    expect(config.task).toBe(DEFAULT_CONFIG.task);
    expect(config.race).toEqual(DEFAULT_CONFIG.race);
    expect(ignored).toEqual(['cell=nope', 'task=chess', 'bidi=yes', 'race=lstm', 'what=1', 'seed=abc']);
  });

  it('restarts training only for settings that change the model or the data', () => {
    const base = trainingKey(DEFAULT_CONFIG);
    expect(trainingKey({ ...DEFAULT_CONFIG, view: 'code', steps: 9, race: ['gru', 'lstm'] })).toBe(base);
    expect(trainingKey({ ...DEFAULT_CONFIG, seed: 2 })).not.toBe(base);
    expect(trainingKey({ ...DEFAULT_CONFIG, units: 8 })).not.toBe(base);
  });
});
