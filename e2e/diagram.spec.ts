import { test, expect, type Page, type Locator } from '@playwright/test';
import { openApp, setSpeed, openSettings, eventLog, expectAccessible } from './helpers';

let errors: string[] = [];
test.afterEach(async () => {
  expect(errors, 'no console errors').toEqual([]);
});

type Box = { x: number; y: number; width: number; height: number };
const inside = (p: { x: number; y: number }, b: Box, slack = 1) =>
  p.x >= b.x - slack && p.x <= b.x + b.width + slack && p.y >= b.y - slack && p.y <= b.y + b.height + slack;

function diagram(page: Page) {
  return page.getByRole('group', { name: /Diagram of the request path/ });
}

async function setLoad(page: Page, rate: string) {
  await page.getByRole('slider', { name: /requests per second/ }).fill(rate);
}

/** Tokens that have reached their stop, with where they are and the hop they say decided them. */
async function arrivedTokens(page: Page) {
  return page.evaluate(() =>
    [...document.querySelectorAll('.diagram-tokens .token--arrived')].map((el) => {
      const r = el.getBoundingClientRect();
      return { hop: el.getAttribute('data-hop')!, row: el.getAttribute('data-row')!, cls: el.getAttribute('class')!, x: r.x + r.width / 2, y: r.y + r.height / 2 };
    }),
  );
}

test('at 60x, request tokens stop at the hop that decided them, never short of it', async ({ page }) => {
  errors = await openApp(page);
  await openSettings(page, 'Task security group');
  await page.getByRole('button', { name: 'Remove rule TCP 8000 from sg-alb from sg-task' }).click();
  await setLoad(page, '200');
  await setSpeed(page, '60');
  // Every 504 now ends at the task security group's gate.
  await expect.poll(async () => (await arrivedTokens(page)).filter((t) => t.cls.includes('token--504')).length, { timeout: 20_000 }).toBeGreaterThan(0);
  for (let round = 0; round < 5; round++) {
    // Each token and the node of its hop, read in one go so the run cannot move in between.
    const misplaced = await page.evaluate(() => {
      const out: string[] = [];
      for (const el of document.querySelectorAll('.diagram-tokens .token--arrived')) {
        const hop = el.getAttribute('data-hop');
        const row = el.getAttribute('data-row') ?? '';
        const node = document.querySelector(`[role=button][data-hop="${hop}"][data-row="${row}"]`);
        const t = el.getBoundingClientRect();
        const b = node?.getBoundingClientRect();
        const x = t.x + t.width / 2, y = t.y + t.height / 2;
        if (!b || x < b.left - 2 || x > b.right + 2 || y < b.top - 2 || y > b.bottom + 2) out.push(`${el.getAttribute('class')} at ${x},${y} is not on ${hop} row ${row} ${JSON.stringify(b)}`);
        if (el.classList.contains('token--504') && hop !== 'task-sg') out.push(`a 504 stopped at ${hop}`);
      }
      return out;
    });
    expect(misplaced).toEqual([]);
    await page.waitForTimeout(300);
  }
  // Many more requests than can be drawn one by one: flows, with a count at the gate.
  await expect(page.locator('.diagram-flows .flow--504').first()).toBeAttached();
  await expect(page.locator('.diagram-badges .badge.token--504 .badge__text').first()).toHaveText(/^504 · \d+$/);
  // At 12,000 requests a second only a sample is drawn: no wall of tokens over the labels.
  expect((await arrivedTokens(page)).length).toBeLessThan(15);
});

test('at 30x under full load, clicks reach the nodes under the tokens', async ({ page }) => {
  errors = await openApp(page);
  await setLoad(page, '200');
  await setSpeed(page, '30');
  await page.waitForTimeout(1500);
  // Wherever a token sits over a node, the pointer reaches the node, not the token.
  await expect.poll(async () => page.evaluate(() => {
    const hits: string[] = [];
    for (const el of document.querySelectorAll('.diagram-tokens .token:not(.token--idle)')) {
      const r = el.getBoundingClientRect();
      const under = document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2);
      if (under?.closest('[role=button]')) hits.push(under.closest('[role=button]')!.getAttribute('data-focus-key')!);
      if (under?.closest('.token')) return ['a token took the pointer'];
    }
    return hits;
  }), { timeout: 10_000 }).toEqual(expect.arrayContaining([expect.any(String)]));
  const settingsFor = page.getByLabel('Settings for');
  for (const [name, section] of [[/^Listener HTTP:80/, 'listener'], [/^ALB security group/, 'alb-sg'], [/^Client/, 'client'], [/^Rule/, 'listener']] as const) {
    await diagram(page).getByRole('button', { name }).click({ timeout: 5_000 });
    await expect(settingsFor).toHaveValue(section);
  }
  // The ECS service's label opens the service's settings.
  await diagram(page).getByRole('button', { name: /^ECS service web/ }).click({ timeout: 5_000 });
  await expect(settingsFor).toHaveValue('service');
  // The VPC and a subnet open the network settings.
  await diagram(page).getByRole('button', { name: /^Subnet us-east-1a/ }).click({ timeout: 5_000 });
  await expect(settingsFor).toHaveValue('network');
  await expect(page.getByRole('heading', { name: /^VPC vpc-/ })).toBeVisible();
});

test('keyboard only: focus selects nothing, Space opens the service settings without scrolling, and detaching works', async ({ page }) => {
  errors = await openApp(page);
  const settingsFor = page.getByLabel('Settings for');
  await expect(settingsFor).toHaveValue('client');
  // Tab from the top of the page to the service's label; focus passes nodes without selecting them.
  await page.locator('body').focus();
  let reached = false;
  for (let i = 0; i < 80 && !reached; i++) {
    await page.keyboard.press('Tab');
    reached = await page.evaluate(() => (document.activeElement?.getAttribute('aria-label') ?? '').startsWith('ECS service web'));
  }
  expect(reached, 'the service label is reachable with Tab').toBe(true);
  await expect(settingsFor).toHaveValue('client');
  const focused = page.locator(':focus');
  await expect(focused).not.toHaveClass(/diagram-node--selected/);
  // The focus ring is drawn, and it is not the selection style.
  const ring = await focused.locator('.diagram-node__focus').evaluate((el) => getComputedStyle(el).strokeDasharray);
  expect(ring).not.toBe('none');
  const scrollBefore = await page.evaluate(() => window.scrollY);
  await page.keyboard.press('Space');
  await expect(settingsFor).toHaveValue('service');
  expect(await page.evaluate(() => window.scrollY)).toBe(scrollBefore);
  await expect(diagram(page).getByRole('button', { name: /^ECS service web/ })).toHaveClass(/diagram-node--selected/);
  // Focus moved into the settings: the first control is the attachment.
  const attached = page.getByRole('checkbox', { name: /Attached to the load balancer/ });
  await expect(attached).toBeFocused();
  await page.keyboard.press('Space');
  await expect(attached).not.toBeChecked();
  await expect(eventLog(page)).toContainText('loadBalancers = []');
  await expect(diagram(page).getByRole('button', { name: /not attached to a target group/ })).toBeVisible();
});

test('tab order follows the request path', async ({ page }) => {
  errors = await openApp(page);
  await diagram(page).getByRole('button', { name: /^Client/ }).focus();
  const order: string[] = [];
  for (let i = 0; i < 16; i++) {
    order.push(await page.evaluate(() => document.activeElement?.getAttribute('data-focus-key') ?? ''));
    await page.keyboard.press('Tab');
  }
  const at = (k: string) => order.findIndex((x) => x === k || x.startsWith(k + '-'));
  expect(order.slice(0, 3)).toEqual(['client', 'vpc', 'subnet-0']);
  for (const [a, b] of [['alb-nacl', 'alb-sg'], ['alb-sg', 'listener'], ['listener', 'rule'], ['rule', 'tg'], ['tg', 'service'], ['service', 'pill'], ['pill', 'tnacl'], ['tnacl', 'tsg'], ['tsg', 'task']]) {
    expect(at(a), `${a} in ${order}`).toBeGreaterThanOrEqual(0);
    expect(at(b), `${b} in ${order}`).toBeGreaterThanOrEqual(0);
    expect(at(a), `${a} before ${b} in ${order}`).toBeLessThan(at(b));
  }
});

test('every label fits its node in the page font, at 1440x900 and in a 700-pixel embed', async ({ page }) => {
  errors = await openApp(page);
  await page.setViewportSize({ width: 1440, height: 900 });
  // After detaching, the service's label is the longest the diagram shows.
  await openSettings(page, 'ECS service');
  await page.getByRole('checkbox', { name: /Attached to the load balancer/ }).uncheck();
  for (const url of [null, '/?embed=1&panels=client,why']) {
    if (url) {
      await page.setViewportSize({ width: 700, height: 560 });
      await page.goto(url);
      await expect(diagram(page)).toBeVisible();
    }
    await page.waitForTimeout(500);
    const problems = await page.evaluate(() => {
      const out: string[] = [];
      for (const node of document.querySelectorAll('svg.diagram__svg [role=button]')) {
        const frame = (node.querySelector('.diagram-node__frame') ?? node.querySelector('.diagram-node__hit')) as SVGGraphicsElement;
        const f = frame.getBBox();
        for (const t of node.querySelectorAll('text')) {
          const b = (t as SVGGraphicsElement).getBBox();
          // Glyph boxes include the font's full ascent and descent; the width is what matters.
          if (b.x < f.x - 0.5 || b.x + b.width > f.x + f.width + 0.5) out.push(`${node.getAttribute('data-focus-key')}: "${t.textContent}" ${b.x.toFixed(1)}+${b.width.toFixed(1)} leaves ${f.x.toFixed(1)}+${f.width.toFixed(1)}`);
          const px = parseFloat(getComputedStyle(t).fontSize) * (t.getScreenCTM()?.a ?? 1);
          if (px < (innerWidth >= 1000 ? 11 : 10) - 0.01) out.push(`${node.getAttribute('data-focus-key')}: "${t.textContent}" is ${px.toFixed(1)} px`);
        }
      }
      return out;
    });
    expect(problems).toEqual([]);
  }
  // Shortened labels keep the full words in the tooltip and the name.
  const client = diagram(page).getByRole('button', { name: /^Client 203\.0\.113\.10/ });
  await expect(client.locator('title')).toHaveText(/203\.0\.113\.10/);
});

test('the diagram is the hero: the main column full width and 40 % of a 1440x900 window', async ({ page }) => {
  await page.setViewportSize({ width: 1440, height: 900 });
  errors = await openApp(page);
  const section = page.getByRole('region', { name: 'Request path', exact: true });
  const svg = await diagram(page).boundingBox();
  const column = await section.boundingBox();
  expect(svg!.width).toBeGreaterThan(column!.width - 40);
  expect(svg!.height).toBeGreaterThanOrEqual(0.4 * 900);
  // Nothing but the header and the time controls above it: it starts in the top quarter.
  expect(svg!.y).toBeLessThan(900 / 4);
});

async function expectInViewport(page: Page, el: Locator, what: string) {
  const box = await el.boundingBox();
  const vp = page.viewportSize()!;
  expect(box, what).not.toBeNull();
  expect(box!.x, `${what} left`).toBeGreaterThanOrEqual(-0.5);
  expect(box!.y, `${what} top`).toBeGreaterThanOrEqual(-0.5);
  expect(box!.x + box!.width, `${what} right`).toBeLessThanOrEqual(vp.width + 0.5);
  expect(box!.y + box!.height, `${what} bottom`).toBeLessThanOrEqual(vp.height + 0.5);
  return box!;
}

/** The part of the diagram's drawing (its viewBox) that is shown inside the window. */
async function visibleDrawing(page: Page) {
  return page.evaluate(() => {
    const svg = document.querySelector('svg.diagram__svg') as SVGSVGElement;
    const nodes = [...svg.querySelectorAll('[role=button]')] as SVGGraphicsElement[];
    const shown = nodes.filter((n) => {
      const r = n.getBoundingClientRect();
      return r.width > 0 && r.left >= -0.5 && r.top >= -0.5 && r.right <= innerWidth + 0.5 && r.bottom <= innerHeight + 0.5;
    });
    return { nodes: nodes.length, shown: shown.length, scrollable: document.scrollingElement!.scrollHeight > innerHeight + 1 };
  });
}

test('an embed at 400x300 shows the whole diagram, with panels behind tabs', async ({ page }) => {
  await page.setViewportSize({ width: 400, height: 300 });
  errors = await openApp(page, '/?embed=1&panels=client,why&theme=dark');
  await expect(page.getByRole('link', { name: 'Open in ALB Lab' })).toHaveAttribute('href', /#v1\./);
  await page.getByRole('button', { name: 'Pause' }).click();
  await expect(page.getByRole('button', { name: 'Play' })).toBeVisible();
  await expectInViewport(page, diagram(page), 'the diagram');
  const seen = await visibleDrawing(page);
  expect(seen.shown).toBe(seen.nodes);
  expect(seen.scrollable).toBe(false);
  const tabs = page.getByRole('tablist', { name: 'Panels' });
  await expect(tabs.getByRole('tab')).toHaveCount(2);
  await expect(page.getByRole('tabpanel')).toHaveCount(0);
  // A panel opens over the diagram and closes back to it.
  await tabs.getByRole('tab', { name: 'Why?' }).click();
  await expect(page.getByRole('tabpanel')).toBeVisible();
  await expect(page.getByRole('region', { name: 'Why?' })).toBeVisible();
  await page.getByRole('button', { name: 'Back to the diagram' }).click();
  await expect(page.getByRole('tabpanel')).toHaveCount(0);
  // Selecting a node still works at this size, and the URL is never rewritten.
  await diagram(page).getByRole('button', { name: /Listener HTTP:80/ }).click();
  expect(page.url()).toMatch(/\?embed=1&panels=client,why&theme=dark$/);
  await expectAccessible(page);
});

test('an embed at 700x560 shows the whole diagram and one panel', async ({ page }) => {
  await page.setViewportSize({ width: 700, height: 560 });
  errors = await openApp(page, '/?embed=1&panels=client,why');
  const d = await expectInViewport(page, diagram(page), 'the diagram');
  const seen = await visibleDrawing(page);
  expect(seen.shown).toBe(seen.nodes);
  const panel = page.getByRole('tabpanel');
  await expect(panel).toBeVisible();
  const p = await panel.boundingBox();
  expect(p!.y).toBeGreaterThanOrEqual(d.y + d.height - 1);
  expect(p!.y + 100).toBeLessThan(560);
  await expect(panel.getByRole('heading', { name: 'Client' })).toBeInViewport();
  await expectAccessible(page);
});

test('an embed at 1000x600 shows the diagram and a panel side by side', async ({ page }) => {
  await page.setViewportSize({ width: 1000, height: 600 });
  errors = await openApp(page, '/?embed=1&panels=why,client');
  const d = await expectInViewport(page, diagram(page), 'the diagram');
  const p = await page.getByRole('tabpanel').boundingBox();
  expect(p!.x).toBeGreaterThanOrEqual(d.x + d.width - 1);
  await expect(page.getByRole('region', { name: 'Why?' }).getByRole('heading', { name: 'Why?' })).toBeInViewport();
  const seen = await visibleDrawing(page);
  expect(seen.shown).toBe(seen.nodes);
});

test('the metrics chart has axes, values on focus, series that hide, and a table', async ({ page }) => {
  errors = await openApp(page);
  await setSpeed(page, '60');
  await page.waitForTimeout(3000);
  await setSpeed(page, '1');
  const chart = page.getByRole('group', { name: /^Requests per second/ });
  await expect(chart.locator('.chart__tick').filter({ hasText: /^\d\d:\d\d$/ }).first()).toBeAttached();
  await expect(chart.locator('.chart__tick').filter({ hasText: /\/s$/ })).toHaveCount(1);
  await chart.focus();
  await page.keyboard.press('End');
  await expect(chart.locator('.chart__readout')).toContainText(/\d\d:\d\d:\d\d\.\d: Target 2XX \d+\.\d\/s · ELB 502/);
  await page.keyboard.press('ArrowLeft');
  await expect(chart.locator('.chart__cursor')).toBeAttached();
  const key = page.getByRole('button', { name: /ELB 503/ });
  await expect(key).toHaveAttribute('aria-pressed', 'true');
  await key.click();
  await expect(key).toHaveAttribute('aria-pressed', 'false');
  await expect(chart.locator('.chart__line--elb-503')).toHaveCount(0);
  await page.getByText('The metrics as a table').click();
  await expect(page.getByRole('table').filter({ hasText: 'Target 2XX' }).getByRole('row')).not.toHaveCount(1);
});

test('event log ARNs are shortened in the middle, whole on hover and when copied', async ({ page }) => {
  errors = await openApp(page);
  const arn = eventLog(page).locator('.arn').first();
  await expect(arn).toHaveAttribute('title', /^arn:aws:elasticloadbalancing:us-east-1:\d{12}:targetgroup\/web-tg\/[0-9a-f]{16}$/);
  const full = (await arn.getAttribute('title'))!;
  const shown = await arn.evaluate((el) => el.getBoundingClientRect().height);
  const line = await eventLog(page).locator('time').first().evaluate((el) => el.getBoundingClientRect().height);
  expect(shown).toBeLessThanOrEqual(line * 1.5);
  const copied = await arn.evaluate((el) => {
    const range = document.createRange();
    range.selectNodeContents(el);
    const sel = getSelection()!;
    sel.removeAllRanges();
    sel.addRange(range);
    return sel.toString();
  });
  expect(copied.replace(/\s/g, '')).toBe(full);
});

test('on a phone, the path table never breaks a word and a tapped node shows its settings', async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  errors = await openApp(page);
  await setSpeed(page, '10');
  await page.waitForTimeout(1000);
  const broken = await page.evaluate(() => {
    const out: string[] = [];
    for (const cell of document.querySelectorAll('.path-table th, .path-table td')) {
      // The column headers are there for screen readers only on a phone.
      if ((cell.closest('thead') ?? cell).getBoundingClientRect().width <= 2) continue;
      const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
      for (let n = walker.nextNode(); n; n = walker.nextNode()) {
        const text = n.textContent ?? '';
        const re = /\S+/g;
        for (let m = re.exec(text); m; m = re.exec(text)) {
          const r = document.createRange();
          r.setStart(n, m.index);
          r.setEnd(n, m.index + m[0].length);
          const lines = new Set([...r.getClientRects()].map((x) => Math.round(x.top)));
          if (lines.size > 1) out.push(m[0]);
        }
      }
    }
    return out;
  });
  expect(broken).toEqual([]);
  await page.evaluate(() => window.scrollTo(0, 0));
  await diagram(page).getByRole('button', { name: /^Listener/ }).click();
  await expect(page.getByLabel('Settings for')).toHaveValue('listener');
  await expect(page.getByRole('heading', { name: 'Settings' })).toBeInViewport();
});

test('a picture of the diagram is a clean still that reopens its state', async ({ page }) => {
  errors = await openApp(page);
  await openSettings(page, 'Task security group');
  await page.getByLabel('From port').fill('9000');
  await page.getByLabel('To port').fill('9001');
  await page.getByLabel('Source').fill('10.0.0.0/16');
  await page.getByRole('button', { name: 'Add rule' }).click();
  await setLoad(page, '200');
  await setSpeed(page, '60');
  await page.waitForTimeout(1500);
  await page.getByRole('button', { name: 'Share' }).click();
  const [svgDownload] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download diagram as SVG' }).click()]);
  const fs = await import('node:fs');
  const svgPath = await svgDownload.path();
  const svg = fs.readFileSync(svgPath, 'utf8');
  expect(svg).toContain('ALB Lab · Working setup: Fargate service behind an internet-facing ALB');
  expect(svg).not.toMatch(/class="token /);
  expect(svg).toMatch(/class="badge token--ok"/);
  expect(svg).toMatch(/<metadata><alb-lab-state>[^<]*#v1\.[A-Za-z0-9_-]+<\/alb-lab-state><\/metadata>/);
  const [pngDownload] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download diagram as PNG' }).click()]);
  const png = fs.readFileSync(await pngDownload.path());
  expect(png.subarray(1, 4).toString()).toBe('PNG');
  expect(png.includes(Buffer.from('tEXtalb-lab-state\0'))).toBe(true);
  await page.getByRole('button', { name: 'Close' }).click();

  // A fresh page, opened from either picture, has the rule back.
  for (const [name, buffer, mimeType] of [['diagram.svg', Buffer.from(svg), 'image/svg+xml'], ['diagram.png', png, 'image/png']] as const) {
    await page.goto('/');
    await page.getByRole('button', { name: 'Share' }).click();
    await page.getByLabel('Open a picture exported by ALB Lab').setInputFiles({ name, mimeType, buffer });
    await expect(page.locator('.notice', { hasText: `Opened the state saved in ${name}.` })).toBeVisible();
    await openSettings(page, 'Task security group');
    await expect(page.getByText('TCP 9000-9001 from 10.0.0.0/16')).toBeVisible();
  }
  // A picture without a state is refused with a message, and nothing changes.
  await page.goto('/');
  await page.getByRole('button', { name: 'Share' }).click();
  await page.getByLabel('Open a picture exported by ALB Lab').setInputFiles({ name: 'photo.svg', mimeType: 'image/svg+xml', buffer: Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"></svg>') });
  await expect(page.getByRole('alert').filter({ hasText: 'photo.svg could not be opened: the picture has no ALB Lab state in it' })).toBeVisible();
  await openSettings(page, 'Task security group');
  await expect(page.getByText('TCP 9000-9001 from 10.0.0.0/16')).toHaveCount(0);
});

test('the page stays the same size however many requests pass: tokens, elements and memory are bounded', async ({ page }) => {
  test.setTimeout(330_000);
  errors = await openApp(page);
  await setLoad(page, '200');
  await setSpeed(page, '60');
  const requests = async () => Number((await page.getByText(/^Totals: RequestCount \d+/).innerText()).match(/RequestCount (\d+)/)![1]);
  const state = () => page.evaluate(() => {
    const [pool, live, wasm] = (window as any).__albLabTokens();
    return { pool, live, wasm, elements: document.querySelectorAll('svg.diagram__svg *').length };
  });
  // The bounded buffers (an hour of metrics, the event log, the last minute of flows) fill
  // during the first sim hour, and the timeline's snapshots of the last sim hour (each holding
  // the metrics of the hour before it) reach their full size during the second: from then on
  // nothing may grow.
  const clock = page.getByLabel('Sim clock');
  await expect(clock).toContainText(/^Sim time 02:0[1-9]/, { timeout: 240_000 });
  const before = { ...(await state()), requests: await requests() };
  await expect(clock).toContainText(/^Sim time 02:[2-5]\d/, { timeout: 60_000 });
  const after = { ...(await state()), requests: await requests() };
  expect(after.requests - before.requests).toBeGreaterThan(100_000);
  // A fixed pool of token elements, and no more elements than before, after 100,000 requests.
  // Labels come and go as targets change state (a draining target carries an extra line), so
  // the count may move by a node's worth; one element kept per request would add 100,000.
  expect(after.pool).toBe(before.pool);
  expect(after.elements).toBeLessThanOrEqual(before.elements + 40);
  // The wasm memory grows in 64 KiB pages; a leak of even a hundred bytes per request would
  // add megabytes here.
  expect(after.wasm - before.wasm).toBeLessThanOrEqual(128 * 1024);
});
