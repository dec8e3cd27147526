/**
 * Serves a built static site from memory-free disk reads on a free local port, with the MIME types the page needs
 * (`application/wasm` lets the browser compile the wasm backend while it downloads). Counts the bytes it sends, which
 * is the page's weight.
 */
import { createReadStream, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm',
  '.txt': 'text/plain; charset=utf-8',
  '.csv': 'text/csv; charset=utf-8',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
};

export interface StaticServer {
  readonly origin: string;
  /** Bytes sent per path since the last `resetCounts`. */
  readonly sent: Map<string, number>;
  resetCounts(): void;
  close(): Promise<void>;
}

export async function serveStatic(root: string): Promise<StaticServer> {
  const sent = new Map<string, number>();
  const server: Server = createServer((request, response) => {
    const path = decodeURIComponent(new URL(request.url ?? '/', 'http://localhost').pathname);
    const file = normalize(join(root, path === '/' ? 'index.html' : path));
    if (!file.startsWith(normalize(root) + sep) && file !== normalize(join(root, 'index.html'))) {
      response.writeHead(403).end();
      return;
    }
    let size: number;
    try {
      const stat = statSync(file);
      if (!stat.isFile()) throw new Error('not a file');
      size = stat.size;
    } catch {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, {
      'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
      'content-length': size,
      'cache-control': 'max-age=3600',
    });
    sent.set(path, (sent.get(path) ?? 0) + size);
    createReadStream(file).pipe(response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    sent,
    resetCounts: () => sent.clear(),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
