import { expect, test } from '@playwright/test';
import { mainNav, newChurch, open, PASSWORD, signUp, trpcQuery, unique } from './support';

test('owner invites staff, who accept elsewhere with a reduced menu; role changes and removal apply at once', async ({
  page,
  browser,
  baseURL,
}) => {
  test.setTimeout(90_000);
  const owner = newChurch('Zion');
  const staffEmail = `staff-${unique()}@example.org`;
  await signUp(page, owner);

  // Invite.
  await mainNav(page).getByRole('link', { name: 'Team' }).click();
  await expect(page).toHaveURL(/\/team$/);
  await expect(page.getByRole('heading', { name: 'Team', level: 1 })).toBeVisible();
  // Each role's abilities, spelled out before one is chosen.
  await expect(page.getByTestId('role-staff')).toContainText('Text people one to one');
  await expect(page.getByTestId('role-admin')).toContainText('Send, schedule and cancel broadcasts');
  await expect(page.getByTestId('role-admin')).not.toContainText('Choose the plan and pay');
  await expect(page.getByTestId('role-owner')).toContainText('Choose the plan and pay');
  // No mail server here: the invitation is a link to pass on, and the button says so.
  await expect(page.getByText('You get a link to send them')).toBeVisible();
  await page.getByRole('textbox', { name: 'Email' }).fill(staffEmail);
  await page.getByLabel('Role', { exact: true }).selectOption('staff');
  await page.getByRole('button', { name: 'Create invite link' }).click();
  const link = page.getByLabel('Invite link');
  await expect(link).toHaveValue(/\/invite\/[\w-]{20,}$/);
  const url = await link.inputValue();
  await expect(page.getByText(/Email is not set up, so copy this link/)).toBeVisible();
  const pending = page.getByRole('list', { name: 'Pending invitations' });
  await expect(pending.getByTestId('invite')).toHaveCount(1);
  await expect(pending).toContainText(staffEmail);

  // Inviting an existing member is refused beside the field.
  await page.getByRole('textbox', { name: 'Email' }).fill(owner.email);
  await page.getByRole('button', { name: 'Create invite link' }).click();
  await expect(page.getByRole('textbox', { name: 'Email' })).toHaveAccessibleDescription(
    'This person is already on your team.',
  );

  // Accept in a second browser.
  const staffCtx = await browser.newContext({ baseURL });
  const staff = await staffCtx.newPage();
  await staff.goto(url);
  await expect(staff.locator('html[data-hydrated]')).toHaveCount(1);
  await expect(staff.getByRole('heading', { name: `Join ${owner.church}` })).toBeVisible();
  await expect(staff.getByTestId('invite-email')).toHaveText(staffEmail);
  await expect(staff.getByText('Staff', { exact: true })).toBeVisible();
  await staff.getByRole('button', { name: 'Accept invitation' }).click();
  await expect(staff.getByLabel('Full name')).toHaveAccessibleDescription('Enter your full name');
  await staff.getByLabel('Full name').fill('Sam Staff');
  await staff.getByLabel('Password').fill(PASSWORD);
  await staff.getByRole('button', { name: 'Accept invitation' }).click();
  await expect(staff).toHaveURL(/\/dashboard$/);
  await expect(staff.getByRole('heading', { name: 'Welcome, Sam' })).toBeVisible();
  await expect(staff.getByTestId('church-name')).toHaveText(owner.church);

  // Staff: Dashboard and Account only, and /team is refused (page and API).
  const nav = mainNav(staff);
  await expect(nav.getByRole('link', { name: 'Dashboard' })).toBeVisible();
  await expect(nav.getByRole('link', { name: 'Account' })).toBeVisible();
  await expect(nav.getByRole('link', { name: 'Team' })).toHaveCount(0);
  await open(staff, '/team');
  await expect(staff.getByRole('heading', { name: 'You are not allowed to see this page' })).toBeVisible();
  await expect(staff.getByText(owner.email)).toHaveCount(0);
  const forbidden = await trpcQuery(staffCtx.request, 'team.list');
  expect(forbidden.status).toBe(403);
  expect(forbidden.error?.data.code).toBe('FORBIDDEN');

  // The link is used up.
  const reuse = await browser.newContext({ baseURL });
  const reusePage = await reuse.newPage();
  await reusePage.goto(url);
  await expect(reusePage.getByRole('heading', { name: 'Invitation not valid' })).toBeVisible();
  await reuse.close();

  // The owner sees the new member and no pending invitation.
  await page.reload();
  const members = page.getByRole('list', { name: 'Team members' });
  await expect(members.getByTestId('member')).toHaveCount(2);
  await expect(members).toContainText('Sam Staff');
  await expect(page.getByText('No pending invitations.')).toBeVisible();

  // Promote to admin: the menu gains Team and the list is read-only.
  await expect(page.locator('html[data-hydrated]')).toHaveCount(1);
  await page.getByLabel('Role for Sam Staff').selectOption('admin');
  await page.getByRole('button', { name: 'Save role for Sam Staff' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Sam Staff is now admin.' })).toBeVisible();
  await open(staff, '/dashboard');
  await nav.getByRole('link', { name: 'Team' }).click();
  await expect(staff).toHaveURL(/\/team$/);
  await expect(staff.getByRole('list', { name: 'Team members' })).toContainText(owner.email);
  await expect(staff.getByRole('button', { name: 'Create invite link' })).toHaveCount(0);
  await expect(staff.getByRole('button', { name: /Remove/ })).toHaveCount(0);

  // Remove, after a confirmation: the member is signed out everywhere at once.
  await page.getByRole('button', { name: 'Remove Sam Staff' }).click();
  const dialog = page.getByRole('dialog', { name: 'Remove Sam Staff?' });
  await expect(dialog).toBeVisible();
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(dialog).toBeHidden();
  await expect(members.getByTestId('member')).toHaveCount(2);
  await page.getByRole('button', { name: 'Remove Sam Staff' }).click();
  await dialog.getByRole('button', { name: 'Remove', exact: true }).click();
  await expect(dialog).toBeHidden();
  await expect(members.getByTestId('member')).toHaveCount(1);
  await expect(page.getByText('Sam Staff was removed and signed out.')).toBeVisible();

  await staff.goto('/dashboard');
  await expect(staff).toHaveURL(/\/login$/);
  await staffCtx.close();
});

test('an invitation link that does not exist says so plainly', async ({ page }) => {
  await open(page, `/invite/${'x'.repeat(32)}`);
  await expect(page.getByRole('heading', { name: 'Invitation not valid' })).toBeVisible();
  await expect(page.getByText('This invitation is no longer valid. Ask your church for a new one.')).toBeVisible();
  await open(page, '/invite/short');
  await expect(page.getByRole('heading', { name: 'Invitation not valid' })).toBeVisible();
});
