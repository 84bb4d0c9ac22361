import { test, expect, type Page } from '@playwright/test';
import { openApp, setSpeed, openSettings, eventLog, screenshots, expectAccessible } from './helpers';

function consolePanel(page: Page) {
  return page.getByRole('region', { name: 'AWS CLI' });
}

/** Type a line into the console with the keyboard, as a person would, and press Enter. */
async function typeCommand(page: Page, line: string) {
  const input = consolePanel(page).getByLabel('AWS CLI command');
  await input.fill('');
  await input.pressSequentially(line);
  await input.press('Enter');
}

test('a learner fixes an exercise by typing aws commands only, with Tab completion and the history', async ({ page }, testInfo) => {
  const errors = await openApp(page, '/?exercise=task-sg-blocks-alb');
  const exercise = page.getByRole('region', { name: 'The gate in front of the tasks' });
  await expect(exercise).toBeVisible();
  const cli = consolePanel(page);
  const input = cli.getByLabel('AWS CLI command');
  const output = cli.getByRole('list', { name: 'Console output' });

  // Tab completes the operation, then offers the target group's ARN.
  await input.pressSequentially('aws elbv2 describe-target-he');
  await input.press('Tab');
  await expect(input).toHaveValue('aws elbv2 describe-target-health ');
  await input.pressSequentially('--target-group-a');
  await input.press('Tab');
  await expect(input).toHaveValue('aws elbv2 describe-target-health --target-group-arn ');
  await input.press('Tab');
  await expect(input).toHaveValue(/--target-group-arn arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup\/web-tg\/[0-9a-f]{16} $/);
  await input.fill('');
  // Wait until the blocked health checks have failed (the group fails open), then ask AWS.
  await setSpeed(page, '60');
  await expect(page.getByRole('region', { name: 'Why?' })).toContainText('fail open', { timeout: 60_000 });
  await setSpeed(page, '1');
  await typeCommand(page, 'aws elbv2 describe-target-health --target-group-arn');
  await expect(output.getByRole('listitem').last()).toContainText('aws: error: argument --target-group-arn: expected one argument');

  // The arrow keys bring the line back; the answer shows AWS's JSON.
  await input.press('ArrowUp');
  await expect(input).toHaveValue('aws elbv2 describe-target-health --target-group-arn');
  await input.pressSequentially(' arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/nope/0');
  await input.press('Enter');
  await expect(output.getByRole('listitem').last()).toContainText('(TargetGroupNotFound)');
  await setSpeed(page, '10');
  // Ask AWS, as a learner would, until a target has failed its checks (ECS replaces failed
  // tasks, so a moment may show only new ones).
  await input.pressSequentially('aws elbv2 describe-target-health --target-group-arn ');
  await input.press('Tab');
  const describe = await input.inputValue();
  await expect.poll(async () => {
    await typeCommand(page, describe);
    return output.getByRole('listitem').last().innerText();
  }, { timeout: 60_000, intervals: [1_000] }).toContain('"Reason": "Target.Timeout"');
  await setSpeed(page, '1');

  // A change the exercise keeps locked is refused and changes nothing.
  await typeCommand(page, 'aws ecs update-service --cluster lab --service web --desired-count 3');
  await expect(output.getByRole('listitem').last()).toContainText('keeps the service settings locked');

  // A wrong fix gets the AWS CLI's answer.
  await typeCommand(page, 'aws ec2 authorize-security-group-ingress --group-id sg-task --protocol tcp --port 8000');
  await expect(output.getByRole('listitem').last()).toContainText(
    'An error occurred (MissingParameter) when calling the AuthorizeSecurityGroupIngress operation: The request must contain the parameter ipRanges or userIdGroupPairs');

  // The fix, typed.
  await typeCommand(page, 'aws ec2 authorize-security-group-ingress --group-id sg-task --protocol tcp --port 8000 --source-group sg-alb');
  await expect(output.getByRole('listitem').last()).toContainText('AuthorizeSecurityGroupIngress: sg-task TCP 8000 from sg-alb');
  await expect(input).toHaveValue('');
  await typeCommand(page, 'aws ec2 authorize-security-group-ingress --group-id sg-task --protocol tcp --port 8000 --source-group sg-alb');
  await expect(output.getByRole('listitem').last()).toContainText(
    'An error occurred (InvalidPermission.Duplicate) when calling the AuthorizeSecurityGroupIngress operation');
  await setSpeed(page, '60');
  await expect(exercise.getByText('Solved! Your progress is saved in this browser.')).toBeVisible({ timeout: 60_000 });
  await expectAccessible(page);
  await screenshots(page, testInfo, 'console-solved');
  expect(errors).toEqual([]);
});

test('a change made in a form shows its aws command in the event log, and the copy button copies it', async ({ page, context }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  const errors = await openApp(page, '/?exercise=task-sg-blocks-alb&sandbox=1');
  await openSettings(page, 'Task security group');
  await page.getByLabel('From port').fill('8000');
  await page.getByLabel('To port').fill('8000');
  await page.getByLabel('Source').fill('sg-alb');
  await page.getByRole('button', { name: 'Add rule' }).click();
  const expected = 'aws ec2 authorize-security-group-ingress --group-id sg-task --protocol tcp --port 8000 --source-group sg-alb';
  const item = eventLog(page).getByRole('listitem').filter({ hasText: 'AuthorizeSecurityGroupIngress' }).first();
  await expect(item).toContainText(expected);
  await item.getByRole('button', { name: 'Copy the aws command' }).click();
  await expect.poll(() => page.evaluate(() => navigator.clipboard.readText())).toBe(expected);
  expect(errors).toEqual([]);
});

test('export my fixes gives a shell script of the changes since the start, with a comment for each', async ({ page }) => {
  const errors = await openApp(page, '/?exercise=task-sg-blocks-alb&sandbox=1');
  const cli = consolePanel(page);
  await expect(cli).toBeVisible();
  await cli.getByRole('button', { name: 'Export my fixes' }).click();
  const region = cli.getByRole('region', { name: 'Your changes as a script' });
  await expect(region).toContainText('# No changes yet.');
  await typeCommand(page, 'aws ec2 authorize-security-group-ingress --group-id sg-task --protocol tcp --port 8000 --source-group sg-alb');
  await typeCommand(page, 'aws ecs update-service --cluster lab --service web --health-check-grace-period-seconds 30');
  await cli.getByRole('button', { name: 'Export my fixes' }).click();
  await expect(region).toContainText('AuthorizeSecurityGroupIngress: sg-task TCP 8000 from sg-alb');
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    region.getByRole('button', { name: 'Download alb-lab-fixes.sh' }).click(),
  ]);
  expect(download.suggestedFilename()).toBe('alb-lab-fixes.sh');
  const path = await download.path();
  const script = (await import('node:fs')).readFileSync(path!, 'utf8');
  expect(script.startsWith('#!/usr/bin/env bash\n')).toBe(true);
  const commands = script.split('\n').filter((l) => l.startsWith('aws '));
  expect(commands).toEqual([
    'aws ec2 authorize-security-group-ingress --group-id sg-task --protocol tcp --port 8000 --source-group sg-alb',
    'aws ecs update-service --cluster lab --service web --health-check-grace-period-seconds 30',
  ]);
  expect(script).toMatch(/# \d\d:\d\d:\d\d AuthorizeSecurityGroupIngress: sg-task TCP 8000 from sg-alb\naws ec2/);
  await expect(region.getByLabel('Terraform for your changes')).toContainText('resource "aws_vpc_security_group_ingress_rule"');
  expect(errors).toEqual([]);
});
