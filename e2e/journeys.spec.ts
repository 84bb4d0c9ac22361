import { test, expect } from '@playwright/test';
import { openApp, setSpeed, openSettings, tally, whyPanel, eventLog, screenshots, expectAccessible } from './helpers';

let errors: string[] = [];

test.afterEach(async () => {
  expect(errors, 'no console errors').toEqual([]);
});

test('the default scenario serves 200s', async ({ page }, testInfo) => {
  errors = await openApp(page);
  await expect.poll(() => tally(page, '2xx/3xx')).toBeGreaterThan(0);
  await expect(whyPanel(page).getByText('Nothing on the path is broken')).toBeVisible();
  await page.getByRole('button', { name: 'Send one request' }).click();
  await expect(whyPanel(page)).toContainText('200 OK (from the app)');
  await expect(page.getByRole('button', { name: /^Target 10\.0\.\d+\.\d+:8000 healthy/ })).toHaveCount(2);
  await expectAccessible(page);
  await screenshots(page, testInfo, 'default');
});

test('detaching the service empties the target group and 503s appear', async ({ page }, testInfo) => {
  errors = await openApp(page);
  await openSettings(page, 'ECS service');
  await page.getByRole('checkbox', { name: /Attached to the load balancer/ }).uncheck();
  await setSpeed(page, '60');
  await expect.poll(() => tally(page, '503 (ELB)'), { timeout: 30_000 }).toBeGreaterThan(0);
  await expect(whyPanel(page)).toContainText('is not attached to web-tg');
  // A keyboard user on the diagram keeps focus while targets change state around it.
  await page.getByRole('button', { name: /^Target group web-tg/ }).focus();
  // Once the old targets finish draining (300 s), the target group is empty.
  await expect(whyPanel(page)).toContainText('has no registered targets', { timeout: 40_000 });
  await expect(page.getByRole('button', { name: /^Target group web-tg 0 healthy 0 unhealthy/ })).toBeVisible();
  await expect(page.getByRole('button', { name: /^Target group web-tg 0 healthy 0 unhealthy/ })).toBeFocused();
  await screenshots(page, testInfo, 'detached');
});

test('an app listening on the wrong port: unhealthy targets, ECS replacing tasks, fail-open 502s', async ({ page }, testInfo) => {
  errors = await openApp(page);
  // With the default 100 % minimum the old tasks would keep serving; let the deployment replace them.
  await openSettings(page, 'ECS service');
  await page.getByLabel('Minimum healthy percent (minimumHealthyPercent)').fill('0');
  await page.getByRole('button', { name: 'Update service' }).click();
  await openSettings(page, 'Task definition and app');
  await page.getByLabel('App listen port').fill('3000');
  await page.getByRole('button', { name: 'Register new revision and deploy' }).click();
  await setSpeed(page, '60');
  await expect(eventLog(page)).toContainText('is unhealthy in (target-group', { timeout: 40_000 });
  await expect(eventLog(page)).toContainText('has stopped 1 running tasks');
  await expect(eventLog(page)).toContainText(/has started \d tasks/);
  await expect.poll(() => tally(page, '502 (ELB)'), { timeout: 40_000 }).toBeGreaterThan(0);
  await expect(whyPanel(page)).toContainText('The app listens on port 3000');
  await expectAccessible(page);
  await screenshots(page, testInfo, 'wrong-port');
});

test('a task SG open to 0.0.0.0/0 with a public IP lets a direct curl through; the ALB SG alone blocks it', async ({ page }, testInfo) => {
  errors = await openApp(page);
  await openSettings(page, 'Task security group');
  await page.getByLabel('From port').fill('8000');
  await page.getByLabel('To port').fill('8000');
  await page.getByLabel('Source').fill('0.0.0.0/0');
  await page.getByRole('button', { name: 'Add rule' }).click();
  await openSettings(page, 'ECS service');
  await page.getByRole('checkbox', { name: /Assign a public IP/ }).check();
  await setSpeed(page, '60');
  const curlTask = page.getByLabel('Task', { exact: true });
  await expect(curlTask.getByRole('option', { name: /RUNNING .*public \d+/ }).first()).toBeAttached({ timeout: 30_000 });
  await page.waitForTimeout(1000); // about a minute of sim time: the app has started
  await setSpeed(page, '1');
  const publicTask = await curlTask.getByRole('option', { name: /RUNNING .*public \d+/ }).first().getAttribute('value');
  await curlTask.selectOption(publicTask!);
  await page.getByRole('button', { name: 'curl the task' }).click();
  await expect(page.getByText(/^curl: 200 OK/)).toBeVisible();
  await expect(whyPanel(page)).toContainText('Direct curl');
  await screenshots(page, testInfo, 'curl-open');

  await openSettings(page, 'Task security group');
  await page.getByRole('button', { name: 'Remove rule TCP 8000 from 0.0.0.0/0 from sg-task' }).click();
  await curlTask.selectOption(publicTask!);
  await page.getByRole('button', { name: 'curl the task' }).click();
  await setSpeed(page, '60');
  await expect(page.getByText(/^curl: client timed out/)).toBeVisible();
  await expect(whyPanel(page)).toContainText('no inbound rule in sg-task admits 203.0.113.10 on port 8000');
  await screenshots(page, testInfo, 'curl-blocked');
});

test('bad input gets a message next to the field and changes nothing', async ({ page }) => {
  errors = await openApp(page);
  await openSettings(page, 'Target group');
  await page.getByLabel('Interval (HealthCheckIntervalSeconds)').fill('1');
  await page.getByRole('button', { name: 'Apply health check' }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'Interval must be 5-300 s; you entered 1.' })).toBeVisible();
  // A rule between two fields comes from the core's validator, in the same words, under the field it blames.
  await page.getByLabel('Interval (HealthCheckIntervalSeconds)').fill('10');
  await page.getByLabel('Timeout (HealthCheckTimeoutSeconds)').fill('10');
  await page.getByRole('button', { name: 'Apply health check' }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'Timeout must be less than the interval (10 s), as AWS requires, got 10.' })).toBeVisible();
  await expect(page.getByLabel('Timeout (HealthCheckTimeoutSeconds)')).toHaveAttribute('aria-invalid', 'true');
  await page.getByLabel('Interval (HealthCheckIntervalSeconds)').fill('thirty');
  await page.getByRole('button', { name: 'Apply health check' }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'Interval must be a whole number, 5-300 s; you entered "thirty".' })).toBeVisible();
  await expect(whyPanel(page).getByText('Nothing on the path is broken')).toBeVisible();
});

test('one task of two hangs from its settings: it stays RUNNING, its requests get 504, and ECS replaces it with exit code 137', async ({ page }, testInfo) => {
  errors = await openApp(page);
  await setSpeed(page, '60');
  await expect(page.getByRole('button', { name: /^Target 10\.0\.\d+\.\d+:8000 healthy/ })).toHaveCount(2, { timeout: 30_000 });
  await page.getByLabel('Speed').selectOption('1');
  await page.getByRole('button', { name: /^Task 10\.0\.\d+\.\d+ RUNNING .*open task settings/ }).first().click();
  const facts = page.getByRole('region', { name: /^Task [0-9a-f]{8}$/ });
  await expect(facts).toContainText('RUNNING');
  const name = await facts.getByRole('heading').innerText();
  await facts.getByRole('button', { name: 'Make the app hang' }).click();
  await expect(facts).toContainText('app hung');
  await expect(eventLog(page)).toContainText('the app hung: the process is alive and the task RUNNING');
  await expect(whyPanel(page)).toContainText(`The app in task ${name.replace('Task ', '')} is hung`);
  await expect(whyPanel(page)).toContainText('turns unhealthy at');
  await setSpeed(page, '60');
  await expect.poll(() => tally(page, '504 (ELB)'), { timeout: 30_000 }).toBeGreaterThan(0);
  await expect(eventLog(page)).toContainText('Target.Timeout', { timeout: 30_000 });
  await expect(facts).toContainText('ServiceSchedulerInitiated', { timeout: 60_000 });
  await expect(facts).toContainText('Task failed ELB health checks in (target-group');
  await expect(facts.getByRole('list', { name: 'Stopped tasks' })).toContainText('1 task stopped for failed ELB health checks in the last 10 minutes');
  await expect(facts).toContainText(/Exit code\s*137/, { timeout: 60_000 });
  await expectAccessible(page);
  await screenshots(page, testInfo, 'hung-task');
});

test('every settings section fits a phone: nothing widens the page past 390 pixels', async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  const pageWidth = () => page.evaluate(() => document.documentElement.scrollWidth);
  // The network ACL exercise fills the network section with its longest content.
  errors = await openApp(page, '/?exercise=nacl-drops-replies');
  await openSettings(page, 'VPC, subnets and network ACLs');
  await expect(page.getByRole('list', { name: 'Outbound entries of acl-private' })).toBeVisible();
  expect(await pageWidth(), 'the network section widens the page').toBeLessThanOrEqual(390);
  // Every other section, on the default setup.
  await page.getByRole('button', { name: 'Leave exercise' }).click();
  const sections = await page.getByLabel('Settings for').locator('option').allTextContents();
  expect(sections.length).toBe(8);
  for (const section of sections) {
    await openSettings(page, section);
    await expect(page.locator('#inspector h3').first()).toBeVisible();
    expect(await pageWidth(), `${section} widens the page`).toBeLessThanOrEqual(390);
  }
});
