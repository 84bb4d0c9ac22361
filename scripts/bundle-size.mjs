// Reports the gzip size of everything the first load fetches from dist/ (HTML, JS, wasm, CSS)
// against the 350 KB budget. A report, not a test: it prints, and exits 0 either way.
// Run after `trunk build --release`:  node scripts/bundle-size.mjs
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { join, extname } from 'node:path';

const dist = new URL('../dist/', import.meta.url).pathname;
const budgetKb = 350;
const firstLoad = ['.html', '.js', '.wasm', '.css'];
const rows = [];
for (const name of readdirSync(dist)) {
  const path = join(dist, name);
  if (!statSync(path).isFile() || !firstLoad.includes(extname(name))) continue;
  const raw = readFileSync(path);
  rows.push({ name, raw: raw.length, gzip: gzipSync(raw, { level: 9 }).length });
}
rows.sort((a, b) => b.gzip - a.gzip);
const kb = (n) => (n / 1024).toFixed(1).padStart(7);
console.log('file'.padEnd(44), 'raw KB', ' gzip KB');
for (const r of rows) console.log(r.name.padEnd(44), kb(r.raw), kb(r.gzip));
const total = rows.reduce((s, r) => s + r.gzip, 0);
console.log(`first load, gzip: ${(total / 1024).toFixed(1)} KB (budget ${budgetKb} KB: ${total / 1024 <= budgetKb ? 'within' : 'OVER'})`);
