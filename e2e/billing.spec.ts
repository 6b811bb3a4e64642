import { expect, test, type APIRequestContext, type Page } from '@playwright/test';
import {
  FAKE_STRIPE_URL,
  newChurch,
  open,
  PASSWORD,
  postStripeEvent,
  randomUsNumber,
  signUp,
  stripeCustomerOf,
  trpcMutation,
  trpcQuery,
  unique,
} from './support';
import { fitsWidth, noSeriousAxeViolations } from './page-checks';

/**
 * Billing against the fake Stripe (e2e/fake-stripe.mjs): provisioning creates each church's customer there, the
 * billing page's buttons get their Checkout and portal pages from it, and the subscription's state arrives as signed
 * webhooks this test builds itself (Stripe would send them after a payment, a cancellation, a failed charge).
 */

const READ_ONLY_MESSAGE =
  'This workspace is read-only because its subscription is not active. ' +
  'The owner can choose a plan in Settings → Billing.';
const nowSeconds = () => Math.floor(Date.now() / 1000);

/** A customer.subscription.* event as Stripe sends it (the fields Steeple reads, and a few around them). */
function subscriptionEvent(type: 'created' | 'updated' | 'deleted', customer: string, status: string, created: number) {
  return {
    id: `evt_e2e_${unique()}`,
    object: 'event',
    api_version: '2026-10-28.endive',
    created,
    livemode: false,
    type: `customer.subscription.${type}`,
    data: {
      object: {
        id: `sub_e2e_${customer}`,
        object: 'subscription',
        customer,
        status,
        cancel_at_period_end: false,
        trial_end: null,
        items: {
          object: 'list',
          data: [
            {
              id: `si_e2e_${customer}`,
              object: 'subscription_item',
              price: { id: 'price_e2e', object: 'price' },
              current_period_end: created + 30 * 86_400,
            },
          ],
        },
      },
    },
  };
}

async function sendEvent(request: APIRequestContext, event: object) {
  const res = await postStripeEvent(request, event);
  expect(res.status(), await res.text()).toBe(200);
  expect(await res.json()).toMatchObject({ received: true, duplicate: false });
}

const banner = (page: Page) => page.getByTestId('billing-banner');
const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };
const DAY_S = 86_400;

/** The page fits both widths without sideways scrolling and has no serious accessibility issue at either. */
async function checkBothWidths(page: Page) {
  for (const size of [DESKTOP, PHONE]) {
    await page.setViewportSize(size);
    await fitsWidth(page);
    await noSeriousAxeViolations(page);
  }
  await page.setViewportSize(DESKTOP);
}

/** Make the fake Stripe answer every request to `path` with `status` until healed. */
const failStripe = (request: APIRequestContext, path: string, status = 503) =>
  request.post(`${FAKE_STRIPE_URL}/__fail?path=${encodeURIComponent(path)}&status=${status}`);
const healStripe = (request: APIRequestContext) => request.post(`${FAKE_STRIPE_URL}/__heal`);

test('a new church has a 14-day trial; "Choose a plan" opens Checkout; the plan shows once Stripe confirms', async ({
  page,
}) => {
  test.setTimeout(90_000);
  const c = newChurch('Bethel');
  await signUp(page, c);
  await expect(banner(page)).toHaveCount(0); // 14 days left: no trial hint yet

  await open(page, '/settings');
  await page.getByRole('link', { name: 'Billing', exact: true }).click();
  await expect(page).toHaveURL(/\/settings\/billing$/);
  await expect(page.getByRole('heading', { name: 'Billing', level: 1 })).toBeVisible();
  await expect(page.getByTestId('billing-status')).toHaveText('Free trial');
  await expect(page.getByTestId('billing-trial')).toContainText('14 days left in your free trial');
  // The plan as the fake Stripe's Price and product describe it.
  await expect(page.getByTestId('billing-plan')).toHaveText('Steeple Standard');
  await expect(page.getByTestId('billing-price')).toHaveText('$29.00 per month');
  await expect(page.getByTestId('billing-trial-includes')).toContainText('Texting is limited to 500 texts a day');
  await expect(page.getByTestId('billing-starts')).toContainText(
    /Your trial is kept: choosing a plan now charges nothing until \w+ \d{1,2}, \d{4}, when your free trial ends\./,
  );
  await expect(page.getByRole('button', { name: 'Manage billing' })).toHaveCount(0);
  await checkBothWidths(page);

  // Checkout: the app asks Stripe for a session for this church's customer and sends the browser to its page.
  const customer = await stripeCustomerOf(page.request, c.email);
  const asked = nowSeconds();
  await page.getByRole('button', { name: 'Choose a plan' }).click();
  await expect(page).toHaveURL(new RegExp(`^${FAKE_STRIPE_URL}/checkout/cs_test_\\w+$`));
  const sessions = await (await page.request.get(`${FAKE_STRIPE_URL}/__checkout_sessions?customer=${customer}`)).json();
  expect(sessions).toHaveLength(1);
  expect(sessions[0]).toMatchObject({ mode: 'subscription', price: 'price_e2e', url: page.url() });
  // The trial is kept: the subscription is first charged when the 14-day trial ends, not today.
  expect(Math.abs(sessions[0].trial_end - (asked + 14 * DAY_S))).toBeLessThan(10 * 60);
  expect(sessions[0].success_url).toMatch(/\/settings\/billing\?checkout=success$/);
  expect(sessions[0].client_reference_id).toMatch(/^[0-9a-f-]{36}$/);

  // Stripe sends the owner back; the page thanks them and waits for the webhook, which follows a moment later.
  await open(page, '/settings/billing?checkout=success');
  await expect(page.getByTestId('checkout-thanks')).toContainText('Stripe is confirming your payment');
  const created = nowSeconds();
  await sendEvent(page.request, {
    id: `evt_e2e_${unique()}`,
    object: 'event',
    created,
    type: 'checkout.session.completed',
    data: {
      object: {
        id: sessions[0].id,
        object: 'checkout.session',
        customer,
        client_reference_id: sessions[0].client_reference_id,
        subscription: `sub_e2e_${customer}`,
      },
    },
  });
  await sendEvent(page.request, subscriptionEvent('created', customer, 'active', created));
  await expect(page.getByTestId('billing-status')).toHaveText('Active');
  await expect(page.getByTestId('checkout-thanks')).toContainText('Your subscription is active.');
  await expect(page.getByTestId('billing-next-invoice')).toHaveText(/\w+ \d{1,2}, \d{4}/);
  await expect(page.getByTestId('billing-trial')).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Choose a plan' })).toHaveCount(0);

  // The customer portal, for the payment method and invoices.
  await page.getByRole('button', { name: 'Manage billing' }).click();
  await expect(page).toHaveURL(new RegExp(`^${FAKE_STRIPE_URL}/portal/bps_\\w+$`));
});

test('the trial badge is the owner’s, with the days left; an admin sees none', async ({ page, browser, baseURL }) => {
  test.setTimeout(90_000);
  const c = newChurch('Shiloh');
  await signUp(page, c);
  const badge = page.getByRole('link', { name: '14 days left in trial' });
  await expect(badge).toBeVisible();
  await expect(badge).toHaveAttribute('href', '/settings/billing');
  await checkBothWidths(page);
  await page.setViewportSize(PHONE);
  await expect(badge).toBeVisible(); // shorter on a phone ("14 days left"), the same accessible name
  await badge.click();
  await expect(page).toHaveURL(/\/settings\/billing$/);
  await page.setViewportSize(DESKTOP);

  const invite = await trpcMutation(page.request, 'team.invite', {
    email: `admin-${unique()}@example.org`,
    role: 'admin',
  });
  expect(invite.status, invite.text).toBe(200);
  const adminCtx = await browser.newContext({ baseURL });
  const admin = await adminCtx.newPage();
  await open(admin, invite.data.url);
  await admin.getByLabel('Full name').fill('Anna Admin');
  await admin.getByLabel('Password').fill(PASSWORD);
  await admin.getByRole('button', { name: 'Accept invitation' }).click();
  await expect(admin).toHaveURL(/\/dashboard$/);
  await expect(admin.getByTestId('church-name')).toBeVisible();
  await expect(admin.getByTestId('trial-badge')).toHaveCount(0);
  await adminCtx.close();
});

test('a checkout Stripe cannot open says what happened and what to do; nothing is opened', async ({ page }) => {
  test.setTimeout(90_000);
  const c = newChurch('Hebron');
  await signUp(page, c);
  await open(page, '/settings/billing');
  await failStripe(page.request, '/v1/checkout/sessions');
  try {
    await page.getByRole('button', { name: 'Choose a plan' }).click();
    await expect(page.getByRole('main').getByRole('alert')).toHaveText(
      'We could not reach our payment provider. Try again in a few minutes; nothing was charged.',
    );
    await expect(page).toHaveURL(/\/settings\/billing$/);
    await expect(page.getByRole('button', { name: 'Choose a plan' })).toBeEnabled();
    await checkBothWidths(page);
  } finally {
    await healStripe(page.request);
  }
  const customer = await stripeCustomerOf(page.request, c.email);
  const sessions = await (await page.request.get(`${FAKE_STRIPE_URL}/__checkout_sessions?customer=${customer}`)).json();
  expect(sessions).toHaveLength(0);
  // Once Stripe answers again, the same button opens Checkout.
  await page.getByRole('button', { name: 'Choose a plan' }).click();
  await expect(page).toHaveURL(new RegExp(`^${FAKE_STRIPE_URL}/checkout/cs_test_\\w+$`));
});

test('a canceled subscription makes it read-only (reads, export still work) until an active one restores it', async ({
  page,
}) => {
  test.setTimeout(120_000);
  const c = newChurch('Salem');
  await signUp(page, c);
  const customer = await stripeCustomerOf(page.request, c.email);
  const first = await trpcMutation(page.request, 'members.create', {
    firstName: 'Lydia',
    lastName: 'Purple',
    phone: randomUsNumber(),
  });
  expect(first.status, first.text).toBe(200);

  const canceledAt = nowSeconds();
  await sendEvent(page.request, subscriptionEvent('deleted', customer, 'canceled', canceledAt));

  // Every page says so, with the way out for the owner.
  await open(page, '/dashboard');
  await expect(banner(page)).toHaveAttribute('data-kind', 'read_only');
  await expect(banner(page)).toContainText('This workspace is read-only: your subscription is not active');
  await expect(banner(page).getByRole('link', { name: 'Choose a plan' })).toHaveAttribute('href', '/settings/billing');

  // Reading works; a write in the page shows the server's reason.
  await open(page, '/members');
  await expect(banner(page)).toBeVisible();
  await expect(page.getByTestId('member-row')).toHaveCount(1);
  await page.getByRole('button', { name: 'Add member', exact: true }).click();
  const add = page.getByRole('dialog', { name: 'Add member' });
  await add.getByLabel('First name').fill('Silas');
  await add.getByLabel('Last name').fill('Companion');
  await add.getByLabel('Mobile phone').fill(randomUsNumber());
  await add.getByRole('button', { name: 'Add member' }).click();
  await expect(add.getByRole('alert')).toHaveText(READ_ONLY_MESSAGE);
  await add.getByRole('button', { name: 'Cancel' }).click();
  await expect(page.getByTestId('member-row')).toHaveCount(1);

  // The API refuses writes with 402, and still answers reads — the export included.
  const refused = await trpcMutation(page.request, 'members.create', {
    firstName: 'Silas',
    lastName: 'Companion',
    phone: randomUsNumber(),
  });
  expect(refused.status, refused.text).toBe(402);
  expect(refused.error?.data.code).toBe('PAYMENT_REQUIRED');
  expect(refused.error?.message).toBe(READ_ONLY_MESSAGE);
  const exported = await trpcQuery(page.request, 'members.export');
  expect(exported.status, exported.text).toBe(200);
  expect(exported.data.filename).toBe('members.csv');
  expect(exported.data.csv).toContain('Lydia,Purple,');

  // The page's Download CSV gives the same file.
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Download CSV' }).click(),
  ]);
  expect(download.suggestedFilename()).toBe('members.csv');
  const body = await (await download.createReadStream()).toArray();
  expect(Buffer.concat(body).toString('utf8')).toContain('Lydia,Purple,');

  // The billing page offers a new plan.
  await open(page, '/settings/billing');
  await expect(page.getByTestId('billing-status')).toHaveText('Canceled');
  await expect(page.getByTestId('billing-starts')).toHaveText('Choosing a plan starts billing today.');
  await expect(page.getByRole('button', { name: 'Choose a plan' })).toBeEnabled();

  // An older event delivered late changes nothing; a newer active subscription restores writing.
  await sendEvent(page.request, subscriptionEvent('updated', customer, 'active', canceledAt - 60));
  expect(
    (
      await trpcMutation(page.request, 'members.create', {
        firstName: 'Late',
        lastName: 'Event',
        phone: randomUsNumber(),
      })
    ).status,
  ).toBe(402);
  await sendEvent(page.request, subscriptionEvent('updated', customer, 'active', canceledAt + 1));
  await open(page, '/members');
  await expect(banner(page)).toHaveCount(0);
  await page.getByRole('button', { name: 'Add member', exact: true }).click();
  await add.getByLabel('First name').fill('Silas');
  await add.getByLabel('Last name').fill('Companion');
  await add.getByLabel('Mobile phone').fill(randomUsNumber());
  await add.getByRole('button', { name: 'Add member' }).click();
  await expect(add).toBeHidden();
  await expect(page.getByRole('status').filter({ hasText: 'Silas Companion was added.' })).toBeVisible();
  await expect(page.getByTestId('member-row')).toHaveCount(2);
});

test('a Stripe webhook with a bad signature is refused with 400 and changes nothing', async ({ page }) => {
  const c = newChurch('Bethesda');
  await signUp(page, c);
  const customer = await stripeCustomerOf(page.request, c.email);
  const event = subscriptionEvent('deleted', customer, 'canceled', nowSeconds());

  expect((await postStripeEvent(page.request, event, 'whsec_not_the_secret')).status()).toBe(400);
  const noHeader = await page.request.post('/api/webhooks/stripe', {
    data: JSON.stringify(event),
    headers: { 'content-type': 'application/json' },
  });
  expect(noHeader.status()).toBe(400);

  const status = await trpcQuery(page.request, 'billing.status');
  expect(status.status, status.text).toBe(200);
  expect(status.data).toMatchObject({ status: 'trialing', readOnly: false, banner: null });
});

test('in a read-only church an admin is told to ask the owner, and billing stays the owner’s', async ({
  page,
  browser,
  baseURL,
}) => {
  test.setTimeout(90_000);
  const c = newChurch('Gilgal');
  await signUp(page, c);
  const invite = await trpcMutation(page.request, 'team.invite', {
    email: `admin-${unique()}@example.org`,
    role: 'admin',
  });
  expect(invite.status, invite.text).toBe(200);
  await sendEvent(
    page.request,
    subscriptionEvent('deleted', await stripeCustomerOf(page.request, c.email), 'canceled', nowSeconds()),
  );

  const adminCtx = await browser.newContext({ baseURL });
  const admin = await adminCtx.newPage();
  await open(admin, invite.data.url);
  await admin.getByLabel('Full name').fill('Abigail Admin');
  await admin.getByLabel('Password').fill(PASSWORD);
  await admin.getByRole('button', { name: 'Accept invitation' }).click();
  await expect(admin).toHaveURL(/\/dashboard$/);
  await expect(banner(admin)).toHaveAttribute('data-kind', 'read_only');
  await expect(banner(admin)).toContainText('ask the owner to choose a plan');
  await expect(banner(admin).getByRole('link')).toHaveCount(0);

  await open(admin, '/settings');
  await expect(admin.getByRole('link', { name: 'Billing', exact: true })).toHaveCount(0);
  await open(admin, '/settings/billing');
  await expect(admin.getByTestId('billing-owner-only')).toContainText('Only your church’s owner manages billing');
  await expect(admin.getByRole('button', { name: 'Choose a plan' })).toHaveCount(0);
  const checkout = await trpcMutation(adminCtx.request, 'billing.checkout', undefined);
  expect(checkout.status, checkout.text).toBe(403);
  const exported = await trpcQuery(adminCtx.request, 'members.export');
  expect(exported.status, exported.text).toBe(200);
  await adminCtx.close();
});
