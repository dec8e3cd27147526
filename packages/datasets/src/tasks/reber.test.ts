import { createRng } from '@seqmodel/core';
import { describe, expect, it } from 'vitest';
import {
  embeddedReberNextSymbols,
  embeddedReberString,
  embeddedReberTask,
  REBER_SYMBOLS,
  reberString,
} from './reber.js';

// Independent recognisers, derived by hand from the Reber automaton.
const REBER = '(?:(?:TS*X|PT*VP)(?:XT*VP)*(?:XT*VV|S)|PT*VV)';
const reber = new RegExp(`^B${REBER}E$`);
const embedded = new RegExp(`^B(T|P)B${REBER}E\\1E$`);

describe('Reber grammar', () => {
  it('generates only strings of the grammar', () => {
    const rng = createRng(1);
    for (let i = 0; i < 2000; i++) expect(reberString(rng)).toMatch(reber);
    for (let i = 0; i < 2000; i++) expect(embeddedReberString(rng)).toMatch(embedded);
  });

  it('lists the legal next symbols of a hand-checked string', () => {
    expect(embeddedReberNextSymbols('BTBTXSETE')).toEqual([
      ['T', 'P'], // after B
      ['B'], // after BT
      ['T', 'P'], // after the inner B
      ['S', 'X'], // inner state 2
      ['X', 'S'], // inner state 4
      ['E'], // inner end
      ['T'], // must repeat the second symbol
      ['E'],
      [],
    ]);
    expect(embeddedReberNextSymbols('BPBPVVEPE')[6]).toEqual(['P']);
    expect(() => embeddedReberNextSymbols('BTBTXSEPE')).toThrow('symbol 7 breaks the grammar');
    expect(() => embeddedReberNextSymbols('BTBTTE')).toThrow('symbol 4 breaks the grammar');
  });
});

describe('embeddedReberTask', () => {
  const task = embeddedReberTask({ numSamples: 2000, seed: 3 });
  const steps = task.inputs.shape[1]!;

  it('encodes each string without its final E, post-padded, with mask and lengths', () => {
    expect(task.targets!.shape).toEqual([2000, steps, 7]);
    const wrong: string[] = [];
    task.strings.forEach((s, i) => {
      if (!embedded.test(s) || task.lengths![i] !== s.length - 1) wrong.push(`string ${i}`);
      for (let t = 0; t < steps; t++) {
        const id = task.inputs.data[i * steps + t]!;
        if (id !== (t < s.length - 1 ? REBER_SYMBOLS.indexOf(s[t] as never) + 1 : 0))
          wrong.push(`id ${i},${t}`);
        if (task.mask!.data[i * steps + t] !== (t < s.length - 1 ? 1 : 0)) wrong.push(`mask ${i},${t}`);
      }
    });
    expect(wrong).toEqual([]);
  });

  it('targets the legal successors, and the second-to-last target repeats the second symbol', () => {
    let tCount = 0;
    task.strings.forEach((s, i) => {
      const row = (t: number) =>
        REBER_SYMBOLS.filter((_, k) => task.targets!.data[(i * steps + t) * 7 + k] === 1).join('');
      expect(row(0)).toBe('TP');
      expect(row(1)).toBe('B');
      expect(row(s.length - 3)).toBe(s[1]);
      expect(row(s.length - 2)).toBe('E');
      if (s[1] === 'T') tCount++;
    });
    // T and P are equally likely: a model without memory of the second symbol is right half the time.
    expect(Math.abs(tCount / 2000 - 0.5)).toBeLessThan(0.04);
    expect(task.info.baselines[0]!.value).toBe(0.5);
  });

  it('respects maxLength and is deterministic (golden strings)', () => {
    const short = embeddedReberTask({ numSamples: 200, maxLength: 12, seed: 0 });
    expect(short.strings.every((s) => s.length <= 12)).toBe(true);
    expect(embeddedReberTask({ numSamples: 3, seed: 0 }).strings).toEqual(GOLDEN_STRINGS);
    expect(() => embeddedReberTask({ maxLength: 8 })).toThrow('maxLength: expected an integer >= 9');
  });
});

// Golden values: recorded from this implementation to lock determinism across runs and platforms.
const GOLDEN_STRINGS = ['BTBPTVVETE', 'BPBPTTVPXVPXVPSEPE', 'BTBTSSXXTVPSETE'];
