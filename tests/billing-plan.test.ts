import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PlanCatalog } from '@/server/billing/plan';
import { UNREACHABLE_MESSAGE } from '@/server/billing/stripe-errors';
import type { Services } from '@/server/services';
import { addTeammate, captureLogs, caller, errorOf, provisionChurch, signIn, type Church } from './support/accounts';
import { FAKE_PRICE_ID, FAKE_PRODUCT_NAME, FakeStripe } from './support/fake-stripe';
import { createTestRegistry, sleep, type TestRegistry } from './support/harness';

const HOUR_MS = 3_600_000;
const PRICE_PATH = `/v1/prices/${FAKE_PRICE_ID}`;

describe('the plan people understand: price from Stripe, the trial kept at checkout, failures in plain words', () => {
  let fake: FakeStripe;
  let reg: TestRegistry;
  let services: Services;

  /** A church whose trial ends `endsInMs` from now, its owner signed in. */
  async function churchEndingIn(endsInMs: number, label: string) {
    const c: Church = await provisionChurch(services, { churchName: `${label} Chapel` });
    await reg.admin`
      update billing_accounts set trial_ends_at = now() + make_interval(secs => ${endsInMs / 1000})
       where tenant_id = ${c.tenantId}`;
    services.access.forget(c.tenantId);
    const owner = await signIn(services, c.email, c.password);
    const [row] = await reg.admin<{ trial_ends_at: Date }[]>`
      select trial_ends_at from billing_accounts where tenant_id = ${c.tenantId}`;
    return { c, owner, trialEndsAt: row!.trial_ends_at };
  }

  /** The Checkout Session request Steeple sent for this church. */
  const checkoutRequest = (tenantId: string) =>
    fake
      .requestsTo('/v1/checkout/sessions')
      .filter((r) => r.body.client_reference_id === tenantId && r.outcome === 200);

  beforeAll(async () => {
    fake = await FakeStripe.start();
    reg = await createTestRegistry(fake.env());
    services = reg.services;
  });
  afterAll(async () => {
    await reg?.cleanup();
    await fake?.stop();
  });

  it("the plan's name and price come from Stripe's Price and product, read once for many reads", async () => {
    const c = await provisionChurch(services, { churchName: 'Price Chapel' });
    const owner = await signIn(services, c.email, c.password);
    const staff = await addTeammate(services, owner.caller, `staff-${c.tenantId.slice(0, 8)}@example.org`, 'staff');
    const staffCaller = (await signIn(services, staff.email, staff.password)).caller;

    const reads = await Promise.all([owner.caller.billing.plan(), staffCaller.billing.plan()]);
    reads.push(await owner.caller.billing.plan());
    for (const plan of reads)
      expect(plan).toEqual({ source: 'stripe', name: FAKE_PRODUCT_NAME, price: '$29.00 per month' });

    const asked = fake.requestsTo(PRICE_PATH, 'GET');
    expect(asked).toHaveLength(1);
    expect(Object.entries(asked[0]!.body)).toContainEqual([expect.stringMatching(/^expand\[\d*\]$/), 'product']);
  });

  it('Stripe down before the price was ever read: what is known, no error, and no wait on every read', async () => {
    const fresh = reg.servicesWith({}); // its own, empty, price cache
    const c = await provisionChurch(fresh, { churchName: 'Outage Chapel' });
    const owner = await signIn(fresh, c.email, c.password);
    fake.fail(503, { path: PRICE_PATH });
    try {
      const before = fake.requestsTo(PRICE_PATH, 'GET').length;
      const logs = captureLogs();
      process.env.LOG_LEVEL = 'warn';
      let first;
      try {
        first = await owner.caller.billing.plan();
      } finally {
        logs.restore();
        process.env.LOG_LEVEL = 'error';
      }
      // STRIPE_PLAN_NAME (default "Steeple") is what is known; the page says the price could not be loaded.
      expect(first).toEqual({ source: 'unavailable', name: 'Steeple', price: null });
      expect(logs.lines.some((l) => l.level === 'warn' && /stripe price not loaded/.test(l.msg))).toBe(true);
      const tried = fake.requestsTo(PRICE_PATH, 'GET').length - before;
      expect(tried).toBeGreaterThanOrEqual(1);
      expect(tried).toBeLessThanOrEqual(2); // one retry at most: the page does not wait out Stripe's outage
      // The next reads within the quiet minute do not ask Stripe again; the rest of billing still answers.
      expect(await owner.caller.billing.plan()).toEqual(first);
      expect(fake.requestsTo(PRICE_PATH, 'GET').length - before).toBe(tried);
      expect(await owner.caller.billing.status()).toMatchObject({ configured: true, status: 'trialing' });
    } finally {
      fake.heal();
    }
  });

  it('a price read before stays on the page while Stripe is down, past its hour', async () => {
    const catalog = new PlanCatalog(services.billing!.stripe, FAKE_PRICE_ID, { ttlMs: 40, quietMs: 0 });
    const known = await catalog.get();
    expect(known).toEqual({ name: FAKE_PRODUCT_NAME, price: '$29.00 per month' });
    await sleep(60); // expired
    fake.fail(503, { path: PRICE_PATH });
    try {
      const before = fake.requestsTo(PRICE_PATH, 'GET').length;
      expect(await catalog.get()).toEqual(known);
      expect(fake.requestsTo(PRICE_PATH, 'GET').length).toBeGreaterThan(before); // it did ask
    } finally {
      fake.heal();
    }
    // Stripe back: a changed price shows once the cached one expires.
    fake.prices.get(FAKE_PRICE_ID)!.unit_amount = 3500;
    try {
      await sleep(60);
      expect(await catalog.get()).toEqual({ name: FAKE_PRODUCT_NAME, price: '$35.00 per month' });
    } finally {
      fake.prices.get(FAKE_PRICE_ID)!.unit_amount = 2900;
    }
  });

  it('choosing a plan during the trial keeps it: the days left become the subscription’s trial_end', async () => {
    const { c, owner, trialEndsAt } = await churchEndingIn(9 * 24 * HOUR_MS + 60_000, 'Kept Trial');
    const status = await owner.caller.billing.status();
    expect(status).toMatchObject({ trialDaysLeft: 10, trialDailyTexts: 500 });
    expect(status.firstChargeIfChosenNow).toEqual(trialEndsAt);

    await owner.caller.billing.checkout();
    const [sent] = checkoutRequest(c.tenantId);
    expect(sent!.body['subscription_data[trial_end]']).toBe(String(Math.floor(trialEndsAt.getTime() / 1000)));
    expect(sent!.body).toMatchObject({ mode: 'subscription', 'line_items[0][price]': FAKE_PRICE_ID });
  });

  it.each([
    ['47 hours left: too soon for Stripe, billing starts now', 47 * HOUR_MS],
    ['48 hours and 5 minutes left: still within the margin before Stripe’s 48 hours', 48 * HOUR_MS + 5 * 60_000],
    ['the trial is over (read-only)', -HOUR_MS],
  ])('%s: no trial_end, and the page says billing starts today', async (label, endsInMs) => {
    const { c, owner } = await churchEndingIn(endsInMs, label.slice(0, 20));
    expect((await owner.caller.billing.status()).firstChargeIfChosenNow).toBeNull();
    await owner.caller.billing.checkout();
    const [sent] = checkoutRequest(c.tenantId);
    expect(sent).toBeDefined();
    expect(Object.keys(sent!.body).filter((k) => k.startsWith('subscription_data'))).toEqual([]);
  });

  it('49 hours left: kept (Stripe accepts a trial ending at least 48 hours after the request)', async () => {
    const { c, owner, trialEndsAt } = await churchEndingIn(49 * HOUR_MS, 'Two Days');
    const status = await owner.caller.billing.status();
    expect(status.trialDaysLeft).toBe(3);
    expect(status.firstChargeIfChosenNow).toEqual(trialEndsAt);
    await owner.caller.billing.checkout();
    const trialEnd = Number(checkoutRequest(c.tenantId)[0]!.body['subscription_data[trial_end]']);
    expect(trialEnd * 1000 - Date.now()).toBeGreaterThan(48 * HOUR_MS);
  });

  it('Stripe unreachable or failing: checkout and the portal say so in plain words, not the generic one', async () => {
    const c = await provisionChurch(services, { churchName: 'Unreachable Chapel' });
    const owner = await signIn(services, c.email, c.password);
    const cases = [
      { failure: 503, path: '/v1/checkout/sessions', call: () => owner.caller.billing.checkout() },
      { failure: 500, path: '/v1/billing_portal/sessions', call: () => owner.caller.billing.portal() },
      { failure: 429, path: '/v1/checkout/sessions', call: () => owner.caller.billing.checkout() },
      {
        failure: { kind: 'drop' as const },
        path: '/v1/checkout/sessions',
        call: () => owner.caller.billing.checkout(),
      },
    ];
    for (const { failure, path, call } of cases) {
      fake.fail(failure, { path });
      try {
        const err = await errorOf(call());
        expect(err.code, JSON.stringify(failure)).toBe('SERVICE_UNAVAILABLE');
        expect(err.message).toBe(UNREACHABLE_MESSAGE);
      } finally {
        fake.heal();
      }
    }
    // Nothing was opened, so nothing could be charged; once Stripe answers, checkout works.
    expect(checkoutRequest(c.tenantId)).toHaveLength(0);
    expect((await owner.caller.billing.checkout()).url.startsWith(fake.url)).toBe(true);
  });

  it('Stripe refusing the request: specific words for the owner, the detail in the log', async () => {
    const c = await provisionChurch(services, { churchName: 'Refused Chapel' });
    const owner = await signIn(services, c.email, c.password);

    fake.fail(401, { path: '/v1/checkout/sessions' });
    const logs = captureLogs();
    let badKey;
    try {
      badKey = await errorOf(owner.caller.billing.checkout());
    } finally {
      logs.restore();
      fake.heal();
    }
    expect(badKey.code).toBe('PRECONDITION_FAILED');
    expect(badKey.message).toBe(
      'Checkout could not open: our payment provider did not accept this server’s billing key. Nothing was ' +
        'charged. Please tell whoever runs your Steeple server; the details are in its log.',
    );
    const logged = logs.lines.find((l) => l.level === 'error' && /stripe refused: Checkout not opened/.test(l.msg));
    expect(logged).toMatchObject({ tenantId: c.tenantId, stripeType: 'StripeAuthenticationError' });

    // A server whose STRIPE_PRICE_ID no longer exists in Stripe.
    const gone = reg.servicesWith({ STRIPE_PRICE_ID: 'price_deletedPlan' });
    const missing = await errorOf(caller(gone, owner.session).billing.checkout());
    expect(missing.code).toBe('PRECONDITION_FAILED');
    expect(missing.message).toMatch(/^Checkout could not open: the plan this server offers no longer exists/);
    expect(await caller(gone, owner.session).billing.plan()).toEqual({
      source: 'unavailable',
      name: 'Steeple',
      price: null,
    });

    // The church's customer deleted in Stripe: the portal says which record is missing.
    const [row] = await reg.admin<{ stripe_customer_id: string }[]>`
      select stripe_customer_id from billing_accounts where tenant_id = ${c.tenantId}`;
    fake.customers.delete(row!.stripe_customer_id);
    const portal = await errorOf(owner.caller.billing.portal());
    expect(portal.code).toBe('PRECONDITION_FAILED');
    expect(portal.message).toMatch(
      /^Billing management could not open: our payment provider no longer has your church’s billing record\./,
    );
  });
});
