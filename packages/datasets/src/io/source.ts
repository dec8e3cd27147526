/**
 * Where data comes from: a file path or `file:` URL in Node, an `http(s):` / `blob:` / `data:` URL (fetched), a
 * `Blob` or `File`, a web `ReadableStream`, or any (async) iterable of byte or string chunks (a Node stream is
 * one). Everything is read as a stream of chunks; nothing here reads a whole file into memory.
 */
import { checkOneOf, checkOptions, invalidArgument, SeqmodelError } from '@seqmodel/core';

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
    if (code === 'ENOENT') {
      throw new SeqmodelError(
        `source: expected an existing file, received ${JSON.stringify(String(path))} (no such file)`,
      );
    }
    throw error;
  } finally {
    stream.destroy();
  }
}

async function* fetchUrl(url: string): AsyncGenerator<Uint8Array> {
  const response = await fetch(url);
  if (!response.ok || !response.body) {
    throw new SeqmodelError(
      `source: expected a URL that can be fetched, received ${url} (HTTP ${response.status} ${response.statusText})`,
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

/** How bytes become text: UTF-8 (strict: invalid bytes are an error) or Latin-1 (ISO-8859-1, every byte a character). */
export type TextEncoding = 'utf-8' | 'latin1';

export interface TextOptions {
  /**
   * `'utf-8'` (default): invalid UTF-8 is an error naming its byte offset, never silently replaced. `'latin1'`:
   * each byte is the character of the same code point (ISO-8859-1, not windows-1252). A byte-order mark at the
   * start of UTF-8 text is dropped. String chunks are already text and are passed through.
   */
  encoding?: TextEncoding;
}

const encodings: readonly TextEncoding[] = ['utf-8', 'latin1'];

/** Checks `options` of the function `caller` (`loadText`, `streamCsv`, ...) and returns the encoding. */
export function textEncoding(
  caller: string,
  options: TextOptions | undefined,
  keys: readonly string[] = ['encoding'],
) {
  checkOptions(`${caller}(options)`, options as Record<string, unknown> | undefined, keys);
  return checkOneOf('encoding', options?.encoding ?? 'utf-8', encodings);
}

/**
 * The bytes that could start the next character after `bytes`: an incomplete UTF-8 sequence at its end (at most
 * three bytes), which the streaming decoder holds back until the next chunk.
 */
function incompleteTail(bytes: Uint8Array): Uint8Array {
  for (let i = bytes.length - 1; i >= Math.max(0, bytes.length - 3); i--) {
    const b = bytes[i]!;
    if ((b & 0xc0) === 0x80) continue;
    const need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
    return bytes.length - i < need ? bytes.slice(i) : new Uint8Array(0);
  }
  return new Uint8Array(0);
}

/**
 * Where the first malformed UTF-8 sequence of `bytes` starts (WHATWG's rules: no overlong forms, no surrogates,
 * nothing above U+10FFFF), or `bytes.length` when every sequence is well formed or only cut off at the end.
 */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    if (b < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let low = 0x80;
    let high = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) need = 1;
    else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      if (b === 0xe0) low = 0xa0;
      if (b === 0xed) high = 0x9f;
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      if (b === 0xf0) low = 0x90;
      if (b === 0xf4) high = 0x8f;
    } else return i;
    for (let k = 1; k <= need; k++) {
      if (i + k >= bytes.length) return bytes.length;
      const c = bytes[i + k]!;
      if (c < (k === 1 ? low : 0x80) || c > (k === 1 ? high : 0xbf)) return i;
    }
    i += need + 1;
  }
  return i;
}

function hexBytes(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => `0x${b.toString(16).padStart(2, '0')}`).join(' ');
}

/** Strict streaming UTF-8: an error names the byte offset of the first malformed sequence. */
class Utf8Decoder {
  private readonly decoder = new TextDecoder('utf-8', { fatal: true });
  /** Bytes before the current chunk. */
  private offset = 0;
  /** The incomplete sequence the decoder holds from earlier chunks. */
  private held: Uint8Array = new Uint8Array(0);

  decode(chunk: Uint8Array): string {
    let text: string;
    try {
      text = this.decoder.decode(chunk, { stream: true });
    } catch {
      const bytes = concatBytes(this.held, chunk);
      const at = Math.min(firstInvalidUtf8(bytes), bytes.length - 1);
      throw this.invalid(this.offset - this.held.length + at, bytes.subarray(at, at + 4));
    }
    this.held = incompleteTail(chunk.length >= 3 ? chunk : concatBytes(this.held, chunk));
    this.offset += chunk.length;
    return text;
  }

  end(): string {
    try {
      return this.decoder.decode();
    } catch {
      throw new SeqmodelError(
        `source: expected UTF-8 text, received invalid UTF-8: the text ends inside a character (bytes ` +
          `${hexBytes(this.held)} at byte offset ${this.offset - this.held.length}); pass { encoding: 'latin1' } ` +
          'if the text is not UTF-8',
      );
    }
  }

  private invalid(at: number, bytes: Uint8Array): SeqmodelError {
    return new SeqmodelError(
      `source: expected UTF-8 text, received invalid UTF-8 at byte offset ${at} (bytes ${hexBytes(bytes)}); ` +
        `pass { encoding: 'latin1' } for Latin-1 (ISO-8859-1) text, or fix the file`,
    );
  }
}

function concatBytes(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b;
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/** ISO-8859-1: byte n is code point n. */
function decodeLatin1(bytes: Uint8Array): string {
  let text = '';
  // In slices: String.fromCharCode takes its arguments on the stack.
  for (let i = 0; i < bytes.length; i += 8192) {
    text += String.fromCharCode.apply(null, bytes.subarray(i, i + 8192) as unknown as number[]);
  }
  return text;
}

/** Decoded string chunks of `source` with the encoding given (no checks of options). */
export async function* decodedChunks(source: DataSource, encoding: TextEncoding): AsyncGenerator<string> {
  const utf8 = encoding === 'utf-8' ? new Utf8Decoder() : undefined;
  let first = true;
  for await (const chunk of openSource(source)) {
    let text: string;
    if (typeof chunk === 'string') text = chunk;
    else if (chunk instanceof Uint8Array) text = utf8 ? utf8.decode(chunk) : decodeLatin1(chunk);
    else {
      return invalidArgument('source', chunk, 'chunks that are Uint8Arrays or strings');
    }
    if (first && text.length > 0) {
      // TextDecoder drops a UTF-8 BOM itself; a string source may still carry one.
      if (typeof chunk === 'string' && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      first = false;
    }
    if (text.length > 0) yield text;
  }
  const rest = utf8?.end() ?? '';
  if (rest.length > 0) yield rest;
}

/** The text of `source` in decoded string chunks (strict UTF-8 unless `encoding` says otherwise; a BOM is dropped). */
export async function* streamText(source: DataSource, options: TextOptions = {}): AsyncGenerator<string> {
  yield* decodedChunks(source, textEncoding('streamText', options));
}

/**
 * Splits `buffer` at line ends (`\n`, `\r\n` or a lone `\r`, as old Mac files have; mixed ones too), calling
 * `line(text, ending)` for each complete line, and returns the rest after the last line end. A `\r` at the very
 * end stays in the rest, since a `\n` may open the next chunk, unless `final`: then it ends a line too.
 */
export function forEachLine(
  buffer: string,
  final: boolean,
  line: (text: string, ending: string) => void,
): string {
  let start = 0;
  if (buffer.indexOf('\r') === -1) {
    // The common case, kept to one indexOf per line.
    let end = buffer.indexOf('\n');
    while (end !== -1) {
      line(buffer.slice(start, end), '\n');
      start = end + 1;
      end = buffer.indexOf('\n', start);
    }
    return buffer.slice(start);
  }
  let lf = buffer.indexOf('\n');
  let cr = buffer.indexOf('\r');
  while (lf !== -1 || cr !== -1) {
    if (cr === -1 || (lf !== -1 && lf < cr)) {
      line(buffer.slice(start, lf), '\n');
      start = lf + 1;
    } else if (cr + 1 < buffer.length) {
      const crlf = buffer.charCodeAt(cr + 1) === 10;
      line(buffer.slice(start, cr), crlf ? '\r\n' : '\r');
      start = cr + (crlf ? 2 : 1);
    } else if (final) {
      line(buffer.slice(start, cr), '\r');
      start = cr + 1;
    } else break;
    if (lf !== -1 && lf < start) lf = buffer.indexOf('\n', start);
    if (cr !== -1 && cr < start) cr = buffer.indexOf('\r', start);
  }
  return buffer.slice(start);
}

/**
 * The lines of `source`, without their line endings (`\n`, `\r\n` or a lone `\r`, mixed too), split incrementally
 * as chunks arrive. A final line without a line end is yielded too; a trailing line end does not add an empty line.
 */
export async function* streamLines(source: DataSource, options: TextOptions = {}): AsyncGenerator<string> {
  const encoding = textEncoding('streamLines', options);
  let rest = '';
  const lines: string[] = [];
  const collect = (text: string) => {
    lines.push(text);
  };
  for await (const text of decodedChunks(source, encoding)) {
    rest = forEachLine(rest + text, false, collect);
    yield* lines;
    lines.length = 0;
  }
  rest = forEachLine(rest, true, collect);
  yield* lines;
  if (rest.length > 0) yield rest;
}

/** The whole text of `source` (for data that fits in memory, such as the shipped corpus). */
export async function loadText(source: DataSource, options: TextOptions = {}): Promise<string> {
  const encoding = textEncoding('loadText', options);
  const parts: string[] = [];
  for await (const text of decodedChunks(source, encoding)) parts.push(text);
  return parts.join('');
}
