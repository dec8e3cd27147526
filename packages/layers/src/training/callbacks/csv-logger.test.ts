/**
 * `csvLogger` writes Keras' CSV: `epoch` and the logs sorted by name, validation columns from the start with `NA`
 * where an epoch did not validate, through a sink or a Node file (appending without a second header).
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';
import { dense } from '../../layers/dense.js';
import type { Model } from '../../models/model.js';
import { sequential } from '../../models/sequential.js';
import { cpuBackend, seeded } from '../test-helpers.js';
import type { Logs } from './callback.js';
import { csvLogger } from './csv-logger.js';

type T = tf.Tensor;
const backend = cpuBackend();
const X = Array.from({ length: 16 }, (_, i) => seeded(2, `x${i}`));
const Y = X.map((r) => [r[0]! - r[1]!]);

function tiny(): Model<T> {
  const m = sequential<T>([dense({ units: 1, inputShape: [2] })], { backend, seed: 1 });
  m.compile({ optimizer: 'sgd', loss: 'mse', metrics: ['mae'] });
  return m;
}

/** A sink that keeps what it is given. */
function memorySink() {
  const sink = {
    text: '',
    closed: false,
    write: (t: string) => {
      sink.text += t;
    },
    close: () => {
      sink.closed = true;
    },
  };
  return sink;
}

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe('csvLogger', () => {
  it('writes a header and one row per epoch, NA where an epoch did not validate', async () => {
    const m = tiny();
    const sink = memorySink();
    const history = await m.fit(X, Y, {
      epochs: 3,
      verbose: 0,
      validationData: [X, Y],
      validationFreq: 2,
      callbacks: [csvLogger(sink)],
    });
    const h = history.history;
    expect(sink.text).toBe(
      'epoch,loss,mae,val_loss,val_mae\n' +
        `0,${h.loss![0]},${h.mae![0]},NA,NA\n` +
        `1,${h.loss![1]},${h.mae![1]},${h.val_loss![0]},${h.val_mae![0]}\n` +
        `2,${h.loss![2]},${h.mae![2]},NA,NA\n`,
    );
    expect(sink.closed).toBe(true);
  });

  it('quotes fields that hold the separator, with any separator', async () => {
    const m = tiny();
    const sink = memorySink();
    const addLog = {
      onEpochEnd: (_e: number, logs: Logs) => {
        logs['a;b'] = 1;
      },
    };
    await m.fit(X, Y, { epochs: 1, verbose: 0, callbacks: [addLog, csvLogger(sink, { separator: ';' })] });
    expect(sink.text.split('\n')[0]).toBe('epoch;"a;b";loss;mae');
  });

  it('writes a file in Node, and appends to it without a second header', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'seqmodel-csv-'));
    dirs.push(dir);
    const file = join(dir, 'log.csv');
    await writeFile(file, 'old content\n');
    await tiny().fit(X, Y, { epochs: 2, verbose: 0, callbacks: [csvLogger(file)] });
    const first = await readFile(file, 'utf8');
    expect(first.split('\n')).toHaveLength(4); // header, 2 rows, the final newline
    expect(first.startsWith('epoch,loss,mae\n0,')).toBe(true);
    await tiny().fit(X, Y, { epochs: 1, verbose: 0, callbacks: [csvLogger(file, { append: true })] });
    const second = await readFile(file, 'utf8');
    expect(second.startsWith(first)).toBe(true);
    expect(second.slice(first.length)).toMatch(/^0,[^\n]+\n$/);
    // Appending to a file that does not exist yet starts it with a header.
    const fresh = join(dir, 'fresh.csv');
    await tiny().fit(X, Y, { epochs: 1, verbose: 0, callbacks: [csvLogger(fresh, { append: true })] });
    expect((await readFile(fresh, 'utf8')).startsWith('epoch,loss,mae\n0,')).toBe(true);
  });

  it('imports no Node module at load, so that it runs in browsers', async () => {
    const source = await readFile(new URL('./csv-logger.ts', import.meta.url), 'utf8');
    expect(source).not.toMatch(/^import[^;]*from 'node:/m);
  });

  it('names bad arguments', () => {
    expect(() => csvLogger(3 as never)).toThrow(
      'csvLogger(target): expected a file path or a sink { write(text) }, received 3',
    );
    expect(() => csvLogger('x.csv', { seperator: ';' } as never)).toThrow(
      'csvLogger options: unknown option "seperator" (did you mean "separator"?)',
    );
    expect(() => csvLogger('x.csv', { separator: '"' })).toThrow(
      'csvLogger separator: expected a non-empty string without quotes or line breaks, received "\\""',
    );
  });
});
