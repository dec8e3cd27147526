/**
 * Where saved models live, shared by every format (seqmodel's own and Keras / tfjs-layers): directories in Node, URLs
 * through `fetch`, and sinks / sources for anything else (browser storage, uploads, tfjs `IOHandler`s). Node's file
 * system is imported only when a path is used, so the package runs in browsers.
 */
import { invalidArgument, SeqmodelError } from '@seqmodel/core';

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

/** One file of a saved model. */
export interface FileEntry {
  readonly name: string;
  readonly data: string | Uint8Array;
}

/** Writes `files` into `directory` (created if needed). */
export async function writeFiles(directory: string, files: readonly FileEntry[]): Promise<void> {
  const fs = await import('node:fs/promises');
  const path = await import('node:path');
  await fs.mkdir(directory, { recursive: true });
  for (const file of files) await fs.writeFile(path.join(directory, file.name), file.data);
}

/** The bytes of a file; `what` names the caller in errors (`loadModel`, `loadKerasModel`). */
export async function readFileBytes(filePath: string, what: string): Promise<ArrayBuffer> {
  const fs = await import('node:fs/promises');
  try {
    const bytes = await fs.readFile(filePath);
    return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  } catch (error) {
    throw new SeqmodelError(`${what}: cannot read ${filePath}: ${(error as Error).message}`);
  }
}

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

/** The bytes at `url`, through the global `fetch`; a failed request or a non-2xx status throws, naming the URL. */
export async function fetchBytes(url: string | URL, what: string): Promise<ArrayBuffer> {
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
  return response.arrayBuffer();
}

/** Parses JSON, naming where it came from in the error. */
export function parseJson(text: string, where: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new SeqmodelError(`${what}: ${where} is not valid JSON: ${(error as Error).message}`);
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
