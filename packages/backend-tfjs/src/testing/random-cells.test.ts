import { describe, expect, it } from 'vitest';
import { randomCellRun } from './random-cells.js';

describe('randomCellRun', () => {
  it("keeps a test's options when the environment asks for nothing", () => {
    expect(randomCellRun({ seeds: 200 }, {})).toEqual({ seeds: 200 });
    expect(randomCellRun({ seeds: 30, units: 6 }, { SEQMODEL_RANDOM_CELL_SEEDS: '' })).toEqual({
      seeds: 30,
      units: 6,
    });
  });

  it('takes a count or an inclusive range of seeds, and sizes, from the environment', () => {
    expect(randomCellRun({ seeds: 200 }, { SEQMODEL_RANDOM_CELL_SEEDS: '3' })).toEqual({ seeds: [0, 1, 2] });
    expect(randomCellRun({ seeds: 200 }, { SEQMODEL_RANDOM_CELL_SEEDS: ' 3000 - 3002 ' })).toEqual({
      seeds: [3000, 3001, 3002],
    });
    expect(randomCellRun({ seeds: 200 }, { SEQMODEL_RANDOM_CELL_SEEDS: '7-7' })).toEqual({ seeds: [7] });
    expect(randomCellRun({ seeds: 200 }, { SEQMODEL_RANDOM_CELL_SEEDS: '1000000' }).seeds).toHaveLength(
      1_000_000,
    );
    expect(randomCellRun({ seeds: 200, units: 6 }, { SEQMODEL_RANDOM_CELL_SIZES: '2x5x3x5' })).toEqual({
      seeds: 200,
      batch: 2,
      time: 5,
      inputSize: 3,
      units: 5,
    });
  });

  it('names the variable, the value and what it takes when a value is bad', () => {
    for (const bad of ['0', '5-4', 'abc', '1-2-3', '-3', '1.5', '1000001', '5-1000005']) {
      expect(() => randomCellRun({ seeds: 1 }, { SEQMODEL_RANDOM_CELL_SEEDS: bad })).toThrow(
        `SEQMODEL_RANDOM_CELL_SEEDS: expected a count N (seeds 0 to N - 1) or a range A-B (A <= B), of at most 1000000 seeds, received "${bad}"`,
      );
    }
    for (const bad of ['2x5x3', '2x5x3x0', '2x5xax5', '2x5x3x5x1']) {
      expect(() => randomCellRun({ seeds: 1 }, { SEQMODEL_RANDOM_CELL_SIZES: bad })).toThrow(
        `SEQMODEL_RANDOM_CELL_SIZES: expected batch x time x input x units, four integers >= 1 such as 2x5x2x5, received "${bad}"`,
      );
    }
  });
});
