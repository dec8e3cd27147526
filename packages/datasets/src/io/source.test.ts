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
        `source: expected a URL that can be fetched, received http://127.0.0.1:${port}/missing.txt (HTTP 404 Not Found)`,
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

describe('text decoding', () => {
  const utf8 = (text: string) => encoder.encode(text);
  const chunksAt = (bytes: Uint8Array, cut: number) => [bytes.slice(0, cut), bytes.slice(cut)];

  it('refuses invalid UTF-8 with the byte offset of the bad sequence, however the bytes are chunked', async () => {
    // "héllo " + a lone 0xff + " world": 0xff sits at byte 7 (é takes two bytes).
    const bytes = Uint8Array.from([...utf8('héllo '), 0xff, ...utf8(' world')]);
    for (let cut = 0; cut <= bytes.length; cut++) {
      // The bytes shown run to the end of the chunk at hand (four at most).
      await expect(loadText(chunksAt(bytes, cut))).rejects.toThrow(
        /^source: expected UTF-8 text, received invalid UTF-8 at byte offset 7 \(bytes 0xff( 0x[0-9a-f]{2}){0,3}\); pass \{ encoding: 'latin1' \}/,
      );
    }
  });

  it('finds overlong forms, surrogates and broken sequences, split across chunks too', async () => {
    const cases: [number[], number][] = [
      [[0x61, 0xc0, 0xaf], 1], // overlong "/"
      [[0x61, 0x62, 0xed, 0xa0, 0x80], 2], // a UTF-16 surrogate
      [[0xe2, 0x82, 0x41], 0], // a three-byte sequence cut short by "A"
      [[0x61, 0xf4, 0x90, 0x80, 0x80], 1], // above U+10FFFF
      [[...utf8('€€'), 0x80], 6], // a stray continuation byte
    ];
    for (const [values, offset] of cases) {
      const bytes = Uint8Array.from(values);
      for (let cut = 0; cut <= bytes.length; cut++) {
        await expect(loadText(chunksAt(bytes, cut))).rejects.toThrow(
          `invalid UTF-8 at byte offset ${offset} `,
        );
      }
    }
  });

  it('refuses text that ends inside a character, naming where it starts', async () => {
    const bytes = Uint8Array.from([...utf8('ok 🐋'), 0xf0, 0x9f]);
    for (let cut = 0; cut <= bytes.length; cut++) {
      await expect(loadText(chunksAt(bytes, cut))).rejects.toThrow(
        'source: expected UTF-8 text, received invalid UTF-8: the text ends inside a character (bytes 0xf0 0x9f at byte offset 7)',
      );
    }
  });

  it('decodes every well-formed sequence, whatever the chunking (no replacement characters)', async () => {
    const text = 'a é € 🐋 \u{10ffff} z';
    const bytes = utf8(text);
    for (let cut = 0; cut <= bytes.length; cut++) expect(await loadText(chunksAt(bytes, cut))).toBe(text);
    // One byte per chunk.
    expect(await loadText(Array.from(bytes, (b) => Uint8Array.of(b)))).toBe(text);
  });

  it('reads Latin-1 byte for byte (0x80-0x9f included, unlike windows-1252)', async () => {
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    const text = await loadText([all], { encoding: 'latin1' });
    expect(Array.from(text, (c) => c.charCodeAt(0))).toEqual(Array.from(all));
  });

  it('checks its options', async () => {
    await expect(loadText(['x'], { encoding: 'utf-16le' as never })).rejects.toThrow(
      'encoding: expected one of "utf-8", "latin1", received "utf-16le"',
    );
    await expect(loadText(['x'], { encodng: 'latin1' } as never)).rejects.toThrow(
      'loadText(options): unknown option "encodng" (did you mean "encoding"?); known options: encoding',
    );
    await expect(streamText(['x'], { charset: 'latin1' } as never).next()).rejects.toThrow(
      'streamText(options): unknown option "charset"',
    );
    await expect(streamLines(['x'], null as never).next()).rejects.toThrow(
      'streamLines(options): expected an options object { ... }, received null',
    );
    await expect(loadText([42] as never)).rejects.toThrow(
      'source: expected chunks that are Uint8Arrays or strings, received 42',
    );
  });
});

describe('line ends', () => {
  it('splits at CR-only (old Mac) and mixed line ends, across every chunk boundary', async () => {
    const text = 'one\rtwo\r\nthree\nfour\r\rsix';
    const expected = ['one', 'two', 'three', 'four', '', 'six'];
    for (let cut = 0; cut <= text.length; cut++) {
      expect(await collect(streamLines([text.slice(0, cut), text.slice(cut)]))).toEqual(expected);
    }
    // A final CR ends the last line without adding an empty one.
    expect(await collect(streamLines(['a\rb\r']))).toEqual(['a', 'b']);
    expect(await collect(streamLines(['a\r', '\nb']))).toEqual(['a', 'b']);
  });
});
