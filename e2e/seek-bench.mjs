// Seek benchmark (not a test): how long the page takes to show a moment of the last sim hour
// at the heaviest load (10 tasks, 200 requests/s), in headless Chromium against the release
// build. A seek is one key press on the timeline's playhead; its handler clones the snapshot
// before the moment, replays to it and redraws the page, all before the key event returns, so
// the time around `dispatchEvent` is the whole cost a learner waits for.
//
//   trunk build --release && node e2e/seek-bench.mjs [sim-minutes]
//
// It runs `sim-minutes` (default 60) at 60×, pauses, then walks the playhead from the earliest
// moment kept to the present a minute at a time (PageUp), then back a second at a time for a
// minute (ArrowLeft), and prints JSON: each walk's median, 95th percentile and worst, in ms,
// plus the wasm memory before and after. Numbers go in docs/benchmarks.md.
import { chromium } from '@playwright/test';
import { serveDist } from '../scripts/serve-dist.mjs';

const simMinutes = Number(process.argv[2] ?? 60);
const dist = process.env.DIST ?? new URL('../dist/', import.meta.url).pathname;
const server = await serveDist(dist, 4175);
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--enable-precise-memory-info'],
});
const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
await page.goto('http://127.0.0.1:4175/');
await page.waitForSelector('svg.diagram__svg [data-hop="app"]');
await page.getByLabel('Settings for').selectOption({ label: 'ECS service' });
await page.getByLabel('Desired count (desiredCount)').fill('10');
await page.getByRole('button', { name: 'Update service' }).click();
await page.getByLabel('Speed').selectOption('10');
await page.waitForTimeout(8000);
await page.getByRole('slider', { name: /requests per second/ }).fill('200');
await page.getByLabel('Speed').selectOption('60');
const wasm = () => page.evaluate(() => window.__albLabTokens()[2]);
await page.waitForTimeout(simMinutes * 1000);
await page.getByRole('button', { name: 'Pause' }).click();
const memoryBefore = await wasm();

/** Press `key` on the playhead `times` times; the time each press took, in ms. */
async function walk(key, times) {
  return page.evaluate(({ key, times }) => {
    const head = document.querySelector('[role="slider"][aria-label="Moment shown"]');
    const out = [];
    for (let i = 0; i < times; i++) {
      const t0 = performance.now();
      head.dispatchEvent(new KeyboardEvent('keydown', { key, bubbles: true }));
      out.push(performance.now() - t0);
    }
    return out;
  }, { key, times });
}

function summary(ms) {
  const s = [...ms].sort((a, b) => a - b);
  const at = (q) => s[Math.min(s.length - 1, Math.floor(q * s.length))];
  return { seeks: s.length, median: +at(0.5).toFixed(1), p95: +at(0.95).toFixed(1), worst: +s[s.length - 1].toFixed(1) };
}

await walk('Home', 1);
const minutes = await walk('PageUp', simMinutes + 2);
const seconds = await walk('ArrowLeft', 60);
const shown = await page.getByLabel('Sim clock').innerText();
console.log(JSON.stringify({
  load: '10 tasks, 200 requests/s',
  simMinutes,
  aMinuteAtATime: summary(minutes),
  aSecondAtATime: summary(seconds),
  shownAtTheEnd: shown,
  wasmMemoryMB: { beforeSeeking: +(memoryBefore / 1e6).toFixed(1), after: +((await wasm()) / 1e6).toFixed(1) },
}, null, 2));
await browser.close();
server.close();
