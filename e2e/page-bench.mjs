// Page benchmark (not a test): time to first rendered diagram, and the frame-time distribution
// over 20 s of animation with 10 tasks at 20 requests/s at 10× speed, in headless Chromium
// against the release build. Reproduce:
//   scripts/setup.sh && trunk build --release && node e2e/page-bench.mjs
// It serves dist/ itself on 127.0.0.1:4174 and prints JSON. Numbers go in docs/performance.md.
import { chromium } from '@playwright/test';
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';

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
await new Promise((ok) => server.listen(4174, '127.0.0.1', ok));

const args = ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args });
const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
await page.addInitScript(() => {
  new MutationObserver((_, obs) => {
    if (document.querySelector('svg.diagram__svg .diagram-pill')) {
      window.__firstDiagramMs = performance.now();
      obs.disconnect();
    }
  }).observe(document, { childList: true, subtree: true });
});
const loads = [];
for (let i = 0; i < 3; i++) {
  await page.goto('http://127.0.0.1:4174/');
  await page.waitForFunction(() => window.__firstDiagramMs !== undefined);
  loads.push(await page.evaluate(() => window.__firstDiagramMs));
}

await page.getByLabel('Settings for').selectOption({ label: 'ECS service' });
await page.getByLabel('Desired count (desiredCount)').fill('10');
await page.getByRole('button', { name: 'Update service' }).click();
await page.getByRole('slider').fill('20');
await page.getByLabel('Speed').selectOption('10');
await page.waitForTimeout(8000); // 80 s of sim time: all ten tasks running and healthy
const tasks = await page.getByRole('button', { name: /^Task [0-9.]+ RUNNING/ }).count();

// Two measures per frame: the interval between frames (what a user feels; 16.7 ms at 60 Hz when
// every frame is on time), and the work done in the frame before this callback runs (the app's
// own requestAnimationFrame callback: sim ticks and the reactive DOM updates they cause).
const { intervals, work } = await page.evaluate(() => new Promise((resolve) => {
  const intervals = [];
  const work = [];
  let last = performance.now();
  const end = last + 20000;
  function frame(t) {
    intervals.push(t - last);
    work.push(performance.now() - t);
    last = t;
    if (t < end) requestAnimationFrame(frame); else resolve({ intervals, work });
  }
  requestAnimationFrame(frame);
}));
const frames = intervals.sort((a, b) => a - b);
work.sort((a, b) => a - b);
const pct = (p, xs = frames) => xs[Math.min(xs.length - 1, Math.floor(xs.length * p))];
const result = {
  first_diagram_ms: { runs: loads.map((x) => Math.round(x)), best: Math.round(Math.min(...loads)) },
  animation: { tasks_running: tasks, requests_per_second: 20, speed: 10, seconds: 20, frames: frames.length,
    frame_interval_p50_ms: +pct(0.5).toFixed(1), frame_interval_p95_ms: +pct(0.95).toFixed(1), frame_interval_worst_ms: +frames[frames.length - 1].toFixed(1),
    app_frame_work_p50_ms: +pct(0.5, work).toFixed(2), app_frame_work_p95_ms: +pct(0.95, work).toFixed(2), app_frame_work_worst_ms: +work[work.length - 1].toFixed(2) },
};
console.log(JSON.stringify(result, null, 2));
await browser.close();
server.close();
