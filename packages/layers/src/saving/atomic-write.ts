/**
 * Saving a model to a directory as one atomic step. A saved model is an index (`model.json`) naming its weight files;
 * the weight files are named by their content (`weights.<sha256 prefix>.bin`) and written first, each to a temporary
 * name, flushed and renamed into place, and the index is renamed over the old one last: that rename is the commit.
 * Until it, the model already in the directory is untouched (its index still names its own weight files, which are
 * never overwritten by different bytes); after it, the new model is complete. A failure at any step removes the
 * temporary files and the new weight files, so the directory is as it was. Weight files that only the replaced index
 * named are removed after the commit; a reader that read the old index just before can retry (`readIndexed`).
 */
import { SeqmodelError } from '@seqmodel/core';
import { errorCode, isObject, readFileText } from './files.js';

/** One save: weight files, then the index that names them. */
export interface IndexedWrite {
  readonly directory: string;
  /** Weight files, named by `contentName`. */
  readonly data: readonly { readonly name: string; readonly bytes: Uint8Array }[];
  /** The index (`model.json`): written last; its rename commits the save. */
  readonly index: { readonly name: string; readonly text: string };
  /**
   * The weight files an index being replaced names (its parsed JSON), that this save may remove once committed; only
   * names that `contentName` or the format's legacy names could have produced should be returned.
   */
  readonly previousData?: (previous: unknown) => readonly string[];
}

/** `<stem>.<16 hex digits of the SHA-256 of bytes><ext>`: equal weights get equal names, others never collide. */
export async function contentName(stem: string, bytes: Uint8Array, ext = '.bin'): Promise<string> {
  const { createHash } = await import('node:crypto');
  return `${stem}.${createHash('sha256').update(bytes).digest('hex').slice(0, 16)}${ext}`;
}

function temporaryName(name: string): string {
  const random = Math.floor(Math.random() * 2 ** 48).toString(16);
  return `.${name}.${typeof process === 'undefined' ? 0 : process.pid}-${random}.tmp`;
}

/** Writes `bytes` to `filePath` (which must not exist yet) and flushes it to disk. */
async function writeFlushed(filePath: string, bytes: Uint8Array | string): Promise<void> {
  const fs = await import('node:fs/promises');
  const handle = await fs.open(filePath, 'wx');
  try {
    await handle.writeFile(bytes);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Reads and parses an index that may be absent or not ours (undefined then). */
async function readPreviousIndex(filePath: string): Promise<unknown> {
  const fs = await import('node:fs/promises');
  try {
    if (!(await fs.lstat(filePath)).isFile()) return undefined;
    return JSON.parse(await readFileText(filePath, 'save'));
  } catch {
    return undefined;
  }
}

/** Weight files named by the other JSON documents of the directory (models saved side by side keep theirs). */
async function namedByOtherIndexes(directory: string, indexName: string): Promise<Set<string>> {
  const fs = await import('node:fs/promises');
  const path = await import('node:path');
  const names = new Set<string>();
  let entries: string[];
  try {
    entries = await fs.readdir(directory);
  } catch {
    return names;
  }
  for (const entry of entries) {
    if (entry === indexName || !entry.toLowerCase().endsWith('.json')) continue;
    const json = await readPreviousIndex(path.join(directory, entry));
    for (const name of dataFilesNamedBy(json)) names.add(name);
  }
  return names;
}

/** Every weight file a seqmodel or tfjs layers-model index names. */
export function dataFilesNamedBy(json: unknown): string[] {
  if (!isObject(json)) return [];
  const out: string[] = [];
  if (isObject(json.weights) && typeof json.weights.path === 'string') out.push(json.weights.path);
  if (Array.isArray(json.weightsManifest)) {
    for (const group of json.weightsManifest) {
      if (isObject(group) && Array.isArray(group.paths)) {
        for (const p of group.paths) if (typeof p === 'string') out.push(p);
      }
    }
  }
  return out;
}

/**
 * Performs `write` atomically (see the module comment). `what` names the caller in errors, which say that the model
 * already in the directory is unchanged.
 */
export async function writeIndexed(write: IndexedWrite, what: string): Promise<void> {
  const fs = await import('node:fs/promises');
  const path = await import('node:path');
  const { directory } = write;
  const temporaries: string[] = [];
  const created: string[] = [];
  let previous: unknown;
  try {
    await fs.mkdir(directory, { recursive: true });
    previous = await readPreviousIndex(path.join(directory, write.index.name));
    for (const file of write.data) {
      const target = path.join(directory, file.name);
      const existed = await fs.lstat(target).then(
        () => true,
        () => false,
      );
      const temporary = path.join(directory, temporaryName(file.name));
      temporaries.push(temporary);
      await writeFlushed(temporary, file.bytes);
      await fs.rename(temporary, target);
      temporaries.pop();
      if (!existed) created.push(target);
    }
    const temporary = path.join(directory, temporaryName(write.index.name));
    temporaries.push(temporary);
    await writeFlushed(temporary, write.index.text);
    await fs.rename(temporary, path.join(directory, write.index.name));
    temporaries.pop();
  } catch (error) {
    for (const file of [...temporaries, ...created]) await fs.unlink(file).catch(() => undefined);
    throw new SeqmodelError(
      `${what}: cannot write ${directory}: ${(error as Error).message}; expected a writable directory; the model already there (if any) is unchanged`,
      { cause: error },
    );
  }
  // Committed: from here on a failure leaves a complete new model, so cleaning up is best effort.
  await syncDirectory(directory);
  const keep = new Set([...write.data.map((d) => d.name), write.index.name]);
  const stale = (write.previousData?.(previous) ?? []).filter((name) => !keep.has(name));
  if (stale.length === 0) return;
  const others = await namedByOtherIndexes(directory, write.index.name);
  for (const name of stale) {
    if (!others.has(name)) await fs.unlink(path.join(directory, name)).catch(() => undefined);
  }
}

/** Flushes the directory entry of the renames (Linux; elsewhere opening a directory may fail, which is harmless). */
async function syncDirectory(directory: string): Promise<void> {
  const fs = await import('node:fs/promises');
  try {
    const handle = await fs.open(directory, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Not every platform lets a directory be opened or flushed; the renames are atomic either way.
  }
}

/**
 * Reads an indexed model with `read(indexText)`, retrying when a weight file the index named is gone and the index has
 * changed meanwhile: a save committed between reading the index and its weights, and removed the old weights.
 */
export async function readIndexed<R>(
  indexPath: string,
  what: string,
  read: (indexText: string) => Promise<R>,
): Promise<R> {
  for (let attempt = 0; ; attempt++) {
    const text = await readFileText(indexPath, what);
    try {
      return await read(text);
    } catch (error) {
      const cause = (error as { cause?: unknown }).cause;
      if (attempt >= 4 || errorCode(cause) !== 'ENOENT') throw error;
      const now = await readFileText(indexPath, what).catch(() => text);
      if (now === text) throw error;
    }
  }
}
