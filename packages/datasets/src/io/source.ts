/**
 * Where data comes from: a file path or `file:` URL in Node, an `http(s):` / `blob:` / `data:` URL (fetched), a
 * `Blob` or `File`, a web `ReadableStream`, or any (async) iterable of byte or string chunks (a Node stream is
 * one). Everything is read as a stream of chunks; nothing here reads a whole file into memory.
 */
import { invalidArgument, SeqmodelError } from '@seqmodel/core';

export type Chunk = Uint8Array | string;

export type DataSource =
  | string
  | URL
  | Blob
  | ReadableStream<Uint8Array>
  | AsyncIterable<Chunk>
  | Iterable<Chunk>;

const fetchedProtocols = /^(https?|blob|data):/i;

function isReadableStream(x: unknown): x is ReadableStream<Uint8Array> {
  return typeof (x as ReadableStream)?.getReader === 'function';
}

async function* readWebStream(stream: ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array> {
  const reader = stream.getReader();
  try {
    while (true) {
      const { done, value } = await reader.read();
      if (done) return;
      yield value;
    }
  } finally {
    // Stops the download or file read when the consumer stops early.
    await reader.cancel().catch(() => {});
    reader.releaseLock();
  }
}

async function* readFile(path: string | URL): AsyncGenerator<Uint8Array> {
  // Loaded lazily so that browser bundles never need `node:fs`.
  const fs = await import('node:fs');
  const stream = fs.createReadStream(path);
  try {
    for await (const chunk of stream) yield chunk as Uint8Array;
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'ENOENT') throw new SeqmodelError(`source: no such file ${JSON.stringify(String(path))}`);
    throw error;
  } finally {
    stream.destroy();
  }
}

async function* fetchUrl(url: string): AsyncGenerator<Uint8Array> {
  const response = await fetch(url);
  if (!response.ok || !response.body) {
    throw new SeqmodelError(
      `source: could not fetch ${url} (HTTP ${response.status} ${response.statusText})`,
    );
  }
  yield* readWebStream(response.body);
}

/** The chunks of `source`, in order. */
export function openSource(source: DataSource): AsyncIterable<Chunk> {
  if (typeof source === 'string') {
    if (fetchedProtocols.test(source)) return fetchUrl(source);
    if (/^file:/i.test(source)) return readFile(new URL(source));
    return readFile(source);
  }
  if (source instanceof URL) {
    return source.protocol === 'file:' ? readFile(source) : fetchUrl(source.href);
  }
  if (typeof Blob !== 'undefined' && source instanceof Blob) return readWebStream(source.stream());
  if (isReadableStream(source)) return readWebStream(source);
  if (source && typeof (source as AsyncIterable<Chunk>)[Symbol.asyncIterator] === 'function') {
    return source as AsyncIterable<Chunk>;
  }
  if (source && typeof (source as Iterable<Chunk>)[Symbol.iterator] === 'function') {
    return (async function* () {
      yield* source as Iterable<Chunk>;
    })();
  }
  return invalidArgument(
    'source',
    source,
    'a path, a URL, a Blob/File, a ReadableStream or an (async) iterable of Uint8Array/string chunks',
  );
}

/** The text of `source` in decoded string chunks (UTF-8 unless `encoding` says otherwise; a BOM is dropped). */
export async function* streamText(
  source: DataSource,
  options: { encoding?: string } = {},
): AsyncGenerator<string> {
  const decoder = new TextDecoder(options.encoding ?? 'utf-8');
  let first = true;
  for await (const chunk of openSource(source)) {
    let text = typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
    if (first && text.length > 0) {
      if (typeof chunk === 'string' && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      first = false;
    }
    if (text.length > 0) yield text;
  }
  const rest = decoder.decode();
  if (rest.length > 0) yield rest;
}

/**
 * The lines of `source`, without their line endings (`\n` or `\r\n`), split incrementally as chunks arrive. A
 * final line without a newline is yielded too; a trailing newline does not add an empty line.
 */
export async function* streamLines(
  source: DataSource,
  options: { encoding?: string } = {},
): AsyncGenerator<string> {
  let rest = '';
  for await (const text of streamText(source, options)) {
    const buffer = rest + text;
    let start = 0;
    let end = buffer.indexOf('\n');
    while (end !== -1) {
      yield buffer.charCodeAt(end - 1) === 13 ? buffer.slice(start, end - 1) : buffer.slice(start, end);
      start = end + 1;
      end = buffer.indexOf('\n', start);
    }
    rest = buffer.slice(start);
  }
  if (rest.length > 0) yield rest.endsWith('\r') ? rest.slice(0, -1) : rest;
}

/** The whole text of `source` (for data that fits in memory, such as the shipped corpus). */
export async function loadText(source: DataSource, options: { encoding?: string } = {}): Promise<string> {
  const parts: string[] = [];
  for await (const text of streamText(source, options)) parts.push(text);
  return parts.join('');
}
