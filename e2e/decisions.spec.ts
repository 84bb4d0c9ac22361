import { test, expect } from '@playwright/test';
import { openApp, setSpeed, openSettings, whyPanel, eventLog } from './helpers';

let errors: string[] = [];
test.afterEach(async () => {
  expect(errors, 'no console errors').toEqual([]);
});

test('a field error shows under its field in the form\'s words, and only there', async ({ page }) => {
  errors = await openApp(page);
  await openSettings(page, 'Target group');
  const interval = page.getByLabel('Interval (HealthCheckIntervalSeconds)');
  await interval.fill('4');
  await page.getByRole('button', { name: 'Apply health check' }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'Interval must be 5-300 s; you entered 4.' })).toBeVisible();
  // The timeout (5 s) is not blamed for an interval that is itself out of range.
  await expect(page.getByLabel('Timeout (HealthCheckTimeoutSeconds)')).toHaveAttribute('aria-invalid', 'false');
  await expect(page.getByText(/target_groups\[0\]/)).toHaveCount(0);
  await interval.fill('thirty');
  await page.getByRole('button', { name: 'Apply health check' }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'Interval must be a whole number, 5-300 s; you entered "thirty".' })).toBeVisible();
  // The help comes from the same table: range and default.
  await expect(page.getByText('5-300 s, default 30 s.')).toBeVisible();
  await expect(whyPanel(page).getByText('Nothing on the path is broken')).toBeVisible();
});

test('changing only the listener port changes only the listener, and the diagram shows where it went', async ({ page }) => {
  errors = await openApp(page);
  await openSettings(page, 'Listener');
  await page.getByLabel('Listener port (Port)').fill('8080');
  await page.getByRole('button', { name: 'Apply listener settings' }).click();
  await expect(eventLog(page)).toContainText('ModifyListener: HTTP:80 → HTTP:8080');
  await expect(eventLog(page)).not.toContainText('idle_timeout');
  await expect(page.getByRole('button', { name: /^Listener HTTP:8080 not :80: the client sends to port 80, where no listener is/ })).toBeVisible();
});

test('with the load balancer\'s outbound rules cut to 443, the task gate shows closed and the diagnosis names the outbound rule', async ({ page }) => {
  errors = await openApp(page);
  await openSettings(page, 'ALB security group');
  await page.getByRole('button', { name: 'Remove rule TCP all to 0.0.0.0/0 from sg-alb' }).click();
  await page.getByLabel('Direction').selectOption('out');
  await page.getByLabel('From port (FromPort)').fill('443');
  await page.getByLabel('To port (ToPort)').fill('443');
  await page.getByLabel('Destination').fill('0.0.0.0/0');
  await page.getByRole('button', { name: 'Add rule' }).click();
  await expect(page.getByRole('button', { name: /^Task security group sg-task \(blocks the load balancer\)/ }).first()).toBeVisible();
  await setSpeed(page, '60');
  await expect(whyPanel(page)).toContainText('has no outbound rule to the tasks on port 8000');
  await whyPanel(page).getByRole('button', { name: 'Apply this fix' }).first().click();
  await expect(eventLog(page)).toContainText('AuthorizeSecurityGroupEgress: sg-alb TCP 8000 to sg-task');
  await expect(page.getByRole('button', { name: /^Task security group sg-task \(admits the load balancer\)/ }).first()).toBeVisible();
});

test('after detaching, the status follows the target group to empty, and Why? follows a selected target that left', async ({ page }) => {
  errors = await openApp(page);
  await openSettings(page, 'ECS service');
  await page.getByRole('checkbox', { name: /Attached to the load balancer/ }).uncheck();
  // The targets drain; pick one while it is still in the target group.
  await page.getByRole('button', { name: /^Target 10\.0\.\d+\.\d+:8000 draining/ }).first().click();
  await expect(whyPanel(page)).toContainText('draining');
  await setSpeed(page, '60');
  // The deregistration delay (300 s) runs out: the targets leave, and the status says why now.
  await expect(page.getByRole('status').filter({ hasText: 'Requests now end with 503 (ELB)' })).toContainText('has no registered targets', { timeout: 30_000 });
  await expect(whyPanel(page)).toContainText('The target you selected has left the target group (its task stopped). Latest request');
  await expect(whyPanel(page)).toContainText('has no registered targets');
});

test('the exercise\'s least-privilege check is not met before the learner does anything', async ({ page }) => {
  errors = await openApp(page, '/?exercise=task-sg-blocks-alb');
  const goal = page.getByRole('list', { name: 'Goal checks' });
  await expect(goal.getByRole('listitem').filter({ hasText: 'sg-task admits traffic only from sg-alb' })).toContainText('not met yet:');
  await expect(goal.getByRole('listitem').filter({ hasText: 'sg-task admits traffic only from sg-alb' })).toContainText('no inbound rules: it admits nothing');
});

test('a broken link is reported at the top of the page, on a phone too, and can be dismissed', async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  errors = await openApp(page, '/#v1.nVVNj-M2DP0rhi69JDN2');
  const banner = page.getByRole('alert').filter({ hasText: 'This link could not be opened' });
  await expect(banner).toBeInViewport();
  await expect(banner).toContainText('Showing the default scenario instead.');
  await expect(banner).not.toContainText('?.');
  await banner.getByRole('button', { name: 'Dismiss' }).click();
  await expect(page.getByText('This link could not be opened')).toHaveCount(0);
});
