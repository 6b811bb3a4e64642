import { expect, test, type Page } from '@playwright/test';
import {
  addMember,
  buyNumberInSettings,
  newChurch,
  open,
  orderNumber,
  randomUsNumber,
  signUp,
  trpcQuery,
} from './support';
import { fitsPhoneWithoutSeriousAxeViolations } from './page-checks';

/**
 * "Get ready to text", on a phone (390 px), in local mode: a number bought in Settings is not registered with US
 * carriers, so texting a US member is refused with a link to the checklist; the owner finds the form prefilled,
 * completes it, submits it, and the simulated carrier approves it (in a second under e2e) and attaches the number;
 * then the first text goes out. The page must fit the width and pass axe in each state.
 */

test.use({ viewport: { width: 390, height: 844 } });

const NOT_REGISTERED =
  'Your number is not registered with US carriers yet, so they would block texts to US numbers. ' +
  'Finish “Get ready to text” first (your church’s owner does it).';

const step = (page: Page, id: string) => page.getByTestId(`ready-step-${id}`);

test('the owner registers the number, sees the review through to approval, and then texts a member', async ({
  page,
}) => {
  test.setTimeout(180_000);
  const church = newChurch('Shiloh');
  await signUp(page, church);
  const number = await buyNumberInSettings(page);
  const row = page.getByRole('list', { name: 'Sending numbers' }).getByTestId('phone-number');
  await expect(row.getByTestId('registration-state')).toHaveAttribute('data-registered', 'false');
  await expect(row.getByRole('link', { name: 'Get ready to text' })).toHaveAttribute('href', '/get-ready');

  // Texting a US member before registering is refused, with the way to the checklist.
  const hannah = await addMember(page, { firstName: 'Hannah', lastName: 'Ramah', phone: randomUsNumber() });
  await open(page, `/inbox?member=${hannah.id}`);
  const box = page.getByRole('textbox', { name: 'Message to Hannah' });
  await box.fill('Welcome to Shiloh!');
  await page.getByRole('button', { name: 'Send', exact: true }).click();
  const refusal = page.getByRole('alert').filter({ hasText: NOT_REGISTERED });
  await expect(refusal).toBeVisible();
  await expect(refusal.getByRole('link', { name: 'Get ready to text' })).toHaveAttribute('href', '/get-ready');
  await fitsPhoneWithoutSeriousAxeViolations(page);

  // The dashboard's step leads to the page.
  await open(page, '/dashboard');
  await expect(page.getByTestId('step-number')).toHaveAttribute('data-done', 'true');
  const register = page.getByTestId('step-register');
  await expect(register).toContainText('Register your number');
  await expect(register).toHaveAttribute('data-done', 'false');
  await register.getByRole('link', { name: 'Get ready to text' }).click();
  await expect(page).toHaveURL(/\/get-ready$/);
  await expect(page.locator('html[data-hydrated]')).toHaveCount(1);
  await expect(page.getByRole('heading', { level: 1, name: 'Get ready to text' })).toBeVisible();

  // The checklist: a number, nothing else yet.
  await expect(page.getByRole('list', { name: 'Get ready to text' }).getByRole('listitem')).toHaveCount(4);
  await expect(step(page, 'number')).toHaveAttribute('data-done', 'true');
  for (const id of ['submitted', 'approved', 'attached'])
    await expect(step(page, id)).toHaveAttribute('data-done', 'false');
  await expect(step(page, 'approved')).toContainText('a practice review approves it in a few seconds');

  // The form for a local number, prefilled with what Steeple knows, each field explained.
  const form = page.getByRole('region', { name: '10DLC registration (local number)' });
  await expect(form).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Toll-free verification' })).toHaveCount(0);
  await expect(form.getByLabel('Legal name')).toHaveValue(church.church);
  await expect(form.getByLabel('First name')).toHaveValue('Shiloh');
  await expect(form.getByLabel('Last name')).toHaveValue('Pastor');
  await expect(form.getByLabel('EIN')).toHaveValue('');
  await expect(form.getByLabel('EIN')).toHaveAccessibleDescription(/9-digit federal tax id/);
  await expect(form.getByLabel('Use case')).toHaveValue('MIXED');
  await expect(form.getByLabel('Texts a month')).toHaveCount(0);
  await expect(form.getByLabel('Description')).toHaveValue(new RegExp(`^${church.church} texts its members`));
  await expect(form.getByLabel('Sample message 1')).toHaveValue(new RegExp(church.church));
  await expect(form.getByLabel('Sample message 2')).not.toHaveValue('');
  await expect(form.getByLabel('Sample message 3')).toHaveCount(0);
  await expect(form.getByLabel('How people opt in')).toHaveValue(/connect card at http\S+\/c\//);
  await expect(form.getByLabel('How people opt in')).toHaveAccessibleDescription(
    /Carriers read this to see how people agree to your texts/,
  );
  await expect(form.getByLabel('Opt-out keywords')).toHaveValue(/\bSTOP\b/);
  await expect(form.getByLabel('Help keywords')).toHaveValue(/\bHELP\b/);
  await expect(form.getByLabel('Help reply')).toHaveValue(/Reply STOP/);
  await fitsPhoneWithoutSeriousAxeViolations(page);

  // A third sample message can be added, and removed again (two at least).
  await form.getByRole('button', { name: 'Add a sample message' }).click();
  await expect(form.getByLabel('Sample message 3')).toBeFocused();
  await form.getByRole('button', { name: 'Remove sample 3' }).click();
  await expect(form.getByLabel('Sample message 3')).toHaveCount(0);

  // What Steeple could not know.
  await form.getByLabel('EIN').fill('12-3456789');
  await form.getByLabel('Street address').fill('100 Broadway');
  await form.getByLabel('City').fill('Nashville');
  await form.getByLabel('State').selectOption('TN');
  await form.getByLabel('ZIP code').fill('37203');
  await form.getByLabel('Website').fill('shilohchurch.org');
  await form.getByLabel('Email').fill('office@shilohchurch.org');
  await form.getByLabel('Phone').fill('(615) 555-0123');
  await form.getByRole('button', { name: 'Submit registration' }).click();

  // Under review: said so, and the form is read-only (the EIN shown by its last digits only).
  const reviewing = page.getByRole('status').filter({ hasText: 'Carriers are reviewing your registration' });
  const approved = form.getByRole('status').filter({ hasText: 'Approved' });
  await expect(reviewing.or(approved)).toBeVisible();
  await expect(step(page, 'submitted')).toHaveAttribute('data-done', 'true');
  if (await reviewing.isVisible()) {
    await expect(form.getByLabel('EIN')).toBeDisabled();
    await expect(form.getByLabel('EIN')).toHaveValue('••-•••6789');
    await expect(form.getByRole('button', { name: 'Submit registration' })).toHaveCount(0);
    await fitsPhoneWithoutSeriousAxeViolations(page);
  }

  // The simulated carrier approves it and the number is attached: the page polls, no reload.
  await expect(approved).toBeVisible({ timeout: 30_000 });
  for (const id of ['number', 'submitted', 'approved', 'attached'])
    await expect(step(page, id)).toHaveAttribute('data-done', 'true', { timeout: 15_000 });
  await expect(approved.getByTestId('registered-number')).toHaveAttribute('data-number', number);
  await expect(approved.getByTestId('registered-number')).toContainText('Attached');
  await expect(reviewing).toHaveCount(0);
  await fitsPhoneWithoutSeriousAxeViolations(page);

  // Settings says so too, and the dashboard step is done.
  await open(page, '/settings');
  await expect(row.getByTestId('registration-state')).toHaveText('Registered with carriers');
  await open(page, '/dashboard');
  await expect(page.getByTestId('step-register')).toHaveAttribute('data-done', 'true');

  // Now the first text goes out.
  await open(page, `/inbox?member=${hannah.id}`);
  await page.getByRole('textbox', { name: 'Message to Hannah' }).fill('Welcome to Shiloh!');
  await page.getByRole('button', { name: 'Send', exact: true }).click();
  await expect(page).toHaveURL(/\/inbox\?c=[0-9a-f-]{36}$/);
  const sent = page
    .getByRole('log', { name: 'Messages with Hannah Ramah' })
    .getByTestId('message')
    .filter({ hasText: 'Welcome to Shiloh!' });
  await expect(sent).toHaveAttribute('data-status', 'sent', { timeout: 20_000 });
});

test('a bad EIN is refused beside its field, and nothing is sent', async ({ page }) => {
  await signUp(page, newChurch('Bethany'));
  await orderNumber(page.request); // left unregistered
  await open(page, '/get-ready');
  const form = page.getByRole('region', { name: '10DLC registration (local number)' });
  const ein = form.getByLabel('EIN');
  await ein.fill('123');
  await form.getByRole('button', { name: 'Submit registration' }).click();
  await expect(ein).toHaveAccessibleDescription('An EIN is nine digits, like 12-3456789');
  await expect(ein).toHaveAttribute('aria-invalid', 'true');
  await expect(ein).toBeFocused();
  await expect(step(page, 'submitted')).toHaveAttribute('data-done', 'false');
  const overview = await trpcQuery(page.request, 'registration.get');
  expect(overview.status, overview.text).toBe(200);
  expect(overview.data.paths).toEqual([{ kind: '10dlc', registration: null }]);

  // Typing again clears the error.
  await ein.fill('12-3456789');
  await expect(ein).toHaveAttribute('aria-invalid', 'false');
  await fitsPhoneWithoutSeriousAxeViolations(page);
});
