import { expect, test } from '@playwright/test';
import { fillWizard, mainNav, METRICS_TOKEN, newChurch, open, signUp } from './support';

test('a new church goes through the wizard, sees its workspace prepared and lands on its dashboard signed in', async ({
  page,
}) => {
  const c = newChurch('Hope');
  await open(page, '/signup');

  // Step 1: the church. Nothing moves on until the step is valid; errors show beside their fields.
  await expect(page.getByRole('heading', { name: /Your church/ })).toBeVisible();
  await page.getByRole('button', { name: 'Next' }).click();
  await expect(page.getByLabel('Church name')).toHaveAccessibleDescription('Enter the church name');
  await expect(page.getByLabel('Church name')).toBeFocused();
  await page.getByLabel('Church name').fill(c.church);
  await expect(page.getByText('Enter the church name')).toHaveCount(0);
  await page.getByLabel('Timezone').selectOption('America/New_York');
  await page.getByLabel('Size').selectOption('100-499');
  await page.getByRole('button', { name: 'Next' }).click();

  // Step 2: the first admin, with a live strength hint on the password.
  await expect(page.getByRole('heading', { name: /About you/ })).toBeVisible();
  await page.getByRole('button', { name: 'Next' }).click();
  await expect(page.getByLabel('Full name')).toHaveAccessibleDescription('Enter your full name');
  await expect(page.getByLabel('Email')).toHaveAccessibleDescription('Enter a valid email address');
  await expect(page.getByLabel('Password')).toHaveAccessibleDescription('Use at least 10 characters');
  await page.getByLabel('Full name').fill(c.name);
  await page.getByLabel('Email').fill(c.email);
  await page.getByLabel('Password').fill('short');
  await expect(page.getByLabel('Password')).toHaveAccessibleDescription('Use at least 10 characters');
  await page.getByLabel('Password').fill('longenough');
  await expect(page.getByLabel('Password')).toHaveAccessibleDescription(/Weak/);
  await page.getByLabel('Password').fill(c.password);
  await expect(page.getByLabel('Password')).toHaveAccessibleDescription(/Strong password/);

  // Back keeps what was typed.
  await page.getByRole('button', { name: 'Back' }).click();
  await expect(page.getByLabel('Church name')).toHaveValue(c.church);
  await page.getByRole('button', { name: 'Next' }).click();
  await expect(page.getByLabel('Email')).toHaveValue(c.email);
  await page.getByRole('button', { name: 'Next' }).click();

  // Step 3: review, then create.
  await expect(page.getByRole('heading', { name: /Review and create/ })).toBeVisible();
  await expect(page.getByText(c.church)).toBeVisible();
  await expect(page.getByText(c.email)).toBeVisible();
  await expect(page.getByText('100–499 people')).toBeVisible();

  // Hold the automatic sign-in until the finished progress list has been seen (provisioning takes ~0.1 s).
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  await page.route('**/api/auth/callback/signup-ticket', async (route) => {
    await held;
    await route.continue();
  });
  await page.getByRole('button', { name: 'Create workspace' }).click();

  await expect(page).toHaveURL(/\/onboarding$/);
  const progress = page.getByRole('list', { name: 'Setup progress' });
  await expect(progress.getByRole('listitem')).toHaveCount(5);
  await expect(page.getByRole('heading', { name: 'Your workspace is ready' })).toBeVisible();
  await expect(progress.locator('[data-state="done"]')).toHaveCount(5);
  // The ticket never appears in the address bar.
  expect(page.url()).not.toContain('ticket');

  release();
  // Signed in with the ticket: the admin never retypes the password.
  await expect(page).toHaveURL(/\/dashboard$/);
  await expect(page.getByRole('heading', { name: 'Welcome, Hope' })).toBeVisible();
  await expect(page.getByTestId('church-name')).toHaveText(c.church);
  await expect(mainNav(page).getByRole('link', { name: 'Team' })).toBeVisible();
  expect(await page.evaluate(() => sessionStorage.getItem('steeple.signupTicket'))).toBeNull();
});

test('a second signup with the same email goes back to step 2 with the message beside Email', async ({
  page,
  browser,
  baseURL,
}) => {
  const first = newChurch('First');
  await signUp(page, first);

  const other = await browser.newContext({ baseURL });
  const page2 = await other.newPage();
  await fillWizard(page2, { ...newChurch('Second'), email: first.email.toUpperCase() });
  await expect(page2.getByRole('heading', { name: /About you/ })).toBeVisible();
  const email = page2.getByLabel('Email');
  await expect(email).toHaveAccessibleDescription(/An account with this email already exists/);
  await expect(email).toHaveAttribute('aria-invalid', 'true');
  await expect(email).toBeFocused();
  await expect(page2.getByRole('link', { name: 'Sign in' }).first()).toBeVisible();

  // A different email goes through.
  await email.fill(newChurch('Second').email);
  await page2.getByRole('button', { name: 'Next' }).click();
  await page2.getByRole('button', { name: 'Create workspace' }).click();
  await expect(page2).toHaveURL(/\/dashboard$/, { timeout: 20_000 });
  await other.close();
});

test('a failed setup says so plainly, and "Try again" resumes polling until the workspace is ready', async ({
  page,
}) => {
  const c = newChurch('Retry');
  const stepNames = ['create_database', 'create_role', 'create_admin', 'start_trial', 'activate'];
  let failing = true;
  let retried = 0;
  // Simulate a provisioning job that failed (the server marks it failed after its last attempt)…
  await page.route(/\/api\/trpc\/onboarding\.status/, async (route) => {
    if (!failing) return route.continue();
    const steps = stepNames.map((name, i) => ({ name, state: i < 2 ? 'done' : i === 2 ? 'failed' : 'pending' }));
    const json = {
      state: 'failed',
      steps,
      message: 'We could not finish setting up your workspace. Please try again.',
    };
    await route.fulfill({ json: [{ result: { data: { json } } }] });
  });
  // …and a retry that hands back a ticket to poll (here the real one, whose job really is running).
  await page.route(/\/api\/trpc\/onboarding\.retry/, async (route) => {
    retried++;
    failing = false;
    const ticket = await page.evaluate(() => sessionStorage.getItem('steeple.signupTicket'));
    await route.fulfill({ json: [{ result: { data: { json: { ticket } } } }] });
  });

  await fillWizard(page, c);
  await expect(page).toHaveURL(/\/onboarding$/);
  await expect(page.getByRole('heading', { name: 'Setup did not finish' })).toBeVisible();
  await expect(page.getByRole('main').getByRole('alert')).toHaveText(
    'We could not finish setting up your workspace. Please try again.',
  );
  await expect(page.getByRole('list', { name: 'Setup progress' }).locator('[data-state="failed"]')).toHaveCount(1);

  await page.getByRole('button', { name: 'Try again' }).click();
  await expect(page).toHaveURL(/\/dashboard$/, { timeout: 20_000 });
  await expect(page.getByTestId('church-name')).toHaveText(c.church);
  expect(retried).toBe(1);
});

test('the wizard works from the keyboard alone: Enter moves on, focus follows the step', async ({ page }) => {
  const c = newChurch('Keys');
  await open(page, '/signup');
  await page.keyboard.press('Tab'); // the Steeple wordmark
  await page.keyboard.press('Tab');
  await expect(page.getByLabel('Church name')).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page.getByLabel('Church name')).toHaveAccessibleDescription('Enter the church name');
  await page.keyboard.type(c.church);
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { name: /About you/ })).toBeFocused();
  await page.keyboard.press('Tab');
  await expect(page.getByLabel('Full name')).toBeFocused();
  await page.keyboard.type(c.name);
  await page.keyboard.press('Tab');
  await page.keyboard.type(c.email);
  await page.keyboard.press('Tab');
  await page.keyboard.type(c.password);
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { name: /Review and create/ })).toBeFocused();
  await page.keyboard.press('Tab');
  await expect(page.getByRole('button', { name: 'Edit church details' })).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page.getByLabel('Church name')).toBeFocused();
  await expect(page.getByLabel('Church name')).toHaveValue(c.church);
});

test('onboarding without a signup in progress says so', async ({ page }) => {
  await open(page, '/onboarding');
  await expect(page.getByRole('heading', { name: 'Nothing to set up' })).toBeVisible();
});

test('health reports the registry and connection counters without leaks (to the operator)', async ({ request }) => {
  const res = await request.get('/api/health', { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
  expect(res.status()).toBe(200);
  const body = await res.json();
  expect(body.registry.status).toBe('ok');
  expect(body.connections.potentialLeaks).toBe(0);
});
