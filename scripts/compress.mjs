// Trunk's post_build hook (Trunk.toml): writes a .gz and a .br copy beside every file the page
// loads (HTML, JS, wasm, CSS, SVG), at the highest levels, for hosts that serve pre-compressed
// files (nginx gzip_static / brotli_static, Caddy precompressed, most CDNs).
// Runs in Trunk's staging folder (TRUNK_STAGING_DIR), or on dist/ when run by hand.
import { readdirSync, readFileSync, writeFileSync, statSync } from 'node:fs';
import { gzipSync, brotliCompressSync, constants } from 'node:zlib';
import { join, extname } from 'node:path';

// A debug build (`trunk serve` without --release) is for the developer's own browser: its large
// wasm would take seconds to compress at every save, for nobody.
if (process.env.TRUNK_PROFILE === 'debug') process.exit(0);
const dir = process.env.TRUNK_STAGING_DIR ?? new URL('../dist/', import.meta.url).pathname;
const kinds = new Set(['.html', '.js', '.wasm', '.css', '.svg']);

function walk(d) {
  for (const name of readdirSync(d)) {
    const path = join(d, name);
    if (statSync(path).isDirectory()) {
      walk(path);
    } else if (kinds.has(extname(name))) {
      const raw = readFileSync(path);
      writeFileSync(`${path}.gz`, gzipSync(raw, { level: 9 }));
      writeFileSync(`${path}.br`, brotliCompressSync(raw, {
        params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: raw.length },
      }));
    }
  }
}
walk(dir);
