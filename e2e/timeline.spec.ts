import { test, expect, type Page } from '@playwright/test';
import { openApp, setSpeed, whyPanel, eventLog, screenshots, expectAccessible } from './helpers';

function timeline(page: Page) {
  return page.getByRole('region', { name: 'Timeline' });
}

function playhead(page: Page) {
  return timeline(page).getByRole('slider', { name: 'Moment shown' });
}

/** Sim seconds of a `hh:mm:ss(.t)` clock. */
function seconds(text: string): number {
  const m = text.match(/(\d+):(\d\d):(\d\d)/);
  if (!m) throw new Error(`no clock in ${JSON.stringify(text)}`);
  return Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3]);
}

async function simSeconds(page: Page): Promise<number> {
  return seconds(await page.getByLabel('Sim clock').innerText());
}

/** Break the path as a learner would (no tasks left behind the ALB), and wait for the 503s. */
async function breakAndWaitFor503(page: Page) {
  const input = page.getByRole('region', { name: 'AWS CLI' }).getByLabel('AWS CLI command');
  await input.fill('aws ecs update-service --cluster lab --service web --desired-count 0');
  await input.press('Enter');
  await setSpeed(page, '60');
  await expect(whyPanel(page)).toContainText('503', { timeout: 60_000 });
  // Let the run go on past the break, then stop it.
  const broke = await simSeconds(page);
  await expect.poll(() => simSeconds(page), { timeout: 60_000 }).toBeGreaterThan(broke + 60);
  await page.getByRole('button', { name: 'Pause' }).click();
  await setSpeed(page, '1');
}

test('scrubbing back to the marked first 503 shows the diagram and Why? of that moment, and steps go back and forth', async ({ page }, testInfo) => {
  const errors = await openApp(page, '/');
  await setSpeed(page, '60');
  await expect.poll(() => simSeconds(page), { timeout: 30_000 }).toBeGreaterThan(150);
  await breakAndWaitFor503(page);
  const now = await simSeconds(page);
  await expect(timeline(page)).toContainText('Live');

  // The marker of the first 5xx after a quiet period, with its words on hover and focus.
  const marker = timeline(page).getByRole('button', { name: /First 5xx after a quiet period/ });
  await expect(marker).toHaveCount(1);
  await expect(marker).toHaveAttribute('title', /First 5xx/);
  // Reached by the keyboard, it shows its words beside it.
  await marker.focus();
  await page.keyboard.press('Shift+Tab');
  await page.keyboard.press('Tab');
  await expect(marker).toBeFocused();
  const shown = await marker.evaluate((el) => getComputedStyle(el, '::after').content);
  expect(shown).toContain('First 5xx after a quiet period');
  await marker.click();
  await expect(timeline(page)).toContainText(/Showing \d\d:\d\d:\d\d · time is stopped in the past/);
  const at = seconds(await timeline(page).getByText(/^Showing/).innerText());
  expect(at).toBeLessThan(now);
  // The whole page is that moment: the clock, Why? and the event log stop there.
  expect(await simSeconds(page)).toBe(at);
  await expect(whyPanel(page)).toContainText('503');
  const newest = await eventLog(page).getByRole('listitem').first().innerText();
  expect(seconds(newest)).toBeLessThanOrEqual(at);
  await expect(playhead(page)).toHaveAttribute('aria-valuetext', /before now/);
  await screenshots(page, testInfo, 'timeline-past-503');

  // Step back goes to an earlier event; Step comes forward again.
  await page.getByRole('button', { name: 'Step back' }).click();
  await expect.poll(() => simSeconds(page)).toBeLessThan(at);
  const back = await simSeconds(page);
  const shownBack = await timeline(page).getByText(/^Showing/).innerText();
  await page.getByRole('button', { name: 'Step', exact: true }).click();
  await expect(timeline(page).getByText(/^Showing/)).not.toHaveText(shownBack);
  expect(await simSeconds(page)).toBeGreaterThanOrEqual(back);

  // Back to now returns the live run, as it was.
  await timeline(page).getByRole('button', { name: 'Back to now' }).click();
  await expect(timeline(page)).toContainText('Live');
  expect(await simSeconds(page)).toBe(now);
  await expectAccessible(page);
  expect(errors).toEqual([]);
});

test('the timeline works by keyboard alone, and playing from the past asks, then branches', async ({ page }) => {
  const errors = await openApp(page, '/');
  await setSpeed(page, '60');
  await expect.poll(() => simSeconds(page), { timeout: 30_000 }).toBeGreaterThan(200);
  await page.getByRole('button', { name: 'Pause' }).click();
  const now = await simSeconds(page);

  // Tab to the playhead: Home is the earliest moment kept, arrows move a second, PageDown a minute.
  await playhead(page).focus();
  await page.keyboard.press('Home');
  await expect(timeline(page)).toContainText('Showing');
  const earliest = await simSeconds(page);
  expect(earliest).toBeLessThan(70);
  await page.keyboard.press('ArrowRight');
  await expect.poll(() => simSeconds(page)).toBe(earliest + 1);
  await page.keyboard.press('PageUp');
  await expect.poll(() => simSeconds(page)).toBe(earliest + 61);
  await expect(playhead(page)).toBeFocused();
  await expect(playhead(page)).toHaveAttribute('aria-valuenow', String(earliest + 61));

  // Play asks what to do with the later history; the question has focus.
  await page.keyboard.press('End');
  await expect(timeline(page)).toContainText('Live');
  await page.keyboard.press('PageDown');
  await expect(timeline(page)).toContainText('Showing');
  await page.getByRole('button', { name: 'Play' }).click();
  const keep = timeline(page).getByRole('button', { name: 'Keep the later history as a branch' });
  await expect(keep).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(timeline(page)).toContainText('Live');
  await expect(page.getByRole('button', { name: 'Pause' })).toBeVisible();
  const branch = timeline(page).getByRole('button', { name: /^From \d\d:\d\d:\d\d to \d\d:\d\d:\d\d, 0 changes$/ });
  await expect(branch).toBeVisible();
  await expect(branch).toContainText(new Date(now * 1000).toISOString().slice(11, 19));

  // Returning to the branch left brings back the run as it had gone.
  await page.getByRole('button', { name: 'Pause' }).click();
  await branch.click();
  await expect.poll(() => simSeconds(page)).toBe(now);
  expect(errors).toEqual([]);
});

test('a link to a moment reopens it, paused, and a parent page can seek an embed', async ({ page, context }) => {
  const errors = await openApp(page, '/');
  await setSpeed(page, '60');
  await expect.poll(() => simSeconds(page), { timeout: 30_000 }).toBeGreaterThan(150);
  await breakAndWaitFor503(page);
  await playhead(page).focus();
  await page.keyboard.press('PageDown');
  const at = await simSeconds(page);

  await page.getByRole('button', { name: 'Share' }).click();
  await expect(page.getByLabel(/Link to this moment/)).toBeChecked();
  await expect(page.getByText('The link replays the run from its start to this moment and opens it paused.')).toBeVisible();
  const link = await page.getByLabel('Link to exactly this state').inputValue();

  const other = await context.newPage();
  const otherErrors = await openApp(other, link.slice(link.indexOf('/', 8)));
  await expect.poll(() => simSeconds(other), { timeout: 30_000 }).toBe(at);
  await expect(other.getByRole('button', { name: 'Play' })).toBeVisible();
  await expect(whyPanel(other)).toContainText('503');
  expect(otherErrors).toEqual([]);

  // An embed takes `seek` from its parent page: the same run, shown at an earlier moment.
  await other.goto('/public/embed-example.html');
  const lab = other.frameLocator('#lab');
  await expect(lab.getByRole('group', { name: /Diagram of the request path/ })).toBeVisible();
  await other.evaluate((state) => {
    const w = (document.getElementById('lab') as HTMLIFrameElement).contentWindow!;
    w.postMessage({ type: 'load', state }, '*');
    w.postMessage({ type: 'seek', at: '00:01:30' }, '*');
  }, link.slice(link.indexOf('#')));
  await expect(lab.getByLabel('Sim clock')).toContainText('00:01:30', { timeout: 30_000 });
  await other.evaluate(() => {
    (document.getElementById('lab') as HTMLIFrameElement).contentWindow!.postMessage({ type: 'seek', at: 'yesterday' }, '*');
  });
  await expect(lab.getByRole('alert').filter({ hasText: 'cannot read' })).toBeVisible();
  await expect(lab.getByLabel('Sim clock')).toContainText('00:01:30');
  expect(errors).toEqual([]);
});
