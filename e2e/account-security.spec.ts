import { expect, test, type Page } from '@playwright/test';
import { generate } from 'otplib';
import { devMailTo } from './dev-mail';
import { fitsPhoneWithoutSeriousAxeViolations } from './page-checks';
import { newChurch, open, PASSWORD, signIn, signOut, signUp, trpcMutation, unique } from './support';

const phone = { width: 390, height: 844 };
const desktop = { width: 1280, height: 800 };

test('password reset end to end: the emailed link sets a new password once and signs out every session', async ({
  page,
  browser,
  baseURL,
}) => {
  const c = newChurch('Bethany');
  await signUp(page, c);
  // Another device stays signed in until the reset.
  const laptop = await (await browser.newContext({ baseURL })).newPage();
  await signIn(laptop, c.email, c.password);
  await expect(laptop).toHaveURL(/\/dashboard$/);

  await signOut(page);
  await page.setViewportSize(phone);
  await page.getByRole('link', { name: 'Forgot password?' }).click();
  await expect(page).toHaveURL(/\/forgot-password$/);
  await expect(page.getByRole('heading', { name: 'Forgot your password?' })).toBeVisible();
  await fitsPhoneWithoutSeriousAxeViolations(page);
  await page.getByLabel('Email').fill(c.email);
  await page.getByRole('button', { name: 'Email me a reset link' }).click();
  await expect(page.getByText(/a link to reset its password is on its way/)).toBeVisible();

  // The mail is in the server's log (no SMTP_URL), marked "development mail".
  const mail = await devMailTo(c.email, 'Reset your Steeple password');
  expect(mail.subject).toBe('Reset your Steeple password');
  const link = new URL(mail.links[0]!);
  expect(link.pathname).toMatch(/^\/reset-password\/[\w-]{40,}$/);

  await open(page, link.pathname);
  await expect(page.getByRole('heading', { name: 'Choose a new password' })).toBeVisible();
  await expect(page.getByText(`For ${c.email}`)).toBeVisible();
  await fitsPhoneWithoutSeriousAxeViolations(page);
  // The current password is refused beside the field.
  await page.getByLabel('New password').fill(c.password);
  await page.getByRole('button', { name: 'Set new password' }).click();
  await expect(page.getByLabel('New password')).toHaveAccessibleDescription(/different from your current one/);
  await page.getByLabel('New password').fill('a completely new password');
  await page.getByRole('button', { name: 'Set new password' }).click();
  await expect(page.getByRole('heading', { name: 'Password changed' })).toBeVisible();

  // The other device is signed out; the link is used up; the new password works.
  await laptop.goto('/members');
  await expect(laptop).toHaveURL(/\/login/);
  await open(page, link.pathname);
  await expect(page.getByText('This reset link has expired or was already used. Ask for a new one.')).toBeVisible();
  await page.setViewportSize(desktop);
  await fitsPhoneWithoutSeriousAxeViolations(page);
  await signIn(page, c.email, 'a completely new password');
  await expect(page).toHaveURL(/\/dashboard$/);
});

/** The code an authenticator app would show `ahead` 30-second steps from now (each step's code is accepted once). */
const codeFor = (key: string, ahead = 0) =>
  generate({ secret: key.replace(/\s/g, ''), epoch: Math.floor(Date.now() / 1000) + ahead * 30 });

/** Sign in up to the code step: the form keeps the password and asks for the code. */
async function signInToCode(page: Page, email: string) {
  await signIn(page, email, PASSWORD);
  await expect(page.getByLabel('Two-factor code')).toBeFocused();
}

test('two-factor sign-in: enrol with a QR code, sign in with a code, then with a recovery code', async ({ page }) => {
  const c = newChurch('Shiloh');
  await signUp(page, c);
  await open(page, '/account');
  const panel = page.getByRole('region', { name: 'Two-factor sign-in' });
  await panel.getByRole('button', { name: 'Set up two-factor sign-in' }).click();
  await expect(panel.getByRole('img', { name: 'QR code to scan with your authenticator app' })).toBeVisible();
  const key = (await panel.getByTestId('two-factor-key').textContent())!;
  await panel.getByLabel('Code from the app').fill('000000');
  await panel.getByRole('button', { name: 'Turn on' }).click();
  await expect(panel.getByLabel('Code from the app')).toHaveAccessibleDescription(/not correct/);
  await panel.getByLabel('Code from the app').fill(await codeFor(key));
  await panel.getByRole('button', { name: 'Turn on' }).click();
  const codes = panel.getByRole('list', { name: 'Recovery codes' }).getByRole('listitem');
  await expect(codes).toHaveCount(10);
  const recovery = (await codes.first().textContent())!;
  await page.setViewportSize(phone);
  await fitsPhoneWithoutSeriousAxeViolations(page);
  await page.setViewportSize(desktop);
  await panel.getByRole('button', { name: 'I have saved them' }).click();
  await expect(panel.getByText('10 of 10 recovery codes left.')).toBeVisible();

  // Sign-in now asks for a code after the password; a wrong one is said so, the right one signs in.
  await signOut(page);
  await page.setViewportSize(phone);
  await signInToCode(page, c.email);
  await fitsPhoneWithoutSeriousAxeViolations(page);
  await page.getByLabel('Two-factor code').fill('123456');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('main').getByRole('alert')).toHaveText(/That code is not correct/);
  await page.getByLabel('Two-factor code').fill(await codeFor(key, 1));
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/dashboard$/);

  // A recovery code works once.
  await signOut(page);
  await signInToCode(page, c.email);
  await page.getByLabel('Two-factor code').fill(recovery);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/dashboard$/);
  await open(page, '/account');
  await expect(panel.getByText('9 of 10 recovery codes left.')).toBeVisible();
  await signOut(page);
  await signInToCode(page, c.email);
  await page.getByLabel('Two-factor code').fill(recovery);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('main').getByRole('alert')).toHaveText(/That code is not correct/);
});

test('an owner requires two-factor sign-in: a teammate without it can only set it up', async ({
  page,
  browser,
  baseURL,
}) => {
  const c = newChurch('Salem');
  await signUp(page, c);
  await open(page, '/team');
  const rule = page.getByLabel('Require two-factor sign-in for everyone on the team');
  await rule.click();
  // The owner must use it first.
  await expect(page.getByText('Turn on two-factor sign-in for yourself first.')).toBeVisible();
  await expect(rule).not.toBeChecked();
  await page.getByRole('link', { name: 'Go to your account' }).click();
  const panel = page.getByRole('region', { name: 'Two-factor sign-in' });
  await panel.getByRole('button', { name: 'Set up two-factor sign-in' }).click();
  const key = (await panel.getByTestId('two-factor-key').textContent())!;
  await panel.getByLabel('Code from the app').fill(await codeFor(key));
  await panel.getByRole('button', { name: 'Turn on' }).click();
  await panel.getByRole('button', { name: 'I have saved them' }).click();

  // A teammate joins while it is not required yet, and is signed in.
  const staffEmail = `staff-${unique()}@example.org`;
  const invite = await trpcMutation(page.request, 'team.invite', { email: staffEmail, role: 'staff' });
  expect(invite.status, invite.text).toBe(200);
  const staff = await (await browser.newContext({ baseURL, viewport: phone })).newPage();
  await open(staff, new URL(invite.data.url).pathname);
  await staff.getByLabel('Full name').fill('Sam Staff');
  await staff.getByLabel('Password').fill(PASSWORD);
  await staff.getByRole('button', { name: 'Accept invitation' }).click();
  await expect(staff).toHaveURL(/\/dashboard$/);

  await open(page, '/team');
  await rule.click();
  await expect(page.getByText(/now required\. 1 of your team will be asked/)).toBeVisible();
  await expect(rule).toBeChecked();

  // From the teammate's next page on, setting it up comes before anything else.
  await open(staff, '/dashboard');
  const required = staff.getByRole('region', { name: 'Two-factor sign-in' });
  await expect(required.getByText('Your church requires two-factor sign-in.')).toBeVisible();
  await fitsPhoneWithoutSeriousAxeViolations(staff);
  await open(staff, '/members');
  await expect(required.getByRole('button', { name: 'Set up two-factor sign-in' })).toBeVisible();
  await expect(staff.getByRole('heading', { name: 'Members', level: 1 })).toHaveCount(0);
  await required.getByRole('button', { name: 'Set up two-factor sign-in' }).click();
  const staffKey = (await required.getByTestId('two-factor-key').textContent())!;
  await required.getByLabel('Code from the app').fill(await codeFor(staffKey));
  await required.getByRole('button', { name: 'Turn on' }).click();
  await required.getByRole('button', { name: 'I have saved them' }).click();
  await open(staff, '/members');
  await expect(staff.getByRole('heading', { name: 'Members', level: 1 })).toBeVisible();
});
