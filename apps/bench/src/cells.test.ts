import { getCell } from '@seqmodel/core';
import { describe, expect, it } from 'vitest';
import { benchCell, describeBenchCell, listBenchCells, registerBenchPlugins } from './cells.js';

describe('bench cells', () => {
  it('lists the built-in variants, then the registered plugins, with tfjs-layers counterparts where they exist', () => {
    registerBenchPlugins();
    registerBenchPlugins(); // twice is harmless
    expect(getCell('mgu').name).toBe('mgu');
    const cells = listBenchCells();
    expect(cells.map((c) => c.key)).toEqual([
      'simpleRNN',
      'lstm',
      'gru',
      'gruResetAfter',
      'mgu',
      'peepholeLstm',
      'indRnn',
      'layerNormLstm',
    ]);
    const layers = Object.fromEntries(
      cells.map((c) => [c.key, 'layer' in c.tfjsLayers ? c.tfjsLayers.layer : null]),
    );
    expect(layers).toEqual({
      simpleRNN: 'simpleRNN',
      lstm: 'lstm',
      gru: 'gru',
      gruResetAfter: null,
      mgu: null,
      peepholeLstm: null,
      indRnn: null,
      layerNormLstm: null,
    });
    // Both sides use sigmoid gates (tfjs-layers defaults to hardSigmoid).
    expect(benchCell('lstm').options.recurrentActivation).toBe('sigmoid');
    expect(benchCell('gru').options).toEqual({ recurrentActivation: 'sigmoid', resetAfter: false });
    expect(describeBenchCell(benchCell('gruResetAfter'))).toMatch(
      /^gruResetAfter = gru \(recurrentActivation sigmoid, resetAfter true\)/,
    );
  });

  it('says why a cell has no tfjs-layers side, and names the flag for an unknown cell', () => {
    const reason = (key: string) => {
      const t = benchCell(key).tfjsLayers;
      return 'unavailable' in t ? t.unavailable : '';
    };
    expect(reason('gruResetAfter')).toContain('only resetAfter: false');
    expect(reason('mgu')).toContain('seqmodel plugin cell');
    expect(() => benchCell('lstn')).toThrow(
      '--cells: unknown cell "lstn"; expected one of simpleRNN, lstm, gru',
    );
  });
});
