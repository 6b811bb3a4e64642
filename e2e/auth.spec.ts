import { expect, test } from '@playwright/test';
import { fitsPhoneWithoutSeriousAxeViolations } from './page-checks';
import { fillWizard, newChurch, open, sessionCookie, signIn, signOut, signUp, trpcQuery } from './support';

test('an owner signs out and back in; signed-in visitors of /login and /signup go to the dashboard', async ({
  page,
}) => {
  const c = newChurch('Grace');
  await signUp(page, c);
  await expect(page.getByTestId('admin-name')).toHaveText(c.name);

  await open(page, '/login');
  await expect(page).toHaveURL(/\/dashboard$/);
  await open(page, '/signup');
  await expect(page).toHaveURL(/\/dashboard$/);

  await signOut(page);
  // The page asked for comes along as the callbackUrl; the dashboard, where sign-in leads anyway, needs none.
  await page.goto('/dashboard');
  await expect(page).toHaveURL(/\/login$/);
  for (const path of ['/team', '/account']) {
    await page.goto(path);
    await expect(page).toHaveURL(new RegExp(`/login\\?callbackUrl=%2F${path.slice(1)}$`));
  }

  await signIn(page, c.email, c.password);
  await expect(page).toHaveURL(/\/dashboard$/);
  await expect(page.getByRole('heading', { name: 'Welcome, Grace' })).toBeVisible();
  await expect(page.getByTestId('church-name')).toHaveText(c.church);
});

test('a wrong password gets the generic message, and the form stays usable', async ({ page }) => {
  const c = newChurch('Mercy');
  await signUp(page, c);
  await signOut(page);

  // One wrong attempt only: failed sign-ins are throttled per address, and the e2e database outlives a run.
  await signIn(page, c.email, 'not the right password');
  await expect(page.getByRole('main').getByRole('alert')).toHaveText('Email or password is incorrect.');
  await expect(page).toHaveURL(/\/login$/);
  await expect(page.getByLabel('Password')).toBeFocused();
  await expect(page.getByLabel('Password')).toHaveValue('');

  await page.getByLabel('Password').fill(c.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/dashboard$/);
});

test('empty sign-in fields are pointed out without a request', async ({ page }) => {
  await open(page, '/login');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByLabel('Email')).toHaveAccessibleDescription('Enter your email');
  await expect(page.getByLabel('Password')).toHaveAccessibleDescription('Enter your password');
  await expect(page.getByLabel('Email')).toBeFocused();
});

test('after sign-in the login page follows a same-origin callbackUrl and ignores another site', async ({ page }) => {
  const c = newChurch('Trinity');
  await signUp(page, c);
  await signOut(page);

  await open(page, '/login?callbackUrl=https%3A%2F%2Fevil.example%2Fsteal');
  await page.getByLabel('Email').fill(c.email);
  await page.getByLabel('Password').fill(c.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/127\.0\.0\.1:\d+\/dashboard$/);

  await open(page, '/login?callbackUrl=%2Faccount');
  await expect(page).toHaveURL(/\/account$/);
});

test('signed out, a page asked for (with its query) is where sign-in lands, at both widths', async ({ page }) => {
  const c = newChurch('Zion');
  await signUp(page, c);
  for (const size of [
    { width: 1280, height: 800 },
    { width: 390, height: 844 },
  ]) {
    await page.setViewportSize(size);
    await signOut(page);
    await page.goto('/members?q=ruth&view=all');
    await expect(page).toHaveURL(/\/login\?callbackUrl=%2Fmembers%3Fq%3Druth%26view%3Dall$/);
    await expect(page.locator('html[data-hydrated]')).toHaveCount(1);
    await fitsPhoneWithoutSeriousAxeViolations(page);
    await page.getByLabel('Email').fill(c.email);
    await page.getByLabel('Password').fill(c.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page).toHaveURL(/127\.0\.0\.1:\d+\/members\?q=ruth&view=all$/);
    await expect(page.getByRole('heading', { name: 'Members', level: 1 })).toBeVisible();
  }
  // Pages that check the visitor themselves (they render beside the layout) keep the address too.
  await signOut(page);
  for (const path of ['/inbox?status=closed', '/settings/billing', '/automations/new', '/activity']) {
    await page.goto(path);
    await expect(page).toHaveURL(new RegExp(`/login\\?callbackUrl=${escapeRegExp(encodeURIComponent(path))}$`));
  }
});

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

test('the address a signed-out visitor is sent back to is the one asked for, never a header they wrote', async ({
  request,
}) => {
  const asked = await request.get('/inbox?thread=1', {
    headers: { 'x-steeple-path': '//evil.example/steal' },
    maxRedirects: 0,
  });
  expect(asked.status()).toBe(307);
  expect(asked.headers().location).toBe('/login?callbackUrl=%2Finbox%3Fthread%3D1');
});

test('signing out ends the session on the server: the old cookie gets UNAUTHORIZED', async ({
  page,
  context,
  playwright,
  baseURL,
}) => {
  const c = newChurch('Calvary');
  await signUp(page, c);
  const cookie = await sessionCookie(context);

  // A client with nothing but the copied cookie.
  const outsider = await playwright.request.newContext({ baseURL });
  const before = await trpcQuery(outsider, 'account.me', cookie);
  expect(before.status).toBe(200);
  expect(before.data).toMatchObject({ email: c.email, churchName: c.church, role: 'owner' });

  await signOut(page);

  const after = await trpcQuery(outsider, 'account.me', cookie);
  expect(after.status).toBe(401);
  expect(after.error?.data.code).toBe('UNAUTHORIZED');
  expect(after.text).not.toContain(c.church);

  // Nor does the old cookie open the app's pages.
  const stale = await page.context().browser()!.newContext({ baseURL });
  const [name, ...value] = cookie.split('=');
  await stale.addCookies([{ name: name!, value: value.join('='), url: baseURL! }]);
  const stalePage = await stale.newPage();
  await stalePage.goto('/dashboard');
  await expect(stalePage).toHaveURL(/\/login$/);
  await stale.close();
  await outsider.dispose();
});

// The real lockout needs 5 failures for one email (and counts towards the per-address limit that outlives a run),
// so these two check the pages' side with the server's answers stubbed in the exact shape the server sends.
test('a locked-out sign-in shows the server\'s "Too many attempts" message as it is', async ({ page, baseURL }) => {
  const message = 'Too many attempts. Try again in 15 minutes.';
  await page.route('**/api/auth/callback/credentials', (route) =>
    route.fulfill({ status: 401, json: { url: `${baseURL}/login?error=${encodeURIComponent(message)}` } }),
  );
  await signIn(page, 'someone@example.org', 'whatever password');
  await expect(page.getByRole('main').getByRole('alert')).toHaveText(message);
});

test("a throttled signup shows the server's message on the review step", async ({ page }) => {
  const message = 'Too many attempts. Try again in 42 minutes.';
  await page.route(/\/api\/trpc\/onboarding\.signup/, (route) =>
    route.fulfill({
      status: 429,
      json: [
        {
          error: {
            json: { message, code: -32029, data: { code: 'TOO_MANY_REQUESTS', httpStatus: 429, zodError: null } },
          },
        },
      ],
    }),
  );
  await fillWizard(page, newChurch('Busy'));
  await expect(page.getByRole('main').getByRole('alert')).toHaveText(message);
  await expect(page.getByRole('heading', { name: /Review and create/ })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Create workspace' })).toBeEnabled();
});
