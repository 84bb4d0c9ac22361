import { expect, type Page, type TestInfo } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';

/** Open the app, collecting console errors and page errors for the end of the test. */
export async function openApp(page: Page, path = '/'): Promise<string[]> {
  const errors: string[] = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(path);
  await expect(page.getByRole('heading', { name: 'ALB Lab', level: 1 })).toBeVisible();
  await expect(page.getByRole('group', { name: /Diagram of the request path/ })).toBeVisible();
  return errors;
}

export async function setSpeed(page: Page, speed: '1' | '10' | '60') {
  await page.getByLabel('Speed').selectOption(speed);
}

export async function openSettings(page: Page, section: string) {
  await page.getByLabel('Settings for').selectOption({ label: section });
}

/** The count next to a label in the client's status tally (0 when the label is not shown). */
export async function tally(page: Page, label: string): Promise<number> {
  const list = page.getByRole('list', { name: 'Status tally' });
  const item = list.getByRole('listitem').filter({ hasText: label });
  if ((await item.count()) === 0) return 0;
  const text = (await item.first().innerText()).replace(label, '');
  return Number(text.trim()) || 0;
}

export function whyPanel(page: Page) {
  return page.getByRole('region', { name: 'Why?' });
}

export function eventLog(page: Page) {
  return page.getByRole('list', { name: 'Events, newest first' });
}

/** Screenshots of the current state at desktop and phone width, kept with the test output. */
export async function screenshots(page: Page, testInfo: TestInfo, name: string) {
  const desktop = page.viewportSize() ?? { width: 1400, height: 1000 };
  await page.screenshot({ path: testInfo.outputPath(`${name}-desktop.png`), fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.waitForTimeout(300);
  await page.screenshot({ path: testInfo.outputPath(`${name}-phone.png`), fullPage: true });
  await page.setViewportSize(desktop);
}

/** axe: no serious or critical violations. */
export async function expectAccessible(page: Page) {
  const results = await new AxeBuilder({ page }).analyze();
  const bad = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(bad.map((v) => `${v.id}: ${v.help} (${v.nodes.length} nodes: ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')})`)).toEqual([]);
}
