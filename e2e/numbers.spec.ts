import { expect, test } from '@playwright/test';
import { newChurch, open, signUp, trpcMutation, trpcQuery } from './support';
import { fitsPhoneWithoutSeriousAxeViolations } from './page-checks';

/**
 * Buying and releasing a sending number in Settings, on a phone (390 px): search the inventory (the simulated one:
 * e2e has no Telnyx key) by area code, see what a number costs, buy it, and give it back by typing it. The page must
 * fit the width and pass axe in each state.
 */

test.use({ viewport: { width: 390, height: 844 } });

const searchFor615 = `phoneNumbers.search?input=${encodeURIComponent(JSON.stringify({ json: { areaCode: '615' } }))}`;

test('the owner finds a 615 number, buys it for $1.00 a month, and releases it by typing it', async ({ page }) => {
  test.setTimeout(120_000);
  await signUp(page, newChurch('Nashville'));

  // The dashboard's first step leads to Settings.
  const step = page.getByTestId('step-number');
  await expect(step).toContainText('Get a sending number');
  await expect(step).toHaveAttribute('data-done', 'false');
  await step.getByRole('link', { name: 'Add a number' }).click();
  await expect(page).toHaveURL(/\/settings#phone-numbers$/);
  await expect(page.locator('html[data-hydrated]')).toHaveCount(1);

  const panel = page.locator('#phone-numbers');
  const owned = page.getByRole('list', { name: 'Sending numbers' }).getByTestId('phone-number');
  const planNote = panel.getByText('Your plan includes one sending number.');
  await expect(panel.getByText('No sending number yet.')).toBeVisible();
  await expect(panel.getByText(/practice mode/)).toBeVisible();

  // A bad area code is refused beside its field.
  await panel.getByLabel('Area code').fill('15');
  await panel.getByRole('button', { name: 'Search', exact: true }).click();
  await expect(panel.getByLabel('Area code')).toHaveAccessibleDescription('An area code is three digits, like 615');

  // Search by area code: every offer is a Nashville number at $1.00 a month.
  await panel.getByLabel('Area code').fill('615');
  await panel.getByRole('button', { name: 'Search', exact: true }).click();
  const offers = page.getByRole('list', { name: 'Numbers for sale' }).getByTestId('number-offer');
  await expect(offers.first()).toBeVisible();
  const count = await offers.count();
  for (let i = 0; i < count; i++) {
    await expect(offers.nth(i)).toHaveAttribute('data-number', /^\+1615555\d{4}$/);
    await expect(offers.nth(i)).toContainText('Nashville, TN · $1.00 a month');
  }
  await fitsPhoneWithoutSeriousAxeViolations(page);

  // Buy a random one (another of the offers stays for sale, for the limit check below), after seeing its cost.
  const pickIndex = Math.floor(Math.random() * count);
  const offer = offers.nth(pickIndex);
  const number = (await offer.getAttribute('data-number'))!;
  const other = (await offers.nth((pickIndex + 1) % count).getAttribute('data-number'))!;
  const buy = offer.getByRole('button', { name: /^Buy / });
  const display = (await buy.getAttribute('aria-label'))!.replace(/^Buy /, '');
  expect(display).toMatch(/^\(615\) 555-01\d\d$/);
  await buy.click();
  const buyDialog = page.getByRole('dialog', { name: `Buy ${display}?` });
  await expect(buyDialog).toContainText('It costs $1.00 a month, until you release it.');
  await fitsPhoneWithoutSeriousAxeViolations(page);
  await buyDialog.getByRole('button', { name: 'Buy number' }).click();
  await expect(buyDialog).toBeHidden();
  await expect(
    page.getByRole('status').filter({ hasText: `${display} is yours. Register it with carriers` }),
  ).toBeVisible();

  // It is listed with its cost, and the search gives way to the plan's note.
  await expect(owned).toHaveCount(1);
  await expect(owned).toHaveAttribute('data-number', number);
  await expect(owned).toContainText(display);
  await expect(owned).toContainText('$1.00 a month');
  await expect(planNote).toBeVisible();
  await expect(panel.getByRole('heading', { name: 'Find a number' })).toHaveCount(0);
  await expect(page.getByRole('list', { name: 'Numbers for sale' })).toHaveCount(0);
  await fitsPhoneWithoutSeriousAxeViolations(page);

  // One number is the plan's limit; the one bought is gone from the inventory.
  const second = await trpcMutation(page.request, 'phoneNumbers.order', { phoneNumber: other });
  expect(second.error?.data.code, second.text).toBe('PRECONDITION_FAILED');
  const after = await trpcQuery(page.request, searchFor615);
  expect(after.status, after.text).toBe(200);
  expect((after.data as { number: string }[]).map((o) => o.number)).not.toContain(number);

  // The dashboard counts the step as done.
  await open(page, '/dashboard');
  await expect(page.getByTestId('step-number')).toHaveAttribute('data-done', 'true');

  // Releasing: a number typed wrong is refused in the dialog, and the number stays.
  await open(page, '/settings');
  await expect(owned).toHaveAttribute('data-number', number);
  await owned.getByRole('button', { name: `Release ${display}` }).click();
  const release = page.getByRole('dialog', { name: `Release ${display}?` });
  const typed = release.getByLabel('Type the number to confirm');
  await typed.fill('(615) 555-9999');
  await release.getByRole('button', { name: 'Release', exact: true }).click();
  await expect(typed).toHaveAccessibleDescription('Type the number exactly as shown to release it.');
  await expect(release).toBeVisible();
  await fitsPhoneWithoutSeriousAxeViolations(page);
  const still = await trpcQuery(page.request, 'phoneNumbers.list');
  expect((still.data.numbers as { number: string }[]).map((n) => n.number)).toEqual([number]);

  // Typed as shown, it is released: the list empties and the search comes back.
  await typed.fill(display);
  await release.getByRole('button', { name: 'Release', exact: true }).click();
  await expect(release).toBeHidden();
  await expect(page.getByRole('status').filter({ hasText: `${display} released.` })).toBeVisible();
  await expect(owned).toHaveCount(0);
  await expect(panel.getByText('No sending number yet.')).toBeVisible();
  await expect(planNote).toHaveCount(0);
  await expect(panel.getByRole('heading', { name: 'Find a number' })).toBeVisible();
  await expect(panel.getByLabel('Area code')).toBeVisible();
  await fitsPhoneWithoutSeriousAxeViolations(page);

  // The number is for sale again.
  const again = await trpcQuery(page.request, searchFor615);
  expect((again.data as { number: string }[]).map((o) => o.number)).toContain(number);
});
