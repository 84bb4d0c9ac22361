import { test, expect, type Page, type Route } from '@playwright/test';

// The first paint: index.html carries the default diagram, drawn at build time, so a reader
// sees the request path before the wasm arrives; the app takes over in the same place.

/** Hold the wasm back until `release()` is called, to look at the page as it is before. */
async function holdWasm(page: Page) {
  let release = () => {};
  const held = new Promise<void>((ok) => { release = ok; });
  await page.route('**/*.wasm', async (route: Route) => { await held; await route.continue(); });
  return () => release();
}

const firstPaint = (page: Page) => page.locator('#first-paint svg.diagram__svg:visible');
const liveDiagram = (page: Page) => page.getByRole('group', { name: /Diagram of the request path/ });

for (const [name, width, height] of [['a wide screen', 1440, 900], ['a phone', 390, 844]] as const) {
  test(`before the wasm arrives, ${name} shows the request path, and the live diagram replaces it in the same place`, async ({ page }) => {
    await page.setViewportSize({ width, height });
    const release = await holdWasm(page);
    await page.goto('/');
    // The still is there, in the page's own colours, with its nodes' words.
    await expect(firstPaint(page)).toBeVisible();
    await expect(firstPaint(page)).toContainText('Client');
    await expect(firstPaint(page)).toContainText('Target group');
    await expect(firstPaint(page)).toContainText('RUNNING');
    const before = await firstPaint(page).boundingBox();
    expect(before && before.height > 100, 'the still has a real size').toBeTruthy();
    // Hidden from assistive technology and the keyboard: nothing to tab into yet.
    await expect(page.locator('#first-paint')).toHaveAttribute('aria-hidden', 'true');
    release();
    await expect(liveDiagram(page)).toBeVisible();
    await expect(page.locator('#first-paint')).toHaveCount(0);
    const after = await liveDiagram(page).locator('xpath=ancestor-or-self::*[local-name()="svg"][1]').boundingBox();
    expect(after).not.toBeNull();
    // No jump: the live diagram is where the still was, the same size.
    expect(Math.abs(after!.y - before!.y)).toBeLessThanOrEqual(2);
    expect(Math.abs(after!.x - before!.x)).toBeLessThanOrEqual(2);
    expect(Math.abs(after!.width - before!.width)).toBeLessThanOrEqual(2);
    expect(Math.abs(after!.height - before!.height)).toBeLessThanOrEqual(4);
  });
}

for (const query of ['?embed=1', '?embed=1&controls=0', '?embed=true&controls=false']) {
  test(`in an embed (${query}), the first paint is the embed's header and the diagram, and the live diagram takes its place`, async ({ page }) => {
    await page.setViewportSize({ width: 700, height: 560 });
    const release = await holdWasm(page);
    await page.goto(`/${query}`);
    await expect(firstPaint(page)).toBeVisible();
    await expect(page.locator('#first-paint').getByText('Open in ALB Lab')).toBeVisible();
    await expect(page.locator('#first-paint').getByText('Request path')).toBeHidden();
    // Without controls the still draws none either, so nothing moves when the app starts.
    // (The still is hidden from assistive technology, so it is found by its text, not its role.)
    await expect(page.locator('#first-paint button', { hasText: 'Pause' })).toBeVisible({ visible: !query.includes('controls') });
    const before = await firstPaint(page).boundingBox();
    expect(before!.y).toBeLessThan(120);
    release();
    await expect(liveDiagram(page)).toBeVisible();
    await expect(page.locator('#first-paint')).toHaveCount(0);
    const after = await liveDiagram(page).locator('xpath=ancestor-or-self::*[local-name()="svg"][1]').boundingBox();
    expect(Math.abs(after!.y - before!.y)).toBeLessThanOrEqual(2);
    expect(Math.abs(after!.x - before!.x)).toBeLessThanOrEqual(2);
    expect(Math.abs(after!.width - before!.width)).toBeLessThanOrEqual(2);
  });
}

/** Open `url` with `remembered` as the saved theme and the wasm held back: the page's background
 *  colour and its brightness (r + g + b) at the first paint, and a way to let the app start. */
async function firstPaintBackground(page: Page, url: string, remembered: string) {
  await page.addInitScript((theme) => localStorage.setItem('alb-lab-theme', theme), remembered);
  const release = await holdWasm(page);
  await page.goto(url);
  await expect(firstPaint(page)).toBeVisible();
  const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  const brightness = background.match(/\d+/g)!.slice(0, 3).map(Number).reduce((a, b) => a + b, 0);
  return { background, brightness, release };
}

test('a remembered dark theme paints dark from the first frame', async ({ page }) => {
  const { background, brightness, release } = await firstPaintBackground(page, '/', 'dark');
  expect(brightness, `body is dark before the app starts (${background})`).toBeLessThan(150);
  release();
  await expect(liveDiagram(page)).toBeVisible();
});

test('?theme=auto paints in the system\'s theme from the first frame, whatever was remembered', async ({ page }) => {
  await page.emulateMedia({ colorScheme: 'light' });
  const { background, brightness, release } = await firstPaintBackground(page, '/?theme=auto', 'dark');
  expect(brightness, `body is light before the app starts (${background})`).toBeGreaterThan(600);
  release();
  await expect(liveDiagram(page)).toBeVisible();
  const live = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  expect(live, 'the app agrees with the first paint').toBe(background);
});

test('the first load is the first screen: a settings form, the share dialog and the exercises are fetched when first opened', async ({ page }) => {
  const fetched: string[] = [];
  page.on('request', (r) => { if (r.url().endsWith('.wasm')) fetched.push(new URL(r.url()).pathname.replace(/^.*\//, '')); });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  await page.goto('/');
  await expect(liveDiagram(page)).toBeVisible();
  // The panels below the first screen follow the page by themselves.
  await expect(page.getByRole('heading', { name: /^Metrics/ })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Diagnosis' })).toBeVisible();
  const was = (prefix: string) => fetched.some((f) => f.startsWith(prefix));
  expect(was('alb-lab_bg.wasm'), 'the main module').toBe(true);
  for (const piece of ['split_section_forms', 'split_share_view', 'split_picker_view', 'split_exercise_panel', 'split_load_codec']) {
    expect(was(piece), `${piece} is not fetched before it is needed`).toBe(false);
  }
  await page.getByLabel('Settings for').selectOption({ label: 'Target group' });
  await expect(page.getByRole('heading', { name: /^Target group web-tg: health check/ })).toBeVisible();
  expect(was('split_section_forms')).toBe(true);
  await page.getByRole('button', { name: 'Share' }).click();
  await expect(page.getByLabel('Link to exactly this state')).toHaveValue(/#v1\./);
  expect(was('split_share_view')).toBe(true);
  await page.getByRole('button', { name: 'Close' }).click();
  await page.getByRole('button', { name: 'Exercises' }).click();
  await expect(page.getByRole('heading', { name: 'Exercises', level: 2 })).toBeVisible();
  expect(was('split_picker_view')).toBe(true);
  expect(errors).toEqual([]);
});
