import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadText, openSource, streamLines, streamText } from './source.js';

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}

const encoder = new TextEncoder();

describe('streamLines', () => {
  it('splits lines across chunk boundaries, including CRLF and multi-byte characters cut in two', async () => {
    const text = 'first line\r\nsecond — ünïcode 🐋\n\nlast';
    const bytes = encoder.encode(text);
    const expected = ['first line', 'second — ünïcode 🐋', '', 'last'];
    for (let cut = 1; cut < bytes.length; cut++) {
      const chunks = [bytes.slice(0, cut), bytes.slice(cut)];
      expect(await collect(streamLines(chunks))).toEqual(expected);
    }
  });

  it('does not add an empty line after a final newline, and drops a BOM', async () => {
    expect(await collect(streamLines(['a\nb\n']))).toEqual(['a', 'b']);
    expect(await loadText([Uint8Array.from([0xef, 0xbb, 0xbf, 0x68, 0x69])])).toBe('hi');
    expect(await loadText(['\ufeffhi'])).toBe('hi');
  });
});

describe('openSource', () => {
  it('reads a Blob (as in a browser File input)', async () => {
    const blob = new Blob(['one\ntwo\n', 'three']);
    expect(await collect(streamLines(blob))).toEqual(['one', 'two', 'three']);
  });

  it('reads a web ReadableStream and a Node stream', async () => {
    const web = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(encoder.encode('x\ny'));
        controller.close();
      },
    });
    expect(await collect(streamLines(web))).toEqual(['x', 'y']);
    expect(await loadText(Readable.from([Buffer.from('node '), Buffer.from('stream')]))).toBe('node stream');
  });

  it('reads a file from a path and from a file: URL', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'seqmodel-source-'));
    try {
      const path = join(dir, 'a.txt');
      await writeFile(path, 'from disk\n');
      expect(await loadText(path)).toBe('from disk\n');
      expect(await loadText(pathToFileURL(path))).toBe('from disk\n');
      expect(await loadText(pathToFileURL(path).href)).toBe('from disk\n');
    } finally {
      await rm(dir, { recursive: true });
    }
  });

  it('fetches an http URL (as in a browser), and reports HTTP errors', async () => {
    const server = createServer((req, res) => {
      if (req.url === '/data.txt') res.end('served\nover http');
      else {
        res.statusCode = 404;
        res.end();
      }
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as { port: number };
    try {
      expect(await collect(streamLines(new URL(`http://127.0.0.1:${port}/data.txt`)))).toEqual([
        'served',
        'over http',
      ]);
      await expect(loadText(`http://127.0.0.1:${port}/missing.txt`)).rejects.toThrow(
        `source: could not fetch http://127.0.0.1:${port}/missing.txt (HTTP 404 Not Found)`,
      );
    } finally {
      server.close();
    }
  });

  it('decodes other encodings on request', async () => {
    const latin1 = Uint8Array.from([0x63, 0x61, 0x66, 0xe9]);
    expect(await loadText([latin1], { encoding: 'latin1' })).toBe('café');
    expect(await collect(streamText(['a', 'b']))).toEqual(['a', 'b']);
  });

  it('rejects anything else, naming what it accepts', () => {
    expect(() => openSource(42 as never)).toThrow('source: expected a path, a URL, a Blob/File');
  });
});
