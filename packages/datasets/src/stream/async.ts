/**
 * Async pipelines for data that does not fit in memory: read rows from a stream, cut windows, shuffle within a
 * buffer, batch, and prefetch the next batches while the model works on the current one. Each step is an async
 * generator, so the pipeline pulls data only as fast as it is consumed.
 */
import { checkOptions, checkPositiveInteger, createRng, invalidArgument } from '@seqmodel/core';
import type { SequenceBatch } from '../batch.js';
import { checkSeed, flag } from '../checks.js';
import {
  type CollateOptions,
  collateExamples,
  collateOptionKeys,
  type Example,
} from '../transforms/collate.js';
import { resolveWindowOptions, type WindowOptions } from '../transforms/windows.js';

/** `source` after checking that it is an iterable or async iterable (`argument` names it in the error). */
function iterableSource<T>(
  argument: string,
  source: AsyncIterable<T> | Iterable<T>,
): AsyncIterable<T> | Iterable<T> {
  if (
    source === null ||
    typeof source !== 'object' ||
    !(Symbol.asyncIterator in source || Symbol.iterator in source)
  ) {
    invalidArgument(argument, source, 'an iterable or async iterable');
  }
  return source;
}

/** Applies `fn` to every item (sync or async). */
export async function* mapAsync<T, U>(
  source: AsyncIterable<T> | Iterable<T>,
  fn: (item: T, index: number) => U | Promise<U>,
): AsyncGenerator<U> {
  if (typeof fn !== 'function') invalidArgument('fn', fn, 'a function (item, index) => value');
  let i = 0;
  for await (const item of iterableSource('source', source)) yield await fn(item, i++);
}

/**
 * Sliding windows over a stream of rows (one `ArrayLike<number>` of features per time step), holding only one
 * window in memory. Each example's `input` is `inputLength` rows and its `target` the `horizon` rows (target
 * columns only) after the gap. Same windows, in the same order, as `slidingWindows`.
 */
export async function* windowsAsync(
  rows: AsyncIterable<ArrayLike<number>> | Iterable<ArrayLike<number>>,
  options: WindowOptions,
): AsyncGenerator<Example> {
  let o: ReturnType<typeof resolveWindowOptions> | undefined;
  let features = 0;
  const buffer: Float32Array[] = [];
  let t = 0;
  for await (const row of iterableSource('rows', rows)) {
    if (!o) {
      features = row.length;
      o = resolveWindowOptions('windowsAsync', options, features);
    }
    if (row.length !== features)
      invalidArgument(`rows[${t}]`, row, `${features} features, like the first row`);
    buffer.push(Float32Array.from(row));
    if (buffer.length > o.span) buffer.shift();
    // The window starting at step t − span + 1 is complete when step t arrives.
    const start = t - o.span + 1;
    if (start >= 0 && start % o.stride === 0) {
      const target = buffer
        .slice(o.inputLength + o.gap)
        .map((r) => Float32Array.from(o!.targetColumns, (c) => r[c]!));
      yield { input: buffer.slice(0, o.inputLength), target };
    }
    t++;
  }
  if (t === 0) invalidArgument('rows', [], 'a non-empty series');
  if (t < o!.span) {
    invalidArgument('inputLength + gap + horizon', o!.span, `at most the series length (${t})`);
  }
}

/** Seeded shuffling within a buffer of `bufferSize` items, like tf.data's `shuffle(bufferSize, seed)`. */
export async function* shuffleAsync<T>(
  source: AsyncIterable<T> | Iterable<T>,
  options: { bufferSize: number; seed?: number | string },
): AsyncGenerator<T> {
  checkOptions('shuffleAsync(options)', options, ['bufferSize', 'seed']);
  const size = checkPositiveInteger('bufferSize', options?.bufferSize);
  const rng = createRng(checkSeed('seed', options.seed ?? 0));
  const buffer: T[] = [];
  for await (const item of iterableSource('source', source)) {
    if (buffer.length < size) {
      buffer.push(item);
      continue;
    }
    const i = rng.int(size);
    const out = buffer[i]!;
    buffer[i] = item;
    yield out;
  }
  while (buffer.length > 0) {
    const i = rng.int(buffer.length);
    const out = buffer[i]!;
    buffer[i] = buffer[buffer.length - 1]!;
    buffer.pop();
    yield out;
  }
}

export interface AsyncBatchOptions extends CollateOptions {
  batchSize: number;
  dropRemainder?: boolean;
}

/** Groups a stream of examples into padded batches (see `collate`); `indices` count examples from 0. */
export async function* batchAsync(
  examples: AsyncIterable<Example> | Iterable<Example>,
  options: AsyncBatchOptions,
): AsyncGenerator<SequenceBatch> {
  checkOptions('batchAsync(options)', options, [...collateOptionKeys, 'batchSize', 'dropRemainder']);
  const batchSize = checkPositiveInteger('batchSize', options?.batchSize);
  const dropRemainder = flag('dropRemainder', options.dropRemainder, false);
  let pending: Example[] = [];
  let seen = 0;
  const flush = (): SequenceBatch => {
    const indices = Int32Array.from({ length: pending.length }, (_, i) => seen - pending.length + i);
    const batch = { ...collateExamples(pending, options), indices };
    pending = [];
    return batch;
  };
  for await (const example of iterableSource('examples', examples)) {
    pending.push(example);
    seen++;
    if (pending.length === batchSize) yield flush();
  }
  if (pending.length > 0 && !dropRemainder) yield flush();
}

/**
 * Pulls up to `bufferSize` items ahead of the consumer, so that reading and parsing the next batches overlaps
 * with work on the current one (tf.data's `prefetch`). Errors of the source surface at the item where they
 * happened; stopping early stops the source.
 */
export async function* prefetch<T>(
  source: AsyncIterable<T> | Iterable<T>,
  bufferSize = 2,
): AsyncGenerator<T> {
  checkPositiveInteger('bufferSize', bufferSize);
  const items = iterableSource('source', source);
  const iterator = (async function* () {
    yield* items;
  })();
  const queue: Promise<IteratorResult<T>>[] = [];
  // Async generators queue calls to next(), so several can be outstanding; they settle in order.
  const request = () => {
    const p = iterator.next();
    p.catch(() => {}); // surfaced when awaited below; avoids an unhandled rejection if never awaited
    queue.push(p);
  };
  try {
    for (let i = 0; i < bufferSize; i++) request();
    while (true) {
      const result = await queue.shift()!;
      if (result.done) return;
      request();
      yield result.value;
    }
  } finally {
    await iterator.return(undefined).catch(() => {});
  }
}
