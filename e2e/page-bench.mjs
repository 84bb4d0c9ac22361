// Page benchmark (not a test): time to the first diagram, then two long runs of the page under
// load, each reporting the app's work per frame and its memory as the run goes on, in headless
// Chromium against the release build.
//
//   scripts/setup.sh && trunk build --release && node e2e/page-bench.mjs [minutes]
//   DIST=/tmp/other-dist node e2e/page-bench.mjs 1     (the same, for another build)
//
// The runs: "today" (10 tasks, 20 requests/s, 10×) and "heaviest" (10 tasks, 200 requests/s,
// 60×, the most the page allows). Each lasts `minutes` of wall time (default 30). It serves
// dist/ itself on 127.0.0.1:4174 and prints JSON. Numbers go in docs/performance.md.
//
// Two measures per frame: the interval between frames (what a user feels: 16.7 ms at 60 Hz when
// no frame is late) and the work done in the frame before this script's own
// requestAnimationFrame callback runs (the app's callback: sim ticks, tokens, and the reactive
// DOM updates they cause). Memory: the wasm module's linear memory (it only ever grows, so a
// leak shows) and the JS heap (Chromium's performance.memory).
import { chromium } from '@playwright/test';
import { serveDist } from '../scripts/serve-dist.mjs';

const minutes = Number(process.argv[2] ?? process.env.BENCH_MINUTES ?? 30);
// DIST=/path/to/another/dist compares another build (a variant) on the same machine.
const dist = process.env.DIST ?? new URL('../dist/', import.meta.url).pathname;
const server = await serveDist(dist, 4174);

const args = ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage',
  '--disable-background-networking', '--disable-component-update', '--disable-sync', '--enable-precise-memory-info'];
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args });

async function firstDiagram() {
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  await page.addInitScript(() => {
    new MutationObserver((_, obs) => {
      if (document.querySelector('svg.diagram__svg [data-hop="app"]')) {
        window.__firstDiagramMs = performance.now();
        obs.disconnect();
      }
    }).observe(document, { childList: true, subtree: true });
  });
  const loads = [];
  for (let i = 0; i < 3; i++) {
    await page.goto('http://127.0.0.1:4174/');
    await page.waitForFunction(() => window.__firstDiagramMs !== undefined);
    loads.push(Math.round(await page.evaluate(() => window.__firstDiagramMs)));
  }
  await page.close();
  return loads;
}

/** Record frames for `seconds`: app work per frame and the interval between frames. */
function frames(page, seconds) {
  return page.evaluate((seconds) => new Promise((resolve) => {
    const intervals = [];
    const work = [];
    let last = performance.now();
    const end = last + seconds * 1000;
    function frame(t) {
      intervals.push(t - last);
      work.push(performance.now() - t);
      last = t;
      if (t < end) requestAnimationFrame(frame); else resolve({ intervals, work });
    }
    requestAnimationFrame(frame);
  }), seconds);
}

const pct = (xs, p) => xs[Math.min(xs.length - 1, Math.floor(xs.length * p))];
const mib = (bytes) => +(bytes / 1048576).toFixed(2);

async function run(name, rate, speed) {
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  await page.goto('http://127.0.0.1:4174/');
  await page.waitForSelector('svg.diagram__svg [data-hop="app"]');
  await page.getByLabel('Settings for').selectOption({ label: 'ECS service' });
  await page.getByLabel('Desired count (desiredCount)').fill('10');
  await page.getByRole('button', { name: 'Update service' }).click();
  await page.getByLabel('Speed').selectOption('10');
  await page.waitForTimeout(8000); // 80 s of sim time: all ten tasks running and healthy
  await page.getByRole('slider', { name: /requests per second/ }).fill(String(rate));
  await page.getByLabel('Speed').selectOption(String(speed));
  const started = Date.now();
  const checkpoints = [10, 60, 300, 600, 1200, 1800].filter((s) => s <= minutes * 60);
  if (!checkpoints.includes(minutes * 60)) checkpoints.push(minutes * 60);
  const samples = [];
  for (const at of checkpoints) {
    const wait = at * 1000 - (Date.now() - started) - 5000;
    if (wait > 0) await page.waitForTimeout(wait);
    // Five seconds of frames ending at the checkpoint.
    const { intervals, work } = await frames(page, 5);
    intervals.sort((a, b) => a - b);
    work.sort((a, b) => a - b);
    const [pool, live, wasm] = await page.evaluate(() => window.__albLabTokens());
    const heap = await page.evaluate(() => performance.memory?.usedJSHeapSize ?? 0);
    const elements = await page.evaluate(() => document.querySelectorAll('*').length);
    // Every node, with the text and comment nodes a framework may add as markers.
    const nodes = await page.evaluate(() => {
      const walker = document.createTreeWalker(document, NodeFilter.SHOW_ALL);
      let n = 0;
      while (walker.nextNode()) n++;
      return n;
    });
    samples.push({
      at_s: at, frames: intervals.length,
      interval_p50_ms: +pct(intervals, 0.5).toFixed(1), interval_p95_ms: +pct(intervals, 0.95).toFixed(1),
      work_p50_ms: +pct(work, 0.5).toFixed(2), work_p95_ms: +pct(work, 0.95).toFixed(2), work_max_ms: +work[work.length - 1].toFixed(2),
      wasm_mib: mib(wasm), js_heap_mib: mib(heap), dom_elements: elements, dom_nodes: nodes, token_pool: pool, tokens_live: live,
    });
    console.error(`${name} ${at}s`, JSON.stringify(samples[samples.length - 1]));
  }
  await page.close();
  return { name, tasks: 10, requests_per_second: rate, speed, minutes, samples };
}

const result = {
  first_diagram_ms: await firstDiagram(),
  runs: [await run('today', 20, 10), await run('heaviest', 200, 60)],
};
console.log(JSON.stringify(result, null, 2));
await browser.close();
server.close();
