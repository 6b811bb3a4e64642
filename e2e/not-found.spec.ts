import { expect, test } from '@playwright/test';
import { fitsPhoneWithoutSeriousAxeViolations } from './page-checks';
import { mainNav, newChurch, open, signUp } from './support';

test('a missing page says so with a way home, inside the app for a signed-in admin; /billing finds billing', async ({
  page,
}) => {
  const missing = await page.goto('/no-such-page');
  expect(missing?.status()).toBe(404);
  await expect(page.getByRole('heading', { name: 'Page not found' })).toBeVisible();
  await expect(page.getByRole('link', { name: "Go to Steeple's home page" })).toHaveAttribute('href', '/');
  await fitsPhoneWithoutSeriousAxeViolations(page);

  const c = newChurch('Antioch');
  await signUp(page, c);
  for (const size of [
    { width: 1280, height: 800 },
    { width: 390, height: 844 },
  ]) {
    await page.setViewportSize(size);
    await open(page, '/members/nothing/here');
    await expect(page.getByRole('heading', { name: 'Page not found' })).toBeVisible();
    // The app's own menu (on a phone, behind its Menu button).
    if (size.width < 1024) await mainNav(page).getByRole('button', { name: /^Menu/ }).click();
    await expect(mainNav(page).getByRole('link', { name: /^Inbox/ })).toBeVisible();
    await fitsPhoneWithoutSeriousAxeViolations(page);
  }
  await page.getByRole('link', { name: 'Go to the dashboard' }).click();
  await expect(page).toHaveURL(/\/dashboard$/);

  await open(page, '/billing');
  await expect(page).toHaveURL(/\/settings\/billing$/);
});
