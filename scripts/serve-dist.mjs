// A static server for a built site, shared by the scripts that look at or measure the page
// (scripts/screenshots.mjs, e2e/page-bench.mjs, e2e/load-bench.mjs). Nothing is cached. With
// `brotli`, a file's pre-compressed `.br` copy (scripts/compress.mjs) is served when the browser
// accepts brotli, the way a host with precompressed files would.
import { createServer } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';

const types = { '.html': 'text/html', '.js': 'text/javascript', '.wasm': 'application/wasm', '.css': 'text/css', '.svg': 'image/svg+xml' };

/** Serve `dir` on 127.0.0.1:`port`; resolves to the server (call `.close()` when done). */
export function serveDist(dir, port, { brotli = false } = {}) {
  const server = createServer(async (req, res) => {
    const path = join(dir, decodeURIComponent(new URL(req.url, 'http://x').pathname).replace(/\/$/, '/index.html'));
    try {
      const type = types[extname(path)] ?? 'application/octet-stream';
      const wantsBr = brotli && /\bbr\b/.test(req.headers['accept-encoding'] ?? '');
      if (wantsBr && (await stat(`${path}.br`).catch(() => null))) {
        const body = await readFile(`${path}.br`);
        res.writeHead(200, { 'content-type': type, 'content-encoding': 'br', 'cache-control': 'no-store' });
        res.end(body);
      } else {
        const body = await readFile(path);
        res.writeHead(200, { 'content-type': type, 'cache-control': 'no-store' });
        res.end(body);
      }
    } catch {
      res.writeHead(404);
      res.end();
    }
  });
  return new Promise((ok) => server.listen(port, '127.0.0.1', () => ok(server)));
}
