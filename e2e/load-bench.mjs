// Load benchmark (not a test): how soon a reader sees the request path, and how soon it is live,
// over cold loads in headless Chromium, beside a Leptos hello-world built the same way
// (e2e/hello-leptos/) as the yardstick for this machine.
//
//   scripts/setup.sh && trunk build --release && node e2e/load-bench.mjs [loads, default 9]
//
// Each load is a fresh browser context (nothing cached). Files are served the way a host that
// honours the pre-compressed copies would (the .br beside each file, when the browser accepts
// brotli). Measured in the page: first contentful paint (the browser's own entry), and the
// moment the first live diagram node (a button the app draws) exists; for the hello-world, the
// moment its heading exists. Prints medians as JSON; the numbers go in docs/performance.md.
import { chromium } from '@playwright/test';
import { serveDist } from '../scripts/serve-dist.mjs';
import { existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

const loads = Number(process.argv[2] ?? 9);
const root = new URL('../', import.meta.url).pathname;

const serve = (dist, port) => serveDist(dist, port, { brotli: true });

// The yardstick, built once (it shares nothing with the app's build).
const helloDir = join(root, 'e2e/hello-leptos');
if (!existsSync(join(helloDir, 'dist/index.html'))) {
  console.error('building the Leptos hello-world yardstick (once)…');
  execFileSync('trunk', ['build', '--release'], { cwd: helloDir, stdio: 'inherit' });
}
// Both pages served the same way: brotli copies beside every file (Trunk's hook writes the app's).
for (const dist of [join(root, 'dist'), join(helloDir, 'dist')]) {
  if (!existsSync(join(dist, 'index.html.br'))) {
    execFileSync('node', [join(root, 'scripts/compress.mjs')], { env: { ...process.env, TRUNK_STAGING_DIR: dist }, stdio: 'inherit' });
  }
}

const app = await serve(join(root, 'dist'), 4181);
const hello = await serve(join(helloDir, 'dist'), 4182);
const args = ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args });

// Records, from the very start of the page, when the selector first matches.
const watch = (selector) => `(() => {
  const mark = () => { if (!window.__ready && document.querySelector(${JSON.stringify(selector)})) { window.__ready = performance.now(); } };
  new MutationObserver(mark).observe(document, { childList: true, subtree: true });
})();`;

async function measure(url, selector) {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  await context.addInitScript(watch(selector));
  const page = await context.newPage();
  await page.goto(url);
  await page.waitForFunction(() => window.__ready !== undefined, null, { timeout: 30000 });
  await page.waitForTimeout(100);
  const r = await page.evaluate(() => ({
    fcp: performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? null,
    ready: window.__ready,
  }));
  await context.close();
  return r;
}

const median = (xs) => {
  const s = xs.filter((x) => typeof x === 'number').sort((a, b) => a - b);
  if (s.length === 0) return null;
  return Math.round(s[Math.floor(s.length / 2)]);
};
const results = {};
for (const [name, url, selector] of [
  ['alb-lab', 'http://127.0.0.1:4181/', 'svg.diagram__svg [role="button"][data-hop="app"]'],
  ['leptos hello-world', 'http://127.0.0.1:4182/', 'h1'],
]) {
  await measure(url, selector); // warm the server and the browser's code caches for the engine
  const runs = [];
  for (let i = 0; i < loads; i++) runs.push(await measure(url, selector));
  results[name] = {
    loads,
    first_contentful_paint_ms: median(runs.map((r) => r.fcp)),
    live_ms: median(runs.map((r) => r.ready)),
  };
}
console.log(JSON.stringify(results, null, 2));
await browser.close();
app.close();
hello.close();
