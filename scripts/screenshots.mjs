// Screenshots of the built page at the sizes people use it, light and dark, for looking at
// (not a test). Serves dist/ on 127.0.0.1:4175 and writes PNGs to the folder given (default
// test-results/screens). Run after `trunk build --release`:
//   node scripts/screenshots.mjs [out-dir] [speed] [seconds]
import { chromium } from '@playwright/test';
import { createServer } from 'node:http';
import { readFile, mkdir } from 'node:fs/promises';
import { extname, join } from 'node:path';

const out = process.argv[2] ?? 'test-results/screens';
const speed = process.argv[3] ?? '1';
const seconds = Number(process.argv[4] ?? '2');
const dist = new URL('../dist/', import.meta.url).pathname;
const types = { '.html': 'text/html', '.js': 'text/javascript', '.wasm': 'application/wasm', '.css': 'text/css', '.svg': 'image/svg+xml' };
const server = createServer(async (req, res) => {
  const path = join(dist, decodeURIComponent(new URL(req.url, 'http://x').pathname).replace(/\/$/, '/index.html'));
  try {
    const body = await readFile(path);
    res.writeHead(200, { 'content-type': types[extname(path)] ?? 'application/octet-stream' });
    res.end(body);
  } catch {
    res.writeHead(404); res.end();
  }
});
await new Promise((ok) => server.listen(4175, '127.0.0.1', ok));
await mkdir(out, { recursive: true });
const args = ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args });
const sizes = [
  ['desktop', 1440, 900, '/'],
  ['phone', 390, 844, '/'],
  ['embed-400x300', 400, 300, '/?embed=1&panels=client,why'],
  ['embed-700x560', 700, 560, '/?embed=1&panels=client,why'],
  ['embed-1000x600', 1000, 600, '/?embed=1&panels=client,why,settings'],
];
for (const scheme of ['light', 'dark']) {
  for (const [name, width, height, path] of sizes) {
    const page = await browser.newPage({ viewport: { width, height }, colorScheme: scheme });
    await page.goto(`http://127.0.0.1:4175${path}${path.includes('?') ? '&' : '?'}speed=${speed}`);
    await page.waitForSelector('svg.diagram__svg [data-hop="app"]');
    if (!path.includes('embed')) await page.getByLabel('Speed').selectOption(speed);
    await page.waitForTimeout(seconds * 1000);
    await page.screenshot({ path: join(out, `${name}-${scheme}.png`), fullPage: name === 'phone' });
    await page.close();
  }
}
await browser.close();
server.close();
console.log(`screenshots in ${out}`);
