import { expect, test } from '@playwright/test';
import { mainNav, newChurch, open, signIn, signOut, signUp } from './support';

test('changing the password checks the current one, keeps this session and signs out the others', async ({
  page,
  browser,
  baseURL,
}) => {
  const c = newChurch('Bethel');
  await signUp(page, c);

  // A second device signed in as the same person.
  const otherCtx = await browser.newContext({ baseURL });
  const other = await otherCtx.newPage();
  await signIn(other, c.email, c.password);
  await expect(other).toHaveURL(/\/dashboard$/);

  await mainNav(page).getByRole('link', { name: 'Account' }).click();
  await expect(page).toHaveURL(/\/account$/);
  await expect(page.locator('html[data-hydrated]')).toHaveCount(1);
  await page.getByLabel('Current password').fill('not my password');
  await page.getByLabel('New password').fill('an even longer new password');
  await page.getByRole('button', { name: 'Change password' }).click();
  await expect(page.getByLabel('Current password')).toHaveAccessibleDescription(
    'Your current password is not correct.',
  );

  // The current password again as the new one: refused beside "New password", which gets the focus.
  await page.getByLabel('Current password').fill(c.password);
  await page.getByLabel('New password').fill(c.password);
  await page.getByRole('button', { name: 'Change password' }).click();
  await expect(page.getByLabel('New password')).toHaveAccessibleDescription(
    'Choose a new password that is different from your current one.',
  );
  await expect(page.getByLabel('New password')).toBeFocused();
  await expect(page.getByLabel('Current password')).not.toHaveAttribute('aria-invalid', 'true');
  await expect(page.locator('#password').getByRole('alert')).toHaveCount(0); // beside the field only

  await page.getByLabel('New password').fill('an even longer new password');
  await page.getByRole('button', { name: 'Change password' }).click();
  await expect(
    page.getByRole('status').filter({ hasText: 'Password changed. 1 other session was signed out.' }),
  ).toBeVisible();

  // This session goes on; the other device is signed out.
  await open(page, '/dashboard');
  await expect(page).toHaveURL(/\/dashboard$/);
  await other.goto('/dashboard');
  await expect(other).toHaveURL(/\/login$/);

  // The new password works, the old one no longer does (checked through the new one only, to spare the throttle).
  await signOut(page);
  await signIn(page, c.email, 'an even longer new password');
  await expect(page).toHaveURL(/\/dashboard$/);
  await otherCtx.close();
});

test('"Sign out everywhere" ends every session, this one included', async ({ page, browser, baseURL }) => {
  const c = newChurch('Shiloh');
  await signUp(page, c);
  const otherCtx = await browser.newContext({ baseURL });
  const other = await otherCtx.newPage();
  await signIn(other, c.email, c.password);
  await expect(other).toHaveURL(/\/dashboard$/);

  await open(page, '/account');
  await page.getByRole('button', { name: 'Sign out everywhere' }).click();
  const dialog = page.getByRole('dialog', { name: 'Sign out everywhere?' });
  await expect(dialog).toBeVisible();
  await dialog.getByRole('button', { name: 'Sign out everywhere' }).click();
  await expect(page).toHaveURL(/\/login$/);

  await page.goto('/dashboard');
  await expect(page).toHaveURL(/\/login$/);
  await other.goto('/account');
  await expect(other).toHaveURL(/\/login\?callbackUrl=%2Faccount$/);
  await otherCtx.close();
});
