import { test, expect, type Page } from '@playwright/test';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { openApp, expectAccessible, screenshots, whyPanel } from './helpers';

const fixtures = join(__dirname, '..', 'tests', 'fixtures', 'import');
const fixture = (rel: string) => readFileSync(join(fixtures, rel), 'utf8');

async function openImport(page: Page) {
  await page.getByRole('button', { name: 'Import your setup' }).click();
  const dialog = page.getByRole('dialog', { name: 'Import your setup' });
  await expect(dialog.getByLabel('Paste a document')).toBeVisible();
  return dialog;
}

async function paste(page: Page, text: string) {
  const dialog = page.getByRole('dialog', { name: 'Import your setup' });
  await dialog.getByLabel('Paste a document').fill(text);
  await dialog.getByRole('button', { name: 'Add pasted text' }).click();
}

test('a pasted broken setup is drawn and its broken hop is named with the aws fix', async ({ page }, testInfo) => {
  const errors = await openApp(page);
  const dialog = await openImport(page);
  await expect(dialog.getByText('Nothing leaves your browser')).toBeVisible();
  await paste(page, fixture('aws/task-sg-blocks-alb.json'));
  await expect(dialog.getByText(/Read as aws elbv2 describe-load-balancers/)).toBeVisible();
  await expect(dialog.getByText('A request cannot get through.')).toBeVisible();
  const finding = dialog.getByRole('listitem').filter({ hasText: 'does not admit the load balancer on port 8080' });
  await expect(finding).toBeVisible();
  await expect(finding).toContainText('task-security-group at Task security group');
  await expect(finding.getByText('aws ec2 authorize-security-group-ingress --group-id sg-07d4e1b6a2c9f8035 --protocol tcp --port 8080 --source-group sg-0c3f5e2a9b8d71460')).toBeVisible();
  // AWS's observed health beside the simulation's.
  const observed = dialog.getByRole('table');
  await expect(observed.getByRole('row').filter({ hasText: '10.0.11.23:8080' })).toContainText('unhealthy (Target.Timeout)');
  await expect(observed.getByRole('row').filter({ hasText: '10.0.11.23:8080' })).toContainText('agree');
  await expectAccessible(page);
  await screenshots(page, testInfo, 'import-dialog');

  await dialog.getByRole('button', { name: 'Run this setup' }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByText('Imported: shop-alb → shop-web').first()).toBeVisible();
  const diagram = page.getByRole('group', { name: /Diagram of the request path/ });
  await expect(diagram).toContainText('shop-tg');
  await expect(whyPanel(page)).toContainText('does not admit the load balancer on port 8080');
  expect(errors).toEqual([]);
});

test('documents dropped as files in any order import the healthy setup, which runs', async ({ page }) => {
  const errors = await openApp(page);
  const dialog = await openImport(page);
  const dir = join(fixtures, 'aws', 'healthy-separate');
  const names = readdirSync(dir).reverse();
  // Dropped as a person drops them: one drop of every file, last first, on the drop zone.
  const files = names.map((name) => ({ name, text: readFileSync(join(dir, name), 'utf8') }));
  const dataTransfer = await page.evaluateHandle((files) => {
    const dt = new DataTransfer();
    for (const f of files) dt.items.add(new File([f.text], f.name, { type: 'application/json' }));
    return dt;
  }, files);
  const zone = dialog.locator('.import__drop');
  await zone.dispatchEvent('dragover', { dataTransfer });
  await zone.dispatchEvent('drop', { dataTransfer });
  for (const name of names) await expect(dialog.getByRole('listitem').filter({ hasText: name }).first()).toBeVisible();
  await expect(dialog.getByRole('listitem').filter({ hasText: 'describe-target-health.json' })).toContainText('Read as aws elbv2 describe-target-health');
  await expect(dialog.getByText('A request gets through to the app.')).toBeVisible();
  await dialog.getByRole('button', { name: 'Run this setup' }).click();
  await expect(page.getByText('Imported: shop-alb → shop-web').first()).toBeVisible();
  expect(errors).toEqual([]);
});

test('files chosen with the file picker are read too', async ({ page }) => {
  const errors = await openApp(page);
  const dialog = await openImport(page);
  const buffer = readFileSync(join(fixtures, 'aws', 'task-sg-blocks-alb.json'));
  await dialog.locator('input[type=file]').setInputFiles([{ name: 'collected.json', mimeType: 'application/json', buffer }]);
  await expect(dialog.getByRole('listitem').filter({ hasText: 'collected.json' })).toContainText('Read as aws elbv2 describe-load-balancers');
  await expect(dialog.getByText('A request cannot get through.')).toBeVisible();
  expect(errors).toEqual([]);
});

test('a Terraform plan imports and shows what was assumed', async ({ page }) => {
  const errors = await openApp(page);
  const dialog = await openImport(page);
  await paste(page, fixture('terraform/plan-healthy.json'));
  await expect(dialog.getByText(/Read as terraform show -json \(plan/)).toBeVisible();
  await expect(dialog.getByRole('heading', { name: 'What was assumed' })).toBeVisible();
  await expect(dialog.getByText(/answer 200 on \/health/)).toBeVisible();
  await expect(dialog.getByText('A request gets through to the app.')).toBeVisible();
  expect(errors).toEqual([]);
});

test('bad input gets a message naming what is wrong and loses nothing already imported', async ({ page }) => {
  const errors = await openApp(page);
  const dialog = await openImport(page);
  await paste(page, fixture('aws/alb-egress-missing.json'));
  await expect(dialog.getByText('A request cannot get through.')).toBeVisible();
  await paste(page, '-------------------------\n|  DescribeLoadBalancers |\n+-------------+\n');
  await expect(dialog.getByText(/Not imported: this is a table \(--output table\)/)).toBeVisible();
  await paste(page, '{"LoadBalancers": [ {"LoadBalancerName": "cut');
  await expect(dialog.getByText(/Not imported: it ends before its JSON does .* the paste was cut off/)).toBeVisible();
  await paste(page, '<img src=x onerror="window.__pwned=1">');
  await expect(dialog.getByText(/Not imported: it is not JSON/)).toBeVisible();
  // The good document still stands, and its finding with it.
  await expect(dialog.getByText('A request cannot get through.')).toBeVisible();
  await expect(dialog.getByText('has no outbound rule to the tasks on port 8080')).toBeVisible();
  expect(await page.evaluate(() => (window as any).__pwned)).toBeUndefined();
  await dialog.getByRole('button', { name: 'Remove pasted text 1' }).click();
  await expect(dialog.getByText(/A request (cannot get|gets) through/)).toHaveCount(0);
  await expect(dialog.getByText('No setup could be built from these documents yet')).toBeVisible();
  expect(errors).toEqual([]);
});

test('an imported setup is redacted before it is shared', async ({ page }) => {
  const errors = await openApp(page);
  // A change to the default scenario puts its state in the address bar, as it always does.
  await page.getByLabel('Speed').selectOption('2');
  await expect.poll(() => new URL(page.url()).hash).not.toBe('');
  let dialog = await openImport(page);
  // The fixtures use AWS's documentation account, which the lab's own made-up ARNs use too: a
  // real account id is one the lab could not have made up.
  await paste(page, fixture('aws/healthy.json').replaceAll('123456789012', '210987654321'));
  await dialog.getByRole('button', { name: 'Run this setup' }).click();
  await expect(page.getByText('Imported: shop-alb → shop-web').first()).toBeVisible();
  // The real setup never reaches the address bar (or the history) by itself.
  await expect.poll(() => new URL(page.url()).hash).toBe('');
  await page.getByRole('button', { name: 'Share' }).click();
  const share = page.getByRole('dialog', { name: 'Share' });
  await expect(share.getByRole('note')).toContainText('imported from your own account');
  // A link asked for anyway: whoever opens it does not keep it in their address bar either.
  const privateLink = await share.getByLabel('Link to exactly this state').inputValue();
  expect(new URL(privateLink).hash).not.toBe('');
  await share.getByRole('button', { name: 'Redact it first' }).click();
  dialog = page.getByRole('dialog', { name: 'Import your setup' });
  await expect(dialog.getByRole('listitem').filter({ hasText: 'pasted text' })).toBeVisible();
  await dialog.getByRole('button', { name: 'Run it redacted (safe to share)' }).click();
  await expect(page.getByText('Imported (redacted): alb-1 → service-1').first()).toBeVisible();
  await expect.poll(() => new URL(page.url()).hash).not.toBe('');
  await page.getByRole('button', { name: 'Share' }).click();
  await expect(page.getByRole('dialog', { name: 'Share' }).getByRole('note')).toHaveCount(0);
  const link = await page.getByLabel('Link to exactly this state').inputValue();
  const other = await page.context().newPage();
  const otherErrors = await openApp(other, link.replace(/^https?:\/\/[^/]+/, ''));
  await expect(other.getByText('Imported (redacted): alb-1 → service-1').first()).toBeVisible();
  const text = await other.locator('body').innerText();
  for (const secret of ['shop', '210987654321', 'sg-0c3f5e2a9b8d71460']) expect(text).not.toContain(secret);
  const third = await page.context().newPage();
  const thirdErrors = await openApp(third, privateLink.replace(/^https?:\/\/[^/]+/, ''));
  await expect(third.getByText('Imported: shop-alb → shop-web').first()).toBeVisible();
  await expect.poll(() => new URL(third.url()).hash).toBe('');
  expect(errors).toEqual([]);
  expect(otherErrors).toEqual([]);
  expect(thirdErrors).toEqual([]);
});

test('the collector snippet fills in the cluster and service', async ({ page }) => {
  const errors = await openApp(page);
  const dialog = await openImport(page);
  await dialog.getByText('Collect everything with one command').click();
  await dialog.getByLabel('Cluster').fill('shop');
  await dialog.getByLabel('Service').fill("web; rm -rf /");
  const snippet = await dialog.getByLabel('Collector (bash)').inputValue();
  expect(snippet).toContain('CLUSTER=shop');
  expect(snippet).toContain("SERVICE='web; rm -rf /'");
  expect(snippet).toContain('aws elbv2 describe-target-health --target-group-arn "$TG"');
  expect(errors).toEqual([]);
});

test('while the importer is on its way, its dialog says it is loading, then shows the importer', async ({ page }) => {
  // Hold the importer's piece back until the dialog has been looked at.
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  await page.route(/split_load_import_dialog_.*\.wasm$/, async (route) => {
    await held;
    await route.continue();
  });
  const errors = await openApp(page);
  await page.getByRole('button', { name: 'Import your setup' }).click();
  const open = page.locator('dialog[open]');
  await expect(open).toBeVisible();
  const says = () => open.evaluate((d) => getComputedStyle(d, '::after').content);
  expect(await says()).toBe('"Loading…"');
  release();
  await expect(page.getByRole('dialog', { name: 'Import your setup' }).getByLabel('Paste a document')).toBeVisible();
  expect(await says()).toBe('none');
  expect(errors).toEqual([]);
});
