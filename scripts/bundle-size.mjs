// The first load's size, gzip and brotli, file by file, against the budget in
// scripts/bundle-budget.json. Part of the README's test command (scripts/test.sh): it fails
// when the first load grows past the ceiling there, which is now the floor itself (the product
// budget: 350 KB gzip, 280 KB brotli). The pieces scripts/build-wasm.sh cut off (split_*.wasm,
// and chunk_*.wasm shared between them) are fetched when a reader opens what needs them, or just
// after the page is up for what is below the first screen; they are listed apart, each on its own.
// Run after `trunk build --release`:  node scripts/bundle-size.mjs
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { gzipSync, brotliCompressSync, constants } from 'node:zlib';
import { join, extname } from 'node:path';

const root = new URL('../', import.meta.url).pathname;
const dist = join(root, 'dist');
const budget = JSON.parse(readFileSync(join(root, 'scripts/bundle-budget.json'), 'utf8'));
const firstLoad = new Set(['.html', '.js', '.wasm', '.css']);
// The pieces the app fetches after it is up (by the names wasm-split-cli gives them).
const onDemand = /^(split|chunk)_.*\.wasm$/;
const rows = [];
for (const name of readdirSync(dist)) {
  const path = join(dist, name);
  if (!statSync(path).isFile() || !firstLoad.has(extname(name))) continue;
  const raw = readFileSync(path);
  rows.push({
    name,
    lazy: onDemand.test(name),
    raw: raw.length,
    gzip: gzipSync(raw, { level: 9 }).length,
    brotli: brotliCompressSync(raw, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
  });
}
rows.sort((a, b) => b.gzip - a.gzip);
const kb = (n) => (n / 1024).toFixed(1).padStart(8);
const print = (title, list) => {
  console.log(title);
  console.log('  ' + 'file'.padEnd(42), '  raw KB', ' gzip KB', '   br KB');
  for (const r of list) console.log('  ' + r.name.padEnd(42), kb(r.raw), kb(r.gzip), kb(r.brotli));
};
const first = rows.filter((r) => !r.lazy);
const lazy = rows.filter((r) => r.lazy);
print('first load', first);
if (lazy.length) print('loaded on demand', lazy);
const total = (key) => first.reduce((s, r) => s + r[key], 0) / 1024;
const gz = total('gzip');
const br = total('brotli');
const state = (v, floor, ceiling) => (v <= floor ? 'within the floor' : v <= ceiling ? `over the floor of ${floor} KB` : `OVER the ceiling of ${ceiling} KB`);
console.log(`first load: ${gz.toFixed(1)} KB gzip (${state(gz, budget.floor.gzip_kb, budget.ceiling.gzip_kb)}), ${br.toFixed(1)} KB brotli (${state(br, budget.floor.brotli_kb, budget.ceiling.brotli_kb)})`);
if (gz > budget.ceiling.gzip_kb || br > budget.ceiling.brotli_kb) {
  console.error('The first load grew past the ceiling in scripts/bundle-budget.json. Move the new code out of the first load, or make room for it.');
  process.exit(1);
}
