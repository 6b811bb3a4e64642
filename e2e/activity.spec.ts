import { expect, test } from '@playwright/test';
import { fitsWidth, noSeriousAxeViolations } from './page-checks';
import {
  addMember,
  buyNumber,
  newChurch,
  open,
  PASSWORD,
  randomUsNumber,
  signUp,
  trpcMutation,
  unique,
} from './support';

test('the activity log shows a broadcast sent and a role changed, filterable, at 1280 and 390 px', async ({ page }) => {
  test.setTimeout(90_000);
  const owner = newChurch('Shiloh');
  await signUp(page, owner);
  await buyNumber(page.request);
  await addMember(page, { firstName: 'Lydia', lastName: 'Purple', phone: randomUsNumber() });

  // A broadcast, sent now through the composer.
  await open(page, '/broadcasts');
  await page.getByRole('textbox', { name: 'Message', exact: true }).fill('Easter service at 10am');
  await expect(page.getByTestId('broadcast-preview')).toHaveAttribute('data-recipients', '1');
  await page.getByRole('button', { name: 'Send now…' }).click();
  const send = page.getByRole('dialog', { name: 'Text 1 person now?' });
  await send.getByRole('button', { name: 'Send now', exact: true }).click();
  await expect(send).toBeHidden();

  // A teammate (invited and accepted through the API), made admin on the Team page.
  const email = `activity-${unique()}@example.org`;
  const invite = await trpcMutation(page.request, 'team.invite', { email, role: 'staff' });
  expect(invite.status, invite.text).toBe(200);
  const token = String(invite.data.url).split('/invite/')[1];
  const accepted = await trpcMutation(page.request, 'team.accept', { token, name: 'Sam Staff', password: PASSWORD });
  expect(accepted.status, accepted.text).toBe(200);
  await open(page, '/team');
  await page.getByLabel('Role for Sam Staff').selectOption('admin');
  await page.getByRole('button', { name: 'Save role for Sam Staff' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Sam Staff is now admin.' })).toBeVisible();

  await open(page, '/activity');
  const log = page.getByRole('list', { name: 'Activity' });
  await expect(log).toContainText(`${owner.name} sent the broadcast “Easter service at 10am” to 1 person`);
  await expect(log).toContainText(`${owner.name} changed Sam Staff’s role from staff to admin`);
  await expect(log).toContainText(/EST|EDT/); // the church's clock, its zone named
  await fitsWidth(page);
  await noSeriousAxeViolations(page);

  // A filter lives in the URL and survives a reload.
  await page.getByLabel('What').selectOption('team');
  await expect(page).toHaveURL(/\?group=team$/);
  await expect(log).not.toContainText('Easter service');
  await page.reload();
  await expect(page.getByRole('list', { name: 'Activity' })).toContainText('changed Sam Staff’s role');
  await expect(page.getByLabel('What')).toHaveValue('team');

  await page.setViewportSize({ width: 390, height: 844 });
  await open(page, '/activity');
  await expect(page.getByRole('list', { name: 'Activity' })).toContainText('changed Sam Staff’s role');
  await fitsWidth(page);
  await noSeriousAxeViolations(page);
  await open(page, '/activity?group=broadcasts');
  await expect(page.getByRole('list', { name: 'Activity' })).toContainText(
    'sent the broadcast “Easter service at 10am”',
  );
  await fitsWidth(page);
});
