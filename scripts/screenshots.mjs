// Screenshots of the built page at the sizes people use it, light and dark, for looking at
// (not a test). Serves dist/ on 127.0.0.1:4175 and writes PNGs to the folder given (default
// test-results/screens). Run after `trunk build --release`:
//   node scripts/screenshots.mjs [out-dir] [speed] [seconds]
import { chromium } from '@playwright/test';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { serveDist } from './serve-dist.mjs';

const out = process.argv[2] ?? 'test-results/screens';
const speed = process.argv[3] ?? '1';
const seconds = Number(process.argv[4] ?? '2');
const dist = new URL('../dist/', import.meta.url).pathname;
const server = await serveDist(dist, 4175);
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
