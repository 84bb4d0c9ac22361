import { test, expect } from '@playwright/test';
import { openApp, setSpeed, openSettings, screenshots, expectAccessible } from './helpers';

test('a learner opens an exercise link, takes a hint, fixes it by hand and keeps the progress', async ({ page }, testInfo) => {
  const errors = await openApp(page, '/?exercise=task-sg-blocks-alb');
  const exercise = page.getByRole('region', { name: 'The gate in front of the tasks' });
  await expect(exercise).toContainText('Something between the load balancer and the tasks');
  const goal = exercise.getByRole('list', { name: 'Goal checks' });
  await expect(goal.getByRole('listitem')).toHaveCount(3);

  await exercise.getByRole('button', { name: 'Show a hint (1 of 3)' }).click();
  await expect(exercise.getByText(/Target\.Timeout/)).toBeVisible();
  // The panel is rebuilt when a hint opens; keyboard focus stays on the hint button.
  await expect(exercise.getByRole('button', { name: 'Show a hint (2 of 3)' })).toBeFocused();

  // Knobs the exercise does not unlock are locked.
  await expect(page.getByLabel('Settings for').getByRole('option', { name: 'Listener (locked)' })).toBeDisabled();
  // The answer is not given away while the exercise runs.
  await expect(page.getByRole('button', { name: 'Apply this fix' })).toHaveCount(0);
  await expectAccessible(page);

  await openSettings(page, 'Task security group');
  await page.getByLabel('From port').fill('8000');
  await page.getByLabel('To port').fill('8000');
  await page.getByLabel('Source').fill('sg-alb');
  await page.getByRole('button', { name: 'Add rule' }).click();
  await setSpeed(page, '60');
  await expect(exercise.getByText('Solved! Your progress is saved in this browser.')).toBeVisible({ timeout: 60_000 });
  await expect(goal.getByText('met:')).toHaveCount(3);
  await expectAccessible(page);
  await screenshots(page, testInfo, 'exercise-solved');

  await page.reload();
  await page.getByRole('button', { name: 'Exercises' }).click();
  const picker = page.getByRole('region', { name: 'Exercises' });
  await expect(picker.getByRole('listitem').filter({ hasText: 'The gate in front of the tasks' })).toContainText(/^✓solved:/);
  expect(errors).toEqual([]);
});

test('a foreign progress file is refused with a message and changes nothing', async ({ page }) => {
  const errors = await openApp(page);
  await page.getByRole('button', { name: 'Exercises' }).click();
  const picker = page.getByRole('region', { name: 'Exercises' });
  await picker.getByLabel('Import progress').setInputFiles({
    name: 'progress.json', mimeType: 'application/json',
    buffer: Buffer.from(JSON.stringify({ format: 'alb-lab/scenario', version: 1 })),
  });
  await expect(picker.getByRole('alert')).toContainText('not ALB Lab progress');
  await expect(picker.getByText('solved:', { exact: true })).toHaveCount(0);
  expect(errors).toEqual([]);
});

test('an unknown exercise link says so and opens the default scenario', async ({ page }) => {
  const errors = await openApp(page, '/?exercise=<script>alert(1)</script>');
  await expect(page.getByRole('alert').filter({ hasText: 'There is no exercise "<script>alert(1)</script>"' })).toBeVisible();
  await expect(page.getByText('Working setup: Fargate service')).toBeVisible();
  expect(errors).toEqual([]);
});

test('in the hung-task exercise, a task can be made to hang although its settings are locked, and tuning the health check solves it', async ({ page }) => {
  const errors = await openApp(page, '/?exercise=hung-task');
  const exercise = page.getByRole('region', { name: 'The task that stopped answering' });
  await expect(exercise).toContainText('Make the app hang');
  await setSpeed(page, '60');
  await expect(page.getByRole('button', { name: /^Target 10\.0\.\d+\.\d+:8000 healthy/ })).toHaveCount(3, { timeout: 30_000 });
  await page.getByRole('button', { name: /^Task 10\.0\.\d+\.\d+ RUNNING .*open task settings/ }).first().click();
  // The task definition is locked in this exercise, yet the task itself can still fail.
  await expect(page.getByText('This setting is locked in this exercise.')).toBeVisible();
  const facts = page.getByRole('region', { name: /^Task [0-9a-f]{8}$/ });
  await facts.getByRole('button', { name: 'Make the app hang' }).click();
  await expect(facts).toContainText('app hung');
  await openSettings(page, 'Target group');
  // The clock above the health-check form (the diagram's target group node carries it too).
  await expect(page.locator('#inspector').getByText(/Clock:.*unhealthy 130-160 s later/)).toBeVisible();
  await page.getByLabel('Interval (HealthCheckIntervalSeconds)').fill('10');
  await page.getByLabel('Unhealthy threshold (UnhealthyThresholdCount)').fill('2');
  await page.getByLabel('Timeout (HealthCheckTimeoutSeconds)').fill('5');
  await page.getByRole('button', { name: 'Apply health check' }).click();
  await expect(page.locator('#inspector').getByText(/Clock:.*unhealthy 15-25 s later/)).toBeVisible();
  await expect(page.getByRole('button', { name: /^Target group web-tg .*clock \d+ s \/ 15-25 s/ })).toBeVisible();
  await expect(exercise.getByText('Solved! Your progress is saved in this browser.')).toBeVisible({ timeout: 90_000 });
  expect(errors).toEqual([]);
});

test('in the network ACL exercise, the closed NACL gate leads to the ACL, and an outbound entry for the ephemeral ports solves it', async ({ page }) => {
  const errors = await openApp(page, '/?exercise=nacl-drops-replies');
  const exercise = page.getByRole('region', { name: 'Right security groups, silent targets' });
  await setSpeed(page, '60');
  // The security group admits the load balancer; the network ACL in front of the task does not.
  const nacl = page.getByRole('button', { name: /^Network ACL acl-private on subnet .* \(blocks the load balancer: .*replies/ }).first();
  await expect(nacl).toBeVisible({ timeout: 30_000 });
  await expect(page.getByRole('button', { name: /^Task security group sg-task \(admits the load balancer\)/ }).first()).toBeVisible();
  await expect(page.getByRole('button', { name: /^Target 10\.0\.\d+\.\d+:8000 unhealthy \(Target\.Timeout\)/ }).first()).toBeVisible({ timeout: 30_000 });
  await nacl.click();
  await expect(page.getByLabel('Settings for')).toHaveValue('network');
  const outbound = page.getByRole('list', { name: 'Outbound entries of acl-private' });
  await expect(outbound).toContainText('100 allow TCP 443 to 0.0.0.0/0');
  await expectAccessible(page);
  await page.getByLabel('Direction').selectOption('out');
  await page.getByLabel('Rule number (RuleNumber)').fill('110');
  await page.getByLabel('From port (FromPort)').fill('1024');
  await page.getByLabel('To port (ToPort)').fill('65535');
  await page.getByLabel('CIDR block').fill('10.0.0.0/16');
  await page.getByRole('button', { name: 'Add entry' }).click();
  await expect(page.getByRole('list', { name: 'Outbound entries of acl-private' })).toContainText('110 allow TCP 1024-65535 to 10.0.0.0/16');
  await expect(page.getByRole('button', { name: /^Network ACL acl-private on the task's subnet .* \(admits the load balancer/ }).first()).toBeVisible();
  await expect(exercise.getByText('Solved! Your progress is saved in this browser.')).toBeVisible({ timeout: 90_000 });
  expect(errors).toEqual([]);
});
