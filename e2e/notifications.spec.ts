import { expect, test } from '@playwright/test';
import { fitsPhoneWithoutSeriousAxeViolations } from './page-checks';
import { newChurch, open, signUp } from './support';

const phone = { width: 390, height: 844 };

test('each person sets their own notifications on the account page; fits a phone; the service worker loads', async ({
  page,
}) => {
  const c = newChurch('Notify');
  await signUp(page, c);
  await page.setViewportSize(phone);
  await open(page, '/account');
  const section = page.getByRole('region', { name: 'Notifications' });
  await expect(section).toBeVisible();

  // Nothing until chosen.
  const email = section.getByRole('group', { name: 'Email' });
  await expect(email.getByLabel('New texts')).toHaveValue('off');
  await email.getByLabel('New texts').selectOption({ label: 'Only threads assigned to me' });
  await email.getByLabel('Connect cards').check();
  await section.getByLabel('Email me a daily digest').check();
  await section.getByLabel('At').fill('07:30');
  await expect(section.getByLabel('At')).toHaveAccessibleDescription(/The church's time \(.+\)\./);
  await section.getByRole('button', { name: 'Save notifications' }).click();
  await expect(section.getByRole('status').filter({ hasText: 'Notifications saved.' })).toBeVisible();
  await fitsPhoneWithoutSeriousAxeViolations(page);

  // Kept: a reload shows what was saved.
  await open(page, '/account');
  const again = page.getByRole('region', { name: 'Notifications' });
  await expect(again.getByRole('group', { name: 'Email' }).getByLabel('New texts')).toHaveValue('assigned');
  await expect(again.getByRole('group', { name: 'Email' }).getByLabel('Connect cards')).toBeChecked();
  await expect(again.getByLabel('At')).toHaveValue('07:30');

  // Browser notifications: a switch when the server has VAPID keys, a plain word when it does not.
  const browserGroup = again.getByRole('group', { name: 'Browser notifications' });
  await expect(
    browserGroup
      .getByRole('button', { name: 'Turn on browser notifications' })
      .or(browserGroup.getByText('Browser notifications are not set up on this server.')),
  ).toBeVisible();

  // The service worker the switch registers is served and allowed by the page's security policy.
  const registered = await page.evaluate(async () => {
    const registration = await navigator.serviceWorker.register('/sw.js');
    await navigator.serviceWorker.ready;
    return registration.scope;
  });
  expect(new URL(registered).pathname).toBe('/');
});
