/**
 * Where saved models live, shared by every format (seqmodel's own and Keras / tfjs-layers): directories in Node, URLs
 * through `fetch`, and sinks / sources for anything else (browser storage, uploads, tfjs `IOHandler`s). Node's file
 * system is imported only when a path is used, so the package runs in browsers.
 */
import { checkBackend, checkOptions, invalidArgument, SeqmodelError } from '@seqmodel/core';

/** Somewhere artifacts can be written (IndexedDB, an upload, a tfjs `IOHandler`, ...). */
export interface ArtifactsSink<A> {
  save(artifacts: A): unknown;
}

/** Somewhere artifacts can be read from (a tfjs `IOHandler` such as `tf.io.fromMemory(...)` for Keras artifacts). */
export interface ArtifactsSource<A> {
  load(): A | Promise<A>;
}

export function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null;
}

/**
 * Checks a loader's options as every entry point that takes a backend does: an options object of `known` keys (an
 * unknown one names the closest), whose `backend` is a seqmodel Backend (core's `checkBackend` says how to make one).
 */
export function checkLoadOptions(what: string, options: unknown, known: readonly string[]): void {
  checkOptions(`${what} options`, options, known);
  checkBackend(`${what} options.backend`, (options as { backend?: unknown } | undefined)?.backend);
}

export function isSink<A>(x: unknown): x is ArtifactsSink<A> {
  return isObject(x) && typeof x.save === 'function';
}

export function isSource<A>(x: unknown): x is ArtifactsSource<A> {
  return isObject(x) && typeof x.load === 'function';
}

/** True when running under Node (where a plain string is a file path rather than a URL). */
export function isNode(): boolean {
  return typeof process !== 'undefined' && typeof process.versions?.node === 'string';
}

/** Whether `source` should be fetched: a `URL`, an `http(s):` address, or (outside Node) any string. */
export function isUrl(source: string | URL): boolean {
  if (source instanceof URL) return true;
  return /^https?:\/\//i.test(source) || !isNode();
}

/**
 * Checks a path read from a manifest (a weights file next to `model.json`): relative, `/`-separated, without `..`
 * segments, a drive, a scheme or a NUL byte, so that it cannot name anything outside the model's directory. `field`
 * names it in errors (`model.json: weights.path`). Returns the path.
 */
export function checkRelativePath(field: string, value: unknown): string {
  const expected = 'a relative path inside the model directory (no "..", no leading "/", no "\\", no scheme)';
  if (typeof value !== 'string' || value.length === 0 || value.length > 1024)
    invalidArgument(field, value, expected);
  const segments = value.split('/');
  if (
    value.includes('\0') ||
    value.includes('\\') ||
    value.startsWith('/') ||
    /^[a-z][a-z0-9+.-]*:/i.test(value) ||
    segments.some((s) => s === '..' || s === '' || /^%2e%2e$/i.test(s) || /%2f|%5c/i.test(s))
  ) {
    invalidArgument(field, value, expected);
  }
  return value;
}

/** A file inside a model's directory, resolved and checked by `statInside`. */
export interface CheckedFile {
  /** Its real path (symbolic links resolved). */
  readonly path: string;
  /** Its size in bytes when checked. */
  readonly size: number;
}

/** Node's error code of a failed file-system call (`ENOENT`, ...). */
export function errorCode(error: unknown): string | undefined {
  return isObject(error) && typeof error.code === 'string' ? error.code : undefined;
}

/**
 * Resolves `relative` (a checked manifest path, see `checkRelativePath`) against `directory` and checks that the file
 * it names stays inside: symbolic links are followed, and a link that leads outside the directory (or anywhere the
 * directory's own real path does not contain) is refused, as is anything but a regular file (`/dev/zero`, a FIFO, a
 * directory). `field` names the manifest entry in errors.
 */
export async function statInside(
  directory: string,
  relative: string,
  field: string,
  what: string,
): Promise<CheckedFile> {
  const fs = await import('node:fs/promises');
  const path = await import('node:path');
  checkRelativePath(`${what}: ${field}`, relative);
  const root = await fs.realpath(directory);
  const joined = path.join(directory, relative);
  let real: string;
  try {
    real = await fs.realpath(joined);
  } catch (error) {
    throw new SeqmodelError(
      `${what}: ${field}: cannot read ${JSON.stringify(relative)} (${joined}): ${(error as Error).message}; expected a readable file inside the model directory`,
      { cause: error },
    );
  }
  if (!real.startsWith(root.endsWith(path.sep) ? root : root + path.sep)) {
    throw new SeqmodelError(
      `${what}: ${field}: ${JSON.stringify(relative)} leads to ${real}, outside the model directory ${root} (a symbolic link?); expected a file inside it`,
    );
  }
  const stat = await fs.stat(real);
  if (!stat.isFile()) {
    throw new SeqmodelError(
      `${what}: ${field}: ${JSON.stringify(relative)} (${real}) is not a regular file: expected one, received ${fileKind(stat)}`,
    );
  }
  return { path: real, size: stat.size };
}

const READABLE = 'expected a readable file';

/** What a file-system entry is, in words (`a directory`), for errors about something that is not a regular file. */
function fileKind(stat: import('node:fs').Stats): string {
  if (stat.isDirectory()) return 'a directory';
  if (stat.isCharacterDevice() || stat.isBlockDevice()) return 'a device';
  if (stat.isFIFO()) return 'a FIFO';
  if (stat.isSocket()) return 'a socket';
  return 'something else';
}

function notRegular(filePath: string, stat: import('node:fs').Stats, what: string): SeqmodelError {
  return new SeqmodelError(
    `${what}: ${filePath} is not a regular file: expected one, received ${fileKind(stat)}`,
  );
}

/**
 * Exactly `bytes` bytes from the start of the regular file `filePath` (which must still hold at least that many).
 * Nothing more is read, so a file that grows meanwhile or a device cannot make it read without end.
 */
export async function readExactly(filePath: string, bytes: number, what: string): Promise<ArrayBuffer> {
  const fs = await import('node:fs/promises');
  let handle: Awaited<ReturnType<typeof fs.open>>;
  try {
    handle = await fs.open(filePath, 'r');
  } catch (error) {
    throw new SeqmodelError(`${what}: cannot read ${filePath}: ${(error as Error).message}; ${READABLE}`, {
      cause: error,
    });
  }
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) throw notRegular(filePath, stat, what);
    if (stat.size < bytes) {
      throw new SeqmodelError(
        `${what}: ${filePath} holds ${stat.size} bytes, expected at least ${bytes} (truncated, or changed while loading?)`,
      );
    }
    const out = new Uint8Array(bytes);
    let done = 0;
    while (done < bytes) {
      const { bytesRead } = await handle.read(out, done, bytes - done, done);
      if (bytesRead === 0) {
        throw new SeqmodelError(`${what}: ${filePath} ended after ${done} of ${bytes} bytes (truncated?)`);
      }
      done += bytesRead;
    }
    return out.buffer;
  } finally {
    await handle.close();
  }
}

/**
 * The bytes of the regular file a user named (a `model.json`): devices, FIFOs and directories are refused, and a file
 * larger than `maxBytes` is refused before it is read.
 */
export async function readFileBytes(
  filePath: string,
  what: string,
  maxBytes = MAX_JSON_BYTES,
): Promise<ArrayBuffer> {
  const fs = await import('node:fs/promises');
  let size: number;
  try {
    const stat = await fs.stat(filePath);
    if (!stat.isFile()) throw notRegular(filePath, stat, what);
    size = stat.size;
  } catch (error) {
    if (error instanceof SeqmodelError) throw error;
    throw new SeqmodelError(`${what}: cannot read ${filePath}: ${(error as Error).message}; ${READABLE}`);
  }
  if (size > maxBytes) {
    throw new SeqmodelError(
      `${what}: ${filePath} has ${size} bytes, more than the ${maxBytes} a model's JSON may have`,
    );
  }
  return readExactly(filePath, size, what);
}

/** The largest `model.json` read (topologies are kilobytes; a converted model's manifest a few megabytes). */
export const MAX_JSON_BYTES = 256 * 1024 * 1024;

/** A file's text (UTF-8). */
export async function readFileText(filePath: string, what: string): Promise<string> {
  return new TextDecoder().decode(await readFileBytes(filePath, what));
}

/** Whether `filePath` is a directory (false when it does not exist). */
export async function isDirectory(filePath: string): Promise<boolean> {
  const fs = await import('node:fs/promises');
  try {
    return (await fs.stat(filePath)).isDirectory();
  } catch {
    return false;
  }
}

/**
 * The bytes at `url`, through the global `fetch`; a failed request or a non-2xx status throws, naming the URL. With
 * `maxBytes`, a response that announces or delivers more is cancelled with an error instead of being read to the end.
 */
export async function fetchBytes(
  url: string | URL,
  what: string,
  maxBytes = Number.MAX_SAFE_INTEGER,
): Promise<ArrayBuffer> {
  if (typeof fetch !== 'function') {
    throw new SeqmodelError(`${what}: cannot fetch ${String(url)}: no global fetch in this environment`);
  }
  let response: Response;
  try {
    response = await fetch(url);
  } catch (error) {
    throw new SeqmodelError(`${what}: cannot fetch ${String(url)}: ${(error as Error).message}`);
  }
  if (!response.ok) {
    throw new SeqmodelError(
      `${what}: cannot fetch ${String(url)}: HTTP ${response.status} ${response.statusText}`,
    );
  }
  const tooLarge = (received: string) =>
    new SeqmodelError(
      `${what}: ${String(url)} has ${received} bytes, expected at most ${maxBytes} (the size the manifest declares)`,
    );
  const announced = Number(response.headers.get('content-length') ?? Number.NaN);
  if (Number.isFinite(announced) && announced > maxBytes) {
    await response.body?.cancel();
    throw tooLarge(String(announced));
  }
  if (response.body === null) return new ArrayBuffer(0);
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel();
      throw tooLarge(`more than ${maxBytes}`);
    }
    chunks.push(value);
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out.buffer;
}

/** Parses JSON, naming where it came from in the error. */
export function parseJson(text: string, where: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new SeqmodelError(
      `${what}: ${where} is not valid JSON: ${(error as Error).message}; expected a JSON document`,
    );
  }
}

/** A copy of `data` as an `ArrayBuffer` of exactly its bytes. */
export function toArrayBuffer(data: ArrayBuffer | ArrayBufferView, argument: string): ArrayBuffer {
  if (data instanceof ArrayBuffer) return data;
  if (ArrayBuffer.isView(data)) {
    return data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) as ArrayBuffer;
  }
  invalidArgument(argument, data, 'an ArrayBuffer or a typed array');
}

/**
 * Arrays as float32 little-endian, back to back in one buffer (the weight layout of both seqmodel's format and
 * Keras'), with the byte offset of each.
 */
export function packFloat32(arrays: readonly ArrayLike<number>[]): {
  buffer: ArrayBuffer;
  offsets: number[];
} {
  const offsets: number[] = [];
  let bytes = 0;
  for (const a of arrays) {
    offsets.push(bytes);
    bytes += 4 * a.length;
  }
  const buffer = new ArrayBuffer(bytes);
  const view = new DataView(buffer);
  arrays.forEach((a, i) => {
    const base = offsets[i]!;
    for (let k = 0; k < a.length; k++) view.setFloat32(base + 4 * k, a[k]!, true);
  });
  return { buffer, offsets };
}
