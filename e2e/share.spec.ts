import { test, expect } from '@playwright/test';
import { openApp, setSpeed, openSettings, expectAccessible, screenshots } from './helpers';

test('a shared link reproduces the state exactly', async ({ page, context }) => {
  const errors = await openApp(page);
  await openSettings(page, 'Task security group');
  await page.getByLabel('From port').fill('9000');
  await page.getByLabel('To port').fill('9001');
  await page.getByLabel('Source').fill('10.0.0.0/16');
  await page.getByRole('button', { name: 'Add rule' }).click();
  await setSpeed(page, '10');
  await openSettings(page, 'Target group');
  await page.getByRole('button', { name: 'Share' }).click();
  const link = await page.getByLabel('Link to exactly this state').inputValue();
  expect(link).toMatch(/#v1\.[A-Za-z0-9_-]+$/);
  await expect(page.getByLabel('Embed snippet')).toHaveValue(/<iframe src="[^"]+\?embed=1[^"]*#v1\./);

  // The diagram as pictures, for pages that forbid iframes.
  const [svg] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download diagram as SVG' }).click()]);
  expect(svg.suggestedFilename()).toBe('alb-lab-diagram.svg');
  const svgText = (await import('node:fs')).readFileSync(await svg.path(), 'utf8');
  expect(svgText).toContain('<svg');
  expect(svgText).toContain('Target group web-tg');
  expect(svgText).toContain('--ok:');
  const [png] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download diagram as PNG' }).click()]);
  expect(png.suggestedFilename()).toBe('alb-lab-diagram.png');
  const pngBytes = (await import('node:fs')).readFileSync(await png.path());
  expect(pngBytes.subarray(1, 4).toString()).toBe('PNG');
  expect(pngBytes.length).toBeGreaterThan(5000);

  const other = await context.newPage();
  const otherErrors = await openApp(other, link.replace(/^https?:\/\/[^/]+/, ''));
  await expect(other.getByLabel('Speed')).toHaveValue('10');
  await expect(other.getByLabel('Settings for')).toHaveValue('target-group');
  await openSettings(other, 'Task security group');
  await expect(other.getByText('TCP 9000-9001 from 10.0.0.0/16')).toBeVisible();
  expect(errors).toEqual([]);
  expect(otherErrors).toEqual([]);
});

test('a garbage, truncated or hostile fragment gets a message and the default scenario', async ({ page }) => {
  for (const fragment of ['#v1.!!!not-base64', '#v1.nVVNj-M2DP0rhi69JDN2', '#<img src=x onerror="window.__pwned=1">', '#v9.abc']) {
    const errors = await openApp(page, '/' + fragment);
    await expect(page.getByRole('alert').filter({ hasText: 'This link could not be opened' })).toBeVisible();
    await expect(page.getByText('Working setup: Fargate service')).toBeVisible();
    expect(await page.evaluate(() => (window as any).__pwned)).toBeUndefined();
    expect(await page.locator('img').count()).toBe(0);
    expect(errors).toEqual([]);
  }
});

test('the example page embeds the app, drives it with messages and hears its events', async ({ page, context }, testInfo) => {
  const errors: string[] = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto('/public/embed-example.html');
  const events = page.getByRole('list').filter({ has: page.locator('#events') }).or(page.locator('#events'));
  await expect(events).toContainText('ready');
  const lab = page.frameLocator('#lab');
  await expect(lab.getByRole('group', { name: /Diagram of the request path/ })).toBeVisible();

  await page.getByRole('button', { name: 'Pause' }).click();
  await expect(lab.getByRole('button', { name: 'Play' })).toBeVisible();
  await expect(events).toContainText('stateChanged');
  const clock = lab.getByLabel('Sim clock');
  const before = await clock.innerText();
  await page.getByRole('button', { name: 'Step' }).click();
  await expect(clock).not.toHaveText(before);

  await page.getByRole('button', { name: /Load a broken setup/ }).click();
  await expect(lab.getByText('Broken: the task security group admits nothing')).toBeVisible();
  await page.getByRole('button', { name: 'Play' }).click();
  await expect(lab.getByRole('button', { name: 'Pause' })).toBeVisible();
  await page.screenshot({ path: testInfo.outputPath('embed-example.png'), fullPage: true });

  // Messages of the wrong shape are ignored.
  await page.evaluate(() => {
    const w = (document.getElementById('lab') as HTMLIFrameElement).contentWindow!;
    w.postMessage('play', '*');
    w.postMessage({ type: 'eval', code: 'window.__pwned = 1' }, '*');
    w.postMessage({ type: 'load', state: 42 }, '*');
  });
  await expect(lab.getByRole('button', { name: 'Pause' })).toBeVisible();

  // A state naming an exercise (what a stateChanged from an exercise embed carries) opens it.
  const other = await context.newPage();
  await openApp(other, '/?exercise=task-sg-blocks-alb');
  await other.getByRole('button', { name: 'Share' }).click();
  const link = await other.getByLabel('Link to exactly this state').inputValue();
  await other.close();
  await page.evaluate((state) => {
    (document.getElementById('lab') as HTMLIFrameElement).contentWindow!.postMessage({ type: 'load', state }, '*');
  }, link.slice(link.indexOf('#')));
  await expect(lab.getByRole('region', { name: 'The gate in front of the tasks' })).toBeVisible();
  expect(errors).toEqual([]);
});
