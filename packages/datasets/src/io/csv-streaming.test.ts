/**
 * Streams a generated CSV file of 100 MiB through `streamCsv` and checks that memory stays bounded.
 *
 * Reasoning for the limit: holding the file would take at least 100 MiB (as a Buffer, or as a one-byte-per-char
 * string) plus the parsed rows. Streaming holds one 64 KiB read chunk, its decoded string, the rows parsed from
 * it. The test measures what is retained, not what the collector has yet to reclaim: every sample of
 * `heapUsed + arrayBuffers` follows a full collection (`gc`, exposed for the test). Unreclaimed garbage made the
 * uncollected figure swing between 5 and 50 MiB on the same run (fresh clones of 2026-12-04: 4.9, 4.7 and 50.2 MiB),
 * so a limit on it failed by GC timing; the retained growth is one chunk and a few rows, and 16 MiB fails clearly
 * if the file (or the rows) were held.
 */
import { mkdtemp, open, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { streamCsv } from './csv.js';

const FILE_BYTES = 100 * 1024 * 1024;
const MEMORY_LIMIT = 16 * 1024 * 1024;

/** V8's full collection, without starting Node with --expose-gc: a new context gets `gc` once the flag is set. */
function collector(): () => void {
  setFlagsFromString('--expose-gc');
  try {
    return runInNewContext('gc') as () => void;
  } finally {
    setFlagsFromString('--no-expose-gc');
  }
}

const row = (r: number) => `${r},${(r % 1000) / 8},${(r % 7) - 3}\n`;

describe('streamCsv on a 100 MiB file', () => {
  let dir = '';
  let path = '';
  let rows = 0;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'seqmodel-stream-'));
    path = join(dir, 'big.csv');
    const file = await open(path, 'w');
    try {
      let bytes = 0;
      let chunk = 'index,value,small\n';
      while (bytes < FILE_BYTES) {
        for (let k = 0; k < 50_000; k++) chunk += row(rows++);
        await file.write(chunk);
        bytes += chunk.length; // ASCII: one byte per character
        chunk = '';
      }
    } finally {
      await file.close();
    }
  });

  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('reads every row with bounded memory', async () => {
    expect((await stat(path)).size).toBeGreaterThanOrEqual(FILE_BYTES);
    const gc = collector();
    const usage = () => {
      gc();
      const m = process.memoryUsage();
      return m.heapUsed + m.arrayBuffers;
    };
    const baseline = usage();
    let peak = 0;
    let count = 0;
    let sumValue = 0;
    let sumSmall = 0;
    let lastIndex = -1;
    let ordered = true;
    for await (const r of streamCsv(path, { columns: ['index', 'value', 'small'] })) {
      if (r.values[0] !== lastIndex + 1) ordered = false;
      lastIndex = r.values[0]!;
      sumValue += r.values[1]!;
      sumSmall += r.values[2]!;
      if (++count % 200_000 === 0) peak = Math.max(peak, usage() - baseline);
    }
    peak = Math.max(peak, usage() - baseline);
    console.info(`streamed ${count} rows; peak retained memory growth ${(peak / 2 ** 20).toFixed(1)} MiB`);

    let expectedValue = 0;
    let expectedSmall = 0;
    for (let r = 0; r < rows; r++) {
      expectedValue += (r % 1000) / 8;
      expectedSmall += (r % 7) - 3;
    }
    expect(count).toBe(rows);
    // About 5.5 million rows: every index is exact in float32 (below 2^24), so the order check is exact.
    expect(rows).toBeLessThan(2 ** 24);
    expect(ordered).toBe(true);
    expect(sumValue).toBe(expectedValue); // eighths are exact in float32 and in the float64 sum
    expect(sumSmall).toBe(expectedSmall);
    expect(peak).toBeLessThan(MEMORY_LIMIT);
  });
});
