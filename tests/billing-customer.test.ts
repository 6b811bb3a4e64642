import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accountOf } from '@/server/billing/accounts';
import { STRIPE_API_VERSION } from '@/server/billing/stripe';
import { loadConfig } from '@/server/config';
import { createServices, type Services } from '@/server/services';
import { runProvisioning, type StepName } from '@/server/tenancy/provisioner';
import { CUSTOMER_TASK } from '@/server/billing/customer-job';
import { addTeammate, provisionChurch, runCustomerJob, signIn, withWarnings } from './support/accounts';
import { FAKE_PRICE_ID, FAKE_SECRET_KEY, FakeStripe, type StripeRequest } from './support/fake-stripe';
import { createTestRegistry, testSecrets, type TestRegistry } from './support/harness';
import { queuedJobs } from './support/messaging';

type FaultPoint = `${'before' | 'after'}:${StepName}`;
const DAY_MS = 86_400_000;

describe('Stripe customers', () => {
  let fake: FakeStripe;
  let reg: TestRegistry;
  let services: Services;
  let crashAt: FaultPoint | null = null;

  const account = async (tenantId: string) => (await accountOf(services.registry, tenantId))!;
  const key = (tenantId: string) => `steeple-customer-${tenantId}`;
  /** Every customer-creation request the fake received for this church. */
  const createRequests = (tenantId: string) =>
    fake.requestsTo('/v1/customers').filter((r) => r.body['metadata[tenantId]'] === tenantId);
  const expectTrialOf = async (tenantId: string, days: number) => {
    const a = await account(tenantId);
    expect(a.status).toBe('trialing');
    expect(Math.abs(a.trialEndsAt.getTime() - (Date.now() + days * DAY_MS))).toBeLessThan(5 * 60_000);
    return a;
  };

  beforeAll(async () => {
    fake = await FakeStripe.start();
    reg = await createTestRegistry(fake.env(), (point) => {
      if (point === crashAt) {
        crashAt = null; // once
        throw new Error(`injected crash at ${point}`);
      }
    });
    services = reg.services;
  });
  afterAll(async () => {
    await reg?.cleanup();
    await fake?.stop();
  });

  it('signup asks nothing of Stripe; the job queued on activation creates one customer, pinned and keyed', async () => {
    const c = await provisionChurch(services, { churchName: 'First Customer Chapel', customer: false });
    expect(createRequests(c.tenantId)).toHaveLength(0); // ready without waiting on Stripe
    await expectTrialOf(c.tenantId, 14);
    const jobs = (await queuedJobs(reg.admin, CUSTOMER_TASK)).filter((j) => j.key?.includes(c.tenantId));
    expect(jobs.map((j) => j.key)).toEqual([`stripe-customer:${c.tenantId}`]);
    // In a queue of their own, run one at a time: a slow Stripe holds one worker, never the signups' provisioning.
    const [queued] = await reg.admin<{ queue_name: string | null }[]>`
      select queue_name from graphile_worker.jobs where key = ${`stripe-customer:${c.tenantId}`}`;
    expect(queued!.queue_name).toBe('stripe');

    await runCustomerJob(services, c.tenantId);
    const customers = fake.customersOf(c.tenantId);
    expect(customers).toHaveLength(1);
    expect(customers[0]).toMatchObject({
      metadata: { tenantId: c.tenantId },
      name: 'First Customer Chapel',
      email: c.email,
    });
    const creates = createRequests(c.tenantId);
    expect(creates).toHaveLength(1);
    expect(creates[0]).toMatchObject({
      idempotencyKey: key(c.tenantId),
      stripeVersion: STRIPE_API_VERSION,
      outcome: 200,
    });
    expect(creates[0]!.headers.authorization).toBe(`Bearer ${FAKE_SECRET_KEY}`);
    expect(STRIPE_API_VERSION).toBe('2026-10-28.endive');
    // Every request Steeple made carries the pinned version, never Stripe's account default.
    expect(fake.requests.every((r) => r.stripeVersion === STRIPE_API_VERSION)).toBe(true);
    const a = await expectTrialOf(c.tenantId, 14);
    expect(a.stripeCustomerId).toBe(customers[0]!.id);

    // Run again (a retry after its success was lost): the recorded customer stands, Stripe is not asked.
    await runCustomerJob(services, c.tenantId);
    expect(createRequests(c.tenantId)).toHaveLength(1);
  });

  it('a crash after activation queues no second job; the job run twice at once makes one customer', async () => {
    const c = await provisionChurch(services, { churchName: 'Crash Customer Chapel', provision: false });
    crashAt = 'after:activate';
    expect(await runProvisioning(services.provision, c.jobId, { finalAttempt: false })).toBe('retry');
    expect(crashAt).toBeNull(); // the crash happened
    expect(await runProvisioning(services.provision, c.jobId, { finalAttempt: false })).toBe('ready');
    const jobs = (await queuedJobs(reg.admin, CUSTOMER_TASK)).filter((j) => j.key?.includes(c.tenantId));
    expect(jobs).toHaveLength(1);

    await Promise.all([runCustomerJob(services, c.tenantId), runCustomerJob(services, c.tenantId)]);
    const customers = fake.customersOf(c.tenantId);
    expect(customers).toHaveLength(1);
    expect((await account(c.tenantId)).stripeCustomerId).toBe(customers[0]!.id);
    expect(new Set(createRequests(c.tenantId).map((r) => r.idempotencyKey))).toEqual(new Set([key(c.tenantId)]));
    expect(await reg.admin`select 1 from billing_accounts where stripe_customer_id = ${customers[0]!.id}`).toHaveLength(
      1,
    );
  });

  it("Stripe's answer lost after it created the customer: the retry (same key) gets the same customer", async () => {
    fake.fail({ kind: 'drop-after' }, { times: 1, path: '/v1/customers' });
    const c = await provisionChurch(services, { churchName: 'Lost Answer Chapel' });
    const creates = createRequests(c.tenantId);
    expect(creates.map((r) => r.outcome)).toEqual(['dropped', 200]);
    expect(creates.map((r) => r.idempotencyKey)).toEqual([key(c.tenantId), key(c.tenantId)]);
    const customers = fake.customersOf(c.tenantId);
    expect(customers).toHaveLength(1);
    expect((await account(c.tenantId)).stripeCustomerId).toBe(customers[0]!.id);
  });

  it('Stripe down: signup is ready with its trial; the job fails, to be retried; checkout creates it', async () => {
    fake.fail(503);
    let c;
    let job;
    try {
      c = await provisionChurch(services, { churchName: 'Stripe Down Chapel', customer: false });
      expect(createRequests(c.tenantId)).toHaveLength(0); // signup never waited on it
      job = await withWarnings(() =>
        runCustomerJob(services, c!.tenantId).then(
          () => 'ran',
          () => 'failed',
        ),
      );
    } finally {
      fake.heal();
    }
    expect(job.result).toBe('failed'); // thrown, so the queue retries it
    const warned = job.lines.some((l) => l.level === 'warn' && /stripe unreachable/.test(l.msg));
    expect(warned && job.lines.every((l) => l.level !== 'warn' || l.tenantId === c.tenantId)).toBe(true);
    const before = await expectTrialOf(c.tenantId, 14);
    expect(before.stripeCustomerId).toBeNull();
    expect(fake.customersOf(c.tenantId)).toHaveLength(0);
    const [tenant] = await reg.admin<{ status: string }[]>`select status from tenants where id = ${c.tenantId}`;
    expect(tenant!.status).toBe('active');

    const owner = await signIn(services, c.email, c.password);
    const { url } = await owner.caller.billing.checkout();
    const customers = fake.customersOf(c.tenantId);
    expect(customers).toHaveLength(1);
    expect((await account(c.tenantId)).stripeCustomerId).toBe(customers[0]!.id);
    const creates = createRequests(c.tenantId);
    expect(creates.filter((r) => r.outcome === 200)).toHaveLength(1);
    expect(new Set(creates.map((r) => r.idempotencyKey))).toEqual(new Set([key(c.tenantId)]));

    const [checkout] = fake
      .requestsTo('/v1/checkout/sessions')
      .filter((r) => r.body.client_reference_id === c.tenantId);
    expect(checkout).toBeDefined();
    expect(checkout!.body).toMatchObject({
      mode: 'subscription',
      customer: customers[0]!.id,
      client_reference_id: c.tenantId,
      'line_items[0][price]': FAKE_PRICE_ID,
      'line_items[0][quantity]': '1',
    });
    expect(checkout!.body.success_url).toMatch(/\/settings\/billing\?checkout=success$/);
    expect(checkout!.stripeVersion).toBe(STRIPE_API_VERSION);
    const session = fake.checkoutSessions.find((s) => s.client_reference_id === c.tenantId)!;
    expect(url).toBe(session.url);
    expect(url.startsWith(fake.url)).toBe(true);

    // A second checkout reuses the recorded customer, and so does the job's retry: no new customer request.
    const creations = fake.requestsTo('/v1/customers').length;
    await owner.caller.billing.checkout();
    await runCustomerJob(services, c.tenantId);
    expect(fake.requestsTo('/v1/customers')).toHaveLength(creations);
    expect(fake.customersOf(c.tenantId)).toHaveLength(1);
  });

  it('a customer whose every answer was lost is found at checkout, after a rename, by another owner', async () => {
    // All three attempts of the client (one try, two retries) reach Stripe and lose their answer.
    fake.fail({ kind: 'drop-after' }, { path: '/v1/customers' });
    let c;
    try {
      c = await provisionChurch(services, { churchName: 'Renamed Chapel', customer: false });
      expect(
        await runCustomerJob(services, c.tenantId).then(
          () => 'ran',
          () => 'failed',
        ),
      ).toBe('failed');
    } finally {
      fake.heal();
    }
    expect((await account(c.tenantId)).stripeCustomerId).toBeNull();
    expect(fake.customersOf(c.tenantId)).toHaveLength(1); // Stripe has it; we do not know its id yet
    expect(createRequests(c.tenantId).every((r) => r.outcome === 'dropped')).toBe(true);

    const owner = await signIn(services, c.email, c.password);
    await owner.caller.church.updateProfile({
      churchName: 'Renamed Chapel of the Hills',
      timezone: 'Europe/London',
      country: 'GB',
    });
    // A second owner (another email) opens checkout: the keyed request must still match the first one.
    const co = await addTeammate(services, owner.caller, `co-owner-${c.tenantId.slice(0, 8)}@example.org`, 'admin');
    await owner.caller.team.changeRole({ adminId: co.adminId, role: 'owner' });
    const coOwner = await signIn(services, co.email, co.password);
    const { url } = await coOwner.caller.billing.checkout();
    expect(url.startsWith(fake.url)).toBe(true);

    const customers = fake.customersOf(c.tenantId);
    expect(customers).toHaveLength(1);
    expect((await account(c.tenantId)).stripeCustomerId).toBe(customers[0]!.id);
    expect(new Set(createRequests(c.tenantId).map((r: StripeRequest) => r.idempotencyKey))).toEqual(
      new Set([key(c.tenantId)]),
    );
    expect(customers[0]).toMatchObject({ name: 'Renamed Chapel of the Hills', email: c.email });
  });

  it('billing.portal opens the customer portal for the recorded customer', async () => {
    const c = await provisionChurch(services, { churchName: 'Portal Chapel' });
    const owner = await signIn(services, c.email, c.password);
    const { url } = await owner.caller.billing.portal();
    const customer = (await account(c.tenantId)).stripeCustomerId;
    const session = fake.portalSessions.find((s) => s.customer === customer)!;
    expect(session).toBeDefined();
    expect(url).toBe(session.url);
    expect(session.return_url).toMatch(/\/settings\/billing$/);
    expect(fake.customersOf(c.tenantId)).toHaveLength(1);
  });

  it('billing off: every church gets an account and trial (TRIAL_DAYS, default 14); Stripe never called', async () => {
    const off = createServices(loadConfig({ DATABASE_URL: reg.url, ...testSecrets, LOG_LEVEL: 'error' }));
    const longer = createServices(
      loadConfig({ DATABASE_URL: reg.url, ...testSecrets, LOG_LEVEL: 'error', TRIAL_DAYS: '30' }),
    );
    try {
      expect(off.billing).toBeNull();
      const requests = fake.requests.length;
      const c = await provisionChurch(off, { churchName: 'No Billing Chapel' });
      const a = await expectTrialOf(c.tenantId, 14);
      expect(a.stripeCustomerId).toBeNull();
      const d = await provisionChurch(longer, { churchName: 'Long Trial Chapel' });
      await expectTrialOf(d.tenantId, 30);
      expect(fake.requests).toHaveLength(requests);
    } finally {
      await off.close();
      await longer.close();
    }
  });
});
