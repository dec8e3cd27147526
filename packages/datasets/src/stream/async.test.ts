import { describe, expect, it } from 'vitest';
import { parseCsv, streamCsv } from '../io/csv.js';
import { collate } from '../transforms/collate.js';
import { slidingWindows } from '../transforms/windows.js';
import { batchAsync, mapAsync, prefetch, shuffleAsync, windowsAsync } from './async.js';

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}

const rows = Array.from({ length: 20 }, (_, t) => [t, 100 + t]);

describe('windowsAsync', () => {
  it('yields the same windows as slidingWindows, in order', async () => {
    const options = { inputLength: 4, horizon: 2, stride: 3, gap: 1, targetColumns: [1] };
    const examples = await collect(windowsAsync(rows, options));
    const expected = slidingWindows({ data: Float32Array.from(rows.flat()), shape: [20, 2] }, options);
    const batch = collate(examples);
    expect(batch.inputs.shape).toEqual(expected.inputs.shape);
    expect(Array.from(batch.inputs.data)).toEqual(Array.from(expected.inputs.data));
    expect(Array.from(batch.targets!.data)).toEqual(Array.from(expected.targets!.data));
  });

  it('rejects an empty stream, a window longer than the stream and ragged rows', async () => {
    await expect(collect(windowsAsync([], { inputLength: 2 }))).rejects.toThrow(
      'rows: expected a non-empty series',
    );
    await expect(collect(windowsAsync(rows.slice(0, 3), { inputLength: 3 }))).rejects.toThrow(
      'inputLength + gap + horizon: expected at most the series length (3), received 4',
    );
    await expect(collect(windowsAsync([[1, 2], [3]], { inputLength: 1 }))).rejects.toThrow(
      'rows[1]: expected 2 features, like the first row',
    );
  });
});

describe('batchAsync', () => {
  it('batches a stream like collate, numbering examples from 0', async () => {
    const examples = [{ input: [1, 2] }, { input: [3] }, { input: [4, 5, 6] }];
    const batches = await collect(batchAsync(examples, { batchSize: 2 }));
    expect(batches.map((b) => Array.from(b.indices))).toEqual([[0, 1], [2]]);
    expect(Array.from(batches[0]!.inputs.data)).toEqual([1, 2, 3, 0]);
    expect((await collect(batchAsync(examples, { batchSize: 2, dropRemainder: true }))).length).toBe(1);
    await expect(collect(batchAsync(examples, { batchSize: 0 }))).rejects.toThrow(
      'batchSize: expected a positive integer, received 0',
    );
  });
});

describe('shuffleAsync', () => {
  it('yields a seeded permutation, mixing within the buffer', async () => {
    const items = Array.from({ length: 100 }, (_, i) => i);
    const a = await collect(shuffleAsync(items, { bufferSize: 10, seed: 1 }));
    expect([...a].sort((x, y) => x - y)).toEqual(items);
    expect(a).not.toEqual(items);
    expect(await collect(shuffleAsync(items, { bufferSize: 10, seed: 1 }))).toEqual(a);
    expect(await collect(shuffleAsync(items, { bufferSize: 10, seed: 2 }))).not.toEqual(a);
    // An item can only move earlier by less than the buffer size.
    expect(a.every((item, position) => position >= item - 9)).toBe(true);
  });
});

describe('prefetch', () => {
  it('keeps the order and reads ahead of the consumer', async () => {
    let produced = 0;
    async function* source() {
      for (let i = 0; i < 10; i++) {
        produced++;
        yield i;
      }
    }
    const seen: number[] = [];
    const ahead: number[] = [];
    for await (const item of prefetch(source(), 3)) {
      await new Promise((resolve) => setTimeout(resolve, 1));
      ahead.push(produced - item);
      seen.push(item);
    }
    expect(seen).toEqual(Array.from({ length: 10 }, (_, i) => i));
    expect(Math.max(...ahead)).toBeGreaterThan(1);
  });

  it('surfaces errors of the source and stops the source when the consumer stops', async () => {
    async function* failing() {
      yield 1;
      throw new Error('disk on fire');
    }
    await expect(collect(prefetch(failing()))).rejects.toThrow('disk on fire');
    let closed = false;
    async function* endless() {
      try {
        for (let i = 0; ; i++) yield i;
      } finally {
        closed = true;
      }
    }
    for await (const item of prefetch(endless(), 2)) if (item === 3) break;
    expect(closed).toBe(true);
  });
});

describe('a streaming pipeline', () => {
  it('CSV rows -> windows -> batches gives what the in-memory path gives', async () => {
    const text = `t,x,y\n${Array.from({ length: 30 }, (_, t) => `${t},${t / 2},${t * t}`).join('\n')}\n`;
    const options = { inputLength: 5, horizon: 1, targetColumns: [1] };
    const stream = prefetch(
      batchAsync(
        windowsAsync(
          mapAsync(streamCsv([text], { columns: ['x', 'y'] }), (row) => row.values),
          options,
        ),
        { batchSize: 8 },
      ),
    );
    const batches = await collect(stream);
    const table = parseCsv(text, { columns: ['x', 'y'] });
    const expected = slidingWindows(table.values, options);
    expect(batches.map((b) => b.inputs.shape[0])).toEqual([8, 8, 8, 1]);
    expect(batches.flatMap((b) => Array.from(b.targets!.data))).toEqual(Array.from(expected.targets!.data));
  });
});
