import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accountOf } from '@/server/billing/accounts';
import { loadConfig } from '@/server/config';
import { createServices, type Services } from '@/server/services';
import { captureLogs, provisionChurch, type Church } from './support/accounts';
import {
  checkoutCompletedObject,
  deliver,
  FakeStripe,
  invoiceObject,
  postStripe,
  signatureFor,
  stripeEvent,
  subscriptionObject,
  unix,
  type StripeEventJson,
} from './support/fake-stripe';
import { createTestRegistry, testSecrets, type TestRegistry } from './support/harness';
import { OutageProxy } from './support/webhooks';

const DAY = 86_400;

describe('Stripe webhooks', () => {
  let fake: FakeStripe;
  let reg: TestRegistry;
  let services: Services;
  let church: Church; // has the Stripe customer provisioning created
  let customer: string;

  const account = async (tenantId: string) => (await accountOf(services.registry, tenantId))!;
  const eventRows = (id: string) =>
    reg.admin<
      { id: string; type: string; tenant_id: string | null }[]
    >`select id, type, tenant_id from stripe_events where id = ${id}`;
  const seconds = (d: Date | null) => (d ? Math.floor(d.getTime() / 1000) : null);

  /** A church of its own per test, so effects never leak between tests. */
  async function freshChurch(name: string) {
    const c = await provisionChurch(services, { churchName: name });
    const a = await account(c.tenantId);
    expect(a.stripeCustomerId).toMatch(/^cus_/);
    return { church: c, customer: a.stripeCustomerId! };
  }

  beforeAll(async () => {
    fake = await FakeStripe.start();
    reg = await createTestRegistry(fake.env());
    services = reg.services;
    ({ church, customer } = await freshChurch('Stripe Webhook Chapel'));
  });
  afterAll(async () => {
    await reg?.cleanup();
    await fake?.stop();
  });

  describe('signature', () => {
    const cancelEvent = () =>
      stripeEvent('customer.subscription.deleted', subscriptionObject({ customer, status: 'canceled' }));

    async function expectRejected(res: Response, event: StripeEventJson) {
      expect(res.status).toBe(400);
      expect(await res.json()).toEqual({ error: 'invalid signature' });
      expect(await eventRows(event.id)).toHaveLength(0);
      expect((await account(church.tenantId)).status).toBe('trialing');
    }

    it('a signature made with another secret is 400 and changes nothing', async () => {
      const event = cancelEvent();
      const body = JSON.stringify(event);
      await expectRejected(
        await postStripe(services, body, { 'stripe-signature': signatureFor(body, 'whsec_someoneElsesSecret') }),
        event,
      );
    });

    it('no Stripe-Signature header, or a malformed one, is 400', async () => {
      const event = cancelEvent();
      const body = JSON.stringify(event);
      await expectRejected(await postStripe(services, body, {}), event);
      await expectRejected(await postStripe(services, body, { 'stripe-signature': 't=123,v1=nothex' }), event);
    });

    it('a body changed after signing is 400', async () => {
      const event = cancelEvent();
      const body = JSON.stringify(event);
      const header = signatureFor(body);
      const tampered = body
        .replace('"status":"canceled"', '"status":"active"')
        .replace('customer.subscription.deleted', 'customer.subscription.updated');
      expect(tampered).not.toBe(body);
      await expectRejected(await postStripe(services, tampered, { 'stripe-signature': header }), event);
      // The untouched body with the same header is accepted: the rejection was the tampering, not the event.
      expect((await postStripe(services, body, { 'stripe-signature': header })).status).toBe(200);
      expect((await account(church.tenantId)).status).toBe('canceled');
      await reg.admin`
        update billing_accounts set status = 'trialing', state_at = null, subscription_id = null
         where tenant_id = ${church.tenantId}`;
    });

    it('a signature older than the tolerance (a captured delivery replayed later) is 400', async () => {
      const event = cancelEvent();
      const body = JSON.stringify(event);
      await expectRejected(
        await postStripe(services, body, { 'stripe-signature': signatureFor(body, undefined, unix() - 600) }),
        event,
      );
    });
  });

  describe('each handled event', () => {
    it('checkout.session.completed records subscription and customer (client_reference_id finds it)', async () => {
      const { church: c } = await freshChurch('Checkout Chapel');
      // As when Stripe was unreachable at provisioning: no customer recorded yet.
      await reg.admin`update billing_accounts set stripe_customer_id = null where tenant_id = ${c.tenantId}`;
      const event = stripeEvent(
        'checkout.session.completed',
        checkoutCompletedObject({
          tenantId: c.tenantId,
          customer: 'cus_fromCheckout1',
          subscription: 'sub_fromCheckout1',
        }),
      );
      const res = await deliver(services, event);
      expect(res).toMatchObject({ status: 200, body: { received: true, duplicate: false } });
      expect(await account(c.tenantId)).toMatchObject({
        stripeCustomerId: 'cus_fromCheckout1',
        subscriptionId: 'sub_fromCheckout1',
        status: 'trialing',
      });
      expect(await eventRows(event.id)).toEqual([
        { id: event.id, type: 'checkout.session.completed', tenant_id: c.tenantId },
      ]);

      // The customer recorded from the checkout now routes the subscription's own events to this church.
      const periodEnd = unix() + 30 * DAY;
      await deliver(
        services,
        stripeEvent(
          'customer.subscription.created',
          subscriptionObject({ id: 'sub_fromCheckout1', customer: 'cus_fromCheckout1', status: 'active', periodEnd }),
        ),
      );
      expect(await account(c.tenantId)).toMatchObject({ status: 'active', subscriptionId: 'sub_fromCheckout1' });
    });

    it('checkout.session.completed keeps the customer the church already has', async () => {
      const { church: c, customer: cus } = await freshChurch('Keeps Customer Chapel');
      await deliver(
        services,
        stripeEvent(
          'checkout.session.completed',
          checkoutCompletedObject({ tenantId: c.tenantId, customer: cus, subscription: 'sub_keeps1' }),
        ),
      );
      expect(await account(c.tenantId)).toMatchObject({ stripeCustomerId: cus, subscriptionId: 'sub_keeps1' });
    });

    it('customer.subscription.created sets status, price, current_period_end (items.data[0]), trial_end', async () => {
      const { church: c, customer: cus } = await freshChurch('Created Chapel');
      const periodEnd = unix() + 9 * DAY;
      const trialEnd = unix() + 9 * DAY;
      const event = stripeEvent(
        'customer.subscription.created',
        subscriptionObject({
          id: 'sub_created1',
          customer: cus,
          status: 'trialing',
          priceId: 'price_other',
          periodEnd,
          trialEnd,
        }),
      );
      expect((await deliver(services, event)).status).toBe(200);
      const a = await account(c.tenantId);
      expect(a).toMatchObject({
        subscriptionId: 'sub_created1',
        status: 'trialing',
        priceId: 'price_other',
        cancelAtPeriodEnd: false,
      });
      expect(seconds(a.currentPeriodEnd)).toBe(periodEnd);
      expect(seconds(a.trialEndsAt)).toBe(trialEnd);
      expect(seconds(a.stateAt)).toBe(event.created);
    });

    it('customer.subscription.updated: status, period, cancel_at_period_end; a null trial end keeps ours', async () => {
      const { church: c, customer: cus } = await freshChurch('Updated Chapel');
      const before = await account(c.tenantId);
      const periodEnd = unix() + 31 * DAY;
      const t = unix();
      await deliver(
        services,
        stripeEvent(
          'customer.subscription.created',
          subscriptionObject({ id: 'sub_upd1', customer: cus, status: 'active' }),
          { created: t - 10 },
        ),
      );
      await deliver(
        services,
        stripeEvent(
          'customer.subscription.updated',
          subscriptionObject({ id: 'sub_upd1', customer: cus, status: 'past_due', periodEnd, cancelAtPeriodEnd: true }),
          { created: t },
        ),
      );
      const a = await account(c.tenantId);
      expect(a).toMatchObject({ status: 'past_due', cancelAtPeriodEnd: true, priceId: services.billing!.priceId });
      expect(seconds(a.currentPeriodEnd)).toBe(periodEnd);
      expect(a.trialEndsAt).toEqual(before.trialEndsAt);
    });

    it('customer.subscription.deleted makes the status canceled', async () => {
      const { church: c, customer: cus } = await freshChurch('Deleted Chapel');
      const t = unix();
      await deliver(
        services,
        stripeEvent(
          'customer.subscription.updated',
          subscriptionObject({ id: 'sub_del1', customer: cus, status: 'active' }),
          { created: t - 10 },
        ),
      );
      expect((await account(c.tenantId)).status).toBe('active');
      await deliver(
        services,
        stripeEvent(
          'customer.subscription.deleted',
          subscriptionObject({ id: 'sub_del1', customer: cus, status: 'canceled' }),
          { created: t },
        ),
      );
      expect((await account(c.tenantId)).status).toBe('canceled');
    });

    it('customer.subscription.trial_will_end records the notice', async () => {
      const { church: c, customer: cus } = await freshChurch('Trial Notice Chapel');
      expect((await account(c.tenantId)).trialEndingNoticeAt).toBeNull();
      const before = Date.now();
      await deliver(
        services,
        stripeEvent(
          'customer.subscription.trial_will_end',
          subscriptionObject({ customer: cus, status: 'trialing', trialEnd: unix() + 3 * DAY }),
        ),
      );
      const notice = (await account(c.tenantId)).trialEndingNoticeAt;
      expect(notice).toBeInstanceOf(Date);
      expect(notice!.getTime()).toBeGreaterThanOrEqual(before - 1_000);
    });

    it('invoice.payment_failed sets payment_failed_at; invoice.paid clears it and moves the period on', async () => {
      const { church: c, customer: cus } = await freshChurch('Invoice Chapel');
      const t = unix();
      const firstEnd = t + 2 * DAY;
      await deliver(
        services,
        stripeEvent(
          'customer.subscription.updated',
          subscriptionObject({ id: 'sub_inv1', customer: cus, status: 'active', periodEnd: firstEnd }),
          { created: t - 100 },
        ),
      );
      const failed = stripeEvent(
        'invoice.payment_failed',
        invoiceObject({ customer: cus, subscription: 'sub_inv1', status: 'open' }),
        { created: t - 50 },
      );
      expect((await deliver(services, failed)).status).toBe(200);
      expect(seconds((await account(c.tenantId)).paymentFailedAt)).toBe(t - 50);

      const paidEnd = firstEnd + 30 * DAY;
      const paid = stripeEvent(
        'invoice.paid',
        invoiceObject({
          customer: cus,
          subscription: 'sub_inv1',
          status: 'paid',
          periodStart: firstEnd,
          periodEnd: paidEnd,
        }),
        { created: t },
      );
      const res = await deliver(services, paid);
      expect(res).toMatchObject({ status: 200, body: { received: true, duplicate: false } });
      const a = await account(c.tenantId);
      expect(a.paymentFailedAt).toBeNull();
      expect(seconds(a.currentPeriodEnd)).toBe(paidEnd);
    });

    it('a payment older than the latest failure (another invoice, delivered late) does not clear it', async () => {
      const { church: c, customer: cus } = await freshChurch('Late Payment Chapel');
      const t = unix();
      await deliver(
        services,
        stripeEvent(
          'invoice.payment_failed',
          invoiceObject({ customer: cus, subscription: 'sub_late1', status: 'open' }),
          { created: t },
        ),
      );
      await deliver(
        services,
        stripeEvent('invoice.paid', invoiceObject({ customer: cus, subscription: 'sub_late1', status: 'paid' }), {
          created: t - 3600,
        }),
      );
      expect(seconds((await account(c.tenantId)).paymentFailedAt)).toBe(t);
    });

    it('an invoice paid for an older period never moves the period end back', async () => {
      const { church: c, customer: cus } = await freshChurch('Older Invoice Chapel');
      const periodEnd = unix() + 20 * DAY;
      await deliver(
        services,
        stripeEvent(
          'customer.subscription.updated',
          subscriptionObject({ id: 'sub_inv2', customer: cus, status: 'active', periodEnd }),
        ),
      );
      await deliver(
        services,
        stripeEvent(
          'invoice.paid',
          invoiceObject({
            customer: cus,
            subscription: 'sub_inv2',
            status: 'paid',
            periodStart: periodEnd - 60 * DAY,
            periodEnd: periodEnd - 30 * DAY,
          }),
        ),
      );
      expect(seconds((await account(c.tenantId)).currentPeriodEnd)).toBe(periodEnd);
    });

    it('an event type we do not handle is acknowledged and not recorded', async () => {
      const event = stripeEvent('customer.updated', { id: customer, object: 'customer', email: 'x@example.org' });
      const res = await deliver(services, event);
      expect(res).toEqual(expect.objectContaining({ status: 200, body: { ignored: 'customer.updated' } }));
      expect(await eventRows(event.id)).toHaveLength(0);
    });
  });

  describe('delivery: replays, duplicates, order', () => {
    it('a replayed event has no second effect, and its id is stored once', async () => {
      const { church: c, customer: cus } = await freshChurch('Replay Chapel');
      const failed = stripeEvent(
        'invoice.payment_failed',
        invoiceObject({ customer: cus, subscription: 'sub_rep1', status: 'open' }),
      );
      expect((await deliver(services, failed)).body).toEqual({ received: true, duplicate: false });
      expect((await account(c.tenantId)).paymentFailedAt).not.toBeNull();
      await deliver(
        services,
        stripeEvent('invoice.paid', invoiceObject({ customer: cus, subscription: 'sub_rep1', status: 'paid' })),
      );
      expect((await account(c.tenantId)).paymentFailedAt).toBeNull();

      // Stripe delivers the failure again (a retry after a timeout on its side): acknowledged, not applied.
      const replay = await deliver(services, failed);
      expect(replay).toMatchObject({ status: 200, body: { received: true, duplicate: true } });
      expect((await account(c.tenantId)).paymentFailedAt).toBeNull();
      expect(await eventRows(failed.id)).toHaveLength(1);
    });

    it('10 concurrent deliveries of one event: all acknowledged, exactly one applied', async () => {
      const { church: c, customer: cus } = await freshChurch('Burst Chapel');
      const event = stripeEvent(
        'invoice.payment_failed',
        invoiceObject({ customer: cus, subscription: 'sub_burst1', status: 'open' }),
      );
      const body = JSON.stringify(event);
      const answers = await Promise.all(Array.from({ length: 10 }, () => deliver(services, body)));
      expect(answers.map((a) => a.status)).toEqual(Array(10).fill(200));
      expect(answers.filter((a) => a.body.duplicate === false)).toHaveLength(1);
      expect(answers.filter((a) => a.body.duplicate === true)).toHaveLength(9);
      expect(await eventRows(event.id)).toHaveLength(1);
      expect(seconds((await account(c.tenantId)).paymentFailedAt)).toBe(event.created);
    });

    it('an older subscription event arriving after a newer one never overwrites it', async () => {
      const { church: c, customer: cus } = await freshChurch('Out Of Order Chapel');
      const t = unix();
      const sub = 'sub_ooo1';
      await deliver(
        services,
        stripeEvent('customer.subscription.created', subscriptionObject({ id: sub, customer: cus, status: 'active' }), {
          created: t - 300,
        }),
      );
      await deliver(
        services,
        stripeEvent(
          'customer.subscription.deleted',
          subscriptionObject({ id: sub, customer: cus, status: 'canceled' }),
          { created: t - 100 },
        ),
      );
      expect((await account(c.tenantId)).status).toBe('canceled');

      // An `updated` (still active) from before the cancellation, delivered late: acknowledged, stored, ignored.
      const stale = stripeEvent(
        'customer.subscription.updated',
        subscriptionObject({ id: sub, customer: cus, status: 'active', periodEnd: t + 99 * DAY }),
        { created: t - 200 },
      );
      expect((await deliver(services, stale)).body).toEqual({ received: true, duplicate: false });
      const a = await account(c.tenantId);
      expect(a.status).toBe('canceled');
      expect(seconds(a.currentPeriodEnd)).not.toBe(t + 99 * DAY);
      expect(seconds(a.stateAt)).toBe(t - 100);
      expect(await eventRows(stale.id)).toHaveLength(1);

      // A newer event (a new subscription after re-subscribing) does move it.
      await deliver(
        services,
        stripeEvent(
          'customer.subscription.created',
          subscriptionObject({ id: 'sub_ooo2', customer: cus, status: 'active' }),
          { created: t },
        ),
      );
      expect(await account(c.tenantId)).toMatchObject({ status: 'active', subscriptionId: 'sub_ooo2' });
    });

    it('subscribing again: the old subscription ending, in either delivery order, never ends the new one', async () => {
      const { church: c, customer: cus } = await freshChurch('Resubscribe Chapel');
      const t = unix();
      await deliver(
        services,
        stripeEvent(
          'customer.subscription.created',
          subscriptionObject({ id: 'sub_old1', customer: cus, status: 'active' }),
          { created: t - 500 },
        ),
      );
      await deliver(
        services,
        stripeEvent(
          'customer.subscription.updated',
          subscriptionObject({ id: 'sub_old1', customer: cus, status: 'unpaid' }),
          { created: t - 400 },
        ),
      );
      expect((await account(c.tenantId)).status).toBe('unpaid');
      // The owner checks out a new plan; the old, unpaid subscription is canceled afterwards (by them or by Stripe).
      await deliver(
        services,
        stripeEvent(
          'customer.subscription.created',
          subscriptionObject({ id: 'sub_new1', customer: cus, status: 'active' }),
          { created: t - 300 },
        ),
      );
      expect(await account(c.tenantId)).toMatchObject({ status: 'active', subscriptionId: 'sub_new1' });
      await deliver(
        services,
        stripeEvent(
          'customer.subscription.deleted',
          subscriptionObject({ id: 'sub_old1', customer: cus, status: 'canceled' }),
          { created: t - 100 },
        ),
      );
      expect(await account(c.tenantId)).toMatchObject({ status: 'active', subscriptionId: 'sub_new1' });

      // The other order: the old one's end is delivered before the new one's creation (which is older than it).
      const { church: d, customer: dus } = await freshChurch('Resubscribe Chapel 2');
      await deliver(
        services,
        stripeEvent(
          'customer.subscription.created',
          subscriptionObject({ id: 'sub_old2', customer: dus, status: 'active' }),
          { created: t - 500 },
        ),
      );
      await deliver(
        services,
        stripeEvent(
          'customer.subscription.updated',
          subscriptionObject({ id: 'sub_old2', customer: dus, status: 'unpaid' }),
          { created: t - 400 },
        ),
      );
      await deliver(
        services,
        stripeEvent(
          'customer.subscription.deleted',
          subscriptionObject({ id: 'sub_old2', customer: dus, status: 'canceled' }),
          { created: t - 100 },
        ),
      );
      expect((await account(d.tenantId)).status).toBe('canceled');
      await deliver(
        services,
        stripeEvent(
          'customer.subscription.created',
          subscriptionObject({ id: 'sub_new2', customer: dus, status: 'active' }),
          { created: t - 300 },
        ),
      );
      expect(await account(d.tenantId)).toMatchObject({ status: 'active', subscriptionId: 'sub_new2' });
      // …and the new one's own older events still cannot move it back.
      await deliver(
        services,
        stripeEvent(
          'customer.subscription.updated',
          subscriptionObject({ id: 'sub_new2', customer: dus, status: 'incomplete' }),
          { created: t - 350 },
        ),
      );
      expect((await account(d.tenantId)).status).toBe('active');
    });

    it('an event for a customer no church has is acknowledged with 200 and logged, and changes no church', async () => {
      const before = await account(church.tenantId);
      const event = stripeEvent(
        'customer.subscription.updated',
        subscriptionObject({ customer: 'cus_nobodyKnowsThis', status: 'canceled' }),
      );
      const previous = process.env.LOG_LEVEL;
      process.env.LOG_LEVEL = 'warn';
      const logs = captureLogs();
      let res;
      try {
        res = await deliver(services, event);
      } finally {
        logs.restore();
        process.env.LOG_LEVEL = previous;
      }
      expect(res).toMatchObject({ status: 200, body: { received: true, duplicate: false } });
      expect(
        logs.lines.some((l) => l.level === 'warn' && /customer no church has/.test(l.msg) && l.id === event.id),
      ).toBe(true);
      // Not recorded: if the customer becomes known later (a race with checkout), Stripe's redelivery still applies.
      expect(await eventRows(event.id)).toEqual([]);
      expect(await account(church.tenantId)).toEqual(before);
      // A checkout naming a church id that does not exist is acknowledged the same way.
      const stray = stripeEvent(
        'checkout.session.completed',
        checkoutCompletedObject({
          tenantId: '00000000-0000-4000-8000-000000000000',
          customer: 'cus_nobody2',
          subscription: 'sub_nobody2',
        }),
      );
      expect(await deliver(services, stray)).toMatchObject({ status: 200, body: { received: true } });
      expect(
        await reg.admin`
          select 1 from billing_accounts where stripe_customer_id = 'cus_nobody2' or subscription_id = 'sub_nobody2'`,
      ).toHaveLength(0);
    });

    it('a registry outage is a 503 (Stripe retries), and the retry is applied once', async () => {
      const { church: c, customer: cus } = await freshChurch('Outage Chapel');
      const u = new URL(reg.url);
      const proxy = await new OutageProxy({ host: u.hostname, port: Number(u.port || 5432) }).start();
      u.port = String(proxy.port);
      const viaProxy = createServices(
        loadConfig({
          DATABASE_URL: u.toString(),
          ...testSecrets,
          ...fake.env(),
          LOG_LEVEL: 'error',
          REGISTRY_TIMEOUT_MS: '500',
        }),
      );
      try {
        const event = stripeEvent(
          'customer.subscription.deleted',
          subscriptionObject({ customer: cus, status: 'canceled' }),
        );
        proxy.cut();
        const during = await deliver(viaProxy, event);
        expect(during.status).toBe(503);
        expect(during.headers.get('retry-after')).toBeTruthy();
        expect(JSON.stringify(during.body)).not.toMatch(/stp_|postgres|ECONN/);
        expect(await eventRows(event.id)).toHaveLength(0);
        expect((await account(c.tenantId)).status).toBe('trialing');
        proxy.restore();
        // Stripe's retry is applied (the answer may already say duplicate: the 503'd attempt's transaction may have
        // reached the registry once it was back; either way there is one effect and one stored id).
        const retry = await deliver(viaProxy, event);
        expect(retry).toMatchObject({ status: 200, body: { received: true } });
        expect((await account(c.tenantId)).status).toBe('canceled');
        expect(await eventRows(event.id)).toHaveLength(1);
        expect((await deliver(viaProxy, event)).body).toEqual({ received: true, duplicate: true });
      } finally {
        await viaProxy.close();
        await proxy.stop();
      }
    });
  });

  describe('billing off', () => {
    it('without STRIPE_SECRET_KEY the endpoint is 404, records nothing and does not crash', async () => {
      const off = createServices(loadConfig({ DATABASE_URL: reg.url, ...testSecrets, LOG_LEVEL: 'error' }));
      try {
        expect(off.billing).toBeNull();
        const event = stripeEvent(
          'customer.subscription.deleted',
          subscriptionObject({ customer, status: 'canceled' }),
        );
        const signed = await deliver(off, event);
        expect(signed).toMatchObject({ status: 404, body: { error: 'billing is not configured' } });
        const unsigned = await postStripe(off, 'not even json', {});
        expect(unsigned.status).toBe(404);
        expect(await eventRows(event.id)).toHaveLength(0);
        expect((await account(church.tenantId)).status).toBe('trialing');
      } finally {
        await off.close();
      }
    });
  });
});
