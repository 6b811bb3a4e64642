import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { conversations } from '@/db/tenant/schema';
import { READ_ONLY_MESSAGE } from '@/server/billing/access';
import { loadConfig } from '@/server/config';
import { createServices, type Services } from '@/server/services';
import {
  addTeammate,
  caller,
  errorOf,
  provisionChurch,
  signIn,
  type Church,
  type SignedInClient,
} from './support/accounts';
import { deliver, FakeStripe, stripeEvent, subscriptionObject, unix } from './support/fake-stripe';
import { createTestRegistry, sleep, testSecrets, until, type TestRegistry } from './support/harness';
import { routeNumberTo, personNumber, postSigned, received } from './support/webhooks';

describe('access follows the subscription', () => {
  let fake: FakeStripe;
  let reg: TestRegistry;
  let services: Services;
  let church: Church;
  let owner: SignedInClient;
  let admin: SignedInClient;
  let staff: SignedInClient;
  let customer: string;
  let phones = 0;
  const phone = () => `(202) 555-${String(100 + ++phones).padStart(4, '0')}`;

  /** Change the church's billing row as Stripe's events (or the clock) would, and drop the cached access. */
  async function setAccount(patch: { status?: string; trialEndsInMs?: number }) {
    if (patch.status)
      await reg.admin`
        update billing_accounts set status = ${patch.status}::billing_status where tenant_id = ${church.tenantId}`;
    if (patch.trialEndsInMs !== undefined) {
      await reg.admin`
        update billing_accounts set trial_ends_at = now() + make_interval(secs => ${patch.trialEndsInMs / 1000})
         where tenant_id = ${church.tenantId}`;
    }
    services.access.forget(church.tenantId);
  }

  async function expectReadOnly(p: Promise<unknown>) {
    const err = await errorOf(p);
    expect(err.code).toBe('PAYMENT_REQUIRED');
    expect(err.message).toBe(READ_ONLY_MESSAGE);
  }

  beforeAll(async () => {
    fake = await FakeStripe.start();
    reg = await createTestRegistry(fake.env());
    services = reg.services;
    church = await provisionChurch(services, { churchName: 'Access Chapel' });
    owner = await signIn(services, church.email, church.password);
    const a = await addTeammate(services, owner.caller, `admin-${church.tenantId.slice(0, 8)}@example.org`, 'admin');
    const s = await addTeammate(services, owner.caller, `staff-${church.tenantId.slice(0, 8)}@example.org`, 'staff');
    admin = await signIn(services, a.email, a.password);
    staff = await signIn(services, s.email, s.password);
    const [row] = await reg.admin<
      { stripe_customer_id: string }[]
    >`select stripe_customer_id from billing_accounts where tenant_id = ${church.tenantId}`;
    customer = row!.stripe_customer_id;
    expect(customer).toMatch(/^cus_/);
  });
  afterAll(async () => {
    await reg?.cleanup();
    await fake?.stop();
  });

  it('a church in its trial writes, and billing.status shows the trial', async () => {
    await owner.caller.members.create({ firstName: 'Trial', lastName: 'Writer', phone: phone() });
    await staff.caller.members.create({ firstName: 'Staff', lastName: 'Writer', phone: phone() });
    const status = await staff.caller.billing.status();
    expect(status).toMatchObject({
      configured: true,
      trialDailyTexts: 500,
      status: 'trialing',
      readOnly: false,
      banner: null,
      trialDaysLeft: 14,
      hasSubscription: false,
    });
    expect((await owner.caller.account.me()).access).toEqual({ readOnly: false, banner: null, trialDaysLeft: 14 });
  });

  it('after the trial: read-only, every write refused; reads, export, billing, password still work', async () => {
    // A conversation with an unread message, to mark read while read-only.
    const number = await routeNumberTo(services, church.tenantId);
    expect((await postSigned(services, received(personNumber(1), number, 'hello?').body)).status).toBe(200);
    const [conversation] = await services.connections.withTenant(church.tenantId, (db) =>
      db.select().from(conversations),
    );
    expect(conversation!.unreadCount).toBe(1);

    await setAccount({ trialEndsInMs: -60_000 });
    try {
      await expectReadOnly(owner.caller.members.create({ firstName: 'Refused', phone: phone() }));
      await expectReadOnly(staff.caller.members.create({ firstName: 'Refused', phone: phone() }));
      const [member] = (await owner.caller.members.list({})).items;
      await expectReadOnly(owner.caller.members.update({ id: member!.id, firstName: 'Changed' }));
      await expectReadOnly(admin.caller.members.delete({ id: member!.id }));
      await expectReadOnly(
        admin.caller.church.updateProfile({ churchName: 'Renamed', timezone: 'Europe/London', country: 'GB' }),
      );
      await expectReadOnly(owner.caller.team.invite({ email: 'late@example.org', role: 'staff' }));
      await expectReadOnly(owner.caller.conversations.assign({ id: conversation!.id, adminId: null }));

      // Reads.
      const list = await staff.caller.members.list({});
      expect(list.items.map((m) => m.firstName).sort()).toEqual(['New contact', 'Staff', 'Trial']);
      const exported = await admin.caller.members.export();
      expect(exported.csv).toMatch(/Trial/);
      expect(await staff.caller.billing.status()).toMatchObject({
        status: 'trialing',
        readOnly: true,
        banner: 'read_only',
        trialDaysLeft: 0,
      });
      expect((await staff.caller.account.me()).access).toMatchObject({ readOnly: true, banner: 'read_only' });
      expect((await owner.caller.members.get({ id: member!.id })).firstName).toBe(member!.firstName);

      // The writes that stay open: reading a conversation, the password, signing out, paying.
      expect(await staff.caller.conversations.markRead({ id: conversation!.id })).toEqual({ ok: true });
      await staff.caller.account.changePassword({
        currentPassword: 'member password 1',
        newPassword: 'a new password 22',
      });
      const again = await signIn(services, staff.signed.email, 'a new password 22');
      expect((await again.caller.members.list({})).items.length).toBe(3);
      expect((await again.caller.account.signOutEverywhere()).sessionsSignedOut).toBeGreaterThanOrEqual(1);
      staff = await signIn(services, staff.signed.email, 'a new password 22');
      const { url } = await owner.caller.billing.checkout();
      expect(url.startsWith(fake.url)).toBe(true);
      expect((await owner.caller.billing.portal()).url.startsWith(fake.url)).toBe(true);
    } finally {
      await setAccount({ trialEndsInMs: 7 * 86_400_000 });
    }
    // Writes work again once the trial (here: extended) holds.
    await owner.caller.members.create({ firstName: 'Back', phone: phone() });
  });

  it.each(['canceled', 'unpaid', 'incomplete_expired', 'paused'])(
    'status %s is read-only even within the trial dates',
    async (status) => {
      await setAccount({ status });
      try {
        await expectReadOnly(owner.caller.members.create({ firstName: 'Refused', phone: phone() }));
        expect(await owner.caller.billing.status()).toMatchObject({ status, readOnly: true, banner: 'read_only' });
      } finally {
        await setAccount({ status: 'trialing' });
      }
    },
  );

  it('past_due keeps working, with the banner; active works with none, even after the trial dates', async () => {
    await setAccount({ status: 'past_due', trialEndsInMs: -86_400_000 });
    try {
      await admin.caller.members.create({ firstName: 'Past', lastName: 'Due', phone: phone() });
      expect(await staff.caller.billing.status()).toMatchObject({
        status: 'past_due',
        readOnly: false,
        banner: 'past_due',
      });
      await setAccount({ status: 'active' });
      await admin.caller.members.create({ firstName: 'Paying', phone: phone() });
      expect(await staff.caller.billing.status()).toMatchObject({
        status: 'active',
        readOnly: false,
        banner: null,
        trialDaysLeft: null,
      });
    } finally {
      await setAccount({ status: 'trialing', trialEndsInMs: 7 * 86_400_000 });
    }
  });

  it('a canceled webhook makes it read-only at once, active restores it; another server sees both in 5 s', async () => {
    const other = createServices(
      loadConfig({ DATABASE_URL: reg.url, ...testSecrets, ...fake.env(), LOG_LEVEL: 'error' }),
    );
    try {
      const otherOwner = caller(other, owner.session);
      const t = unix();
      const sub = 'sub_access1';
      expect(
        (
          await deliver(
            services,
            stripeEvent('customer.subscription.created', subscriptionObject({ id: sub, customer, status: 'active' }), {
              created: t - 60,
            }),
          )
        ).status,
      ).toBe(200);
      await owner.caller.members.create({ firstName: 'Subscribed', phone: phone() });
      expect((await other.access.get(church.tenantId)).readOnly).toBe(false); // the other server caches "full access"

      expect(
        (
          await deliver(
            services,
            stripeEvent(
              'customer.subscription.deleted',
              subscriptionObject({ id: sub, customer, status: 'canceled' }),
              { created: t - 30 },
            ),
          )
        ).status,
      ).toBe(200);
      // This server: the webhook dropped the cached access, so the very next write is refused.
      await expectReadOnly(owner.caller.members.create({ firstName: 'Refused', phone: phone() }));
      // The other server still holds its cached answer, and follows within the TTL.
      const canceledAt = Date.now();
      const refused = () =>
        otherOwner.members.create({ firstName: 'Probe', phone: phone() }).then(
          () => false,
          (err) => err.code === 'PAYMENT_REQUIRED',
        );
      await until(refused, { timeoutMs: 8_000, everyMs: 250 }).catch(() => {
        throw new Error('the other server never saw the cancellation');
      });
      expect(Date.now() - canceledAt).toBeLessThan(6_500);

      expect(
        (
          await deliver(
            services,
            stripeEvent('customer.subscription.updated', subscriptionObject({ id: sub, customer, status: 'active' }), {
              created: t,
            }),
          )
        ).status,
      ).toBe(200);
      await owner.caller.members.create({ firstName: 'Restored', phone: phone() });
      await sleep(5_100); // past the other server's TTL
      await otherOwner.members.create({ firstName: 'Restored Too', phone: phone() });
    } finally {
      await other.close();
      await setAccount({ status: 'trialing', trialEndsInMs: 7 * 86_400_000 });
    }
  });

  it('a plan chosen in the trial keeps it; its end passing before Stripe’s event never locks the church', async () => {
    const sub = 'sub_kept_trial';
    const trialEnd = unix(Date.now() + 5 * 86_400_000);
    const kept = subscriptionObject({ id: sub, customer, status: 'trialing', trialEnd });
    expect((await deliver(services, stripeEvent('customer.subscription.created', kept))).status).toBe(200);
    try {
      expect(await owner.caller.billing.status()).toMatchObject({
        status: 'trialing',
        hasSubscription: true,
        readOnly: false,
        trialDaysLeft: 5,
      });
      expect((await owner.caller.billing.status()).trialEndsAt).toEqual(new Date(trialEnd * 1000));
      // The trial's end passes and Stripe's "active" is late: still writable (Stripe moves the status on).
      await setAccount({ trialEndsInMs: -60_000 });
      await owner.caller.members.create({ firstName: 'Kept', lastName: 'Trial', phone: phone() });
      expect(await staff.caller.billing.status()).toMatchObject({ readOnly: false, banner: null, trialDaysLeft: 0 });
      // A trial without a chosen plan still ends in read-only.
      await reg.admin`update billing_accounts set subscription_id = null where tenant_id = ${church.tenantId}`;
      services.access.forget(church.tenantId);
      await expectReadOnly(owner.caller.members.create({ firstName: 'Refused', phone: phone() }));
    } finally {
      await reg.admin`
        update billing_accounts set subscription_id = null, status = 'trialing', state_at = null
         where tenant_id = ${church.tenantId}`;
      await setAccount({ trialEndsInMs: 7 * 86_400_000 });
    }
  });

  it('checkout and portal are the owner’s: FORBIDDEN for admin and staff', async () => {
    for (const who of [admin, staff]) {
      expect((await errorOf(who.caller.billing.checkout())).code).toBe('FORBIDDEN');
      expect((await errorOf(who.caller.billing.portal())).code).toBe('FORBIDDEN');
    }
    // A church with a live plan is sent to "Manage billing" rather than subscribing twice.
    await reg.admin`
      update billing_accounts set subscription_id = 'sub_live_plan', status = 'active'
       where tenant_id = ${church.tenantId}`;
    expect((await errorOf(owner.caller.billing.checkout())).code).toBe('CONFLICT');
    await reg.admin`
      update billing_accounts set subscription_id = null, status = 'trialing' where tenant_id = ${church.tenantId}`;
    const sessions = fake.checkoutSessions.length;
    expect((await owner.caller.billing.checkout()).url.startsWith(fake.url)).toBe(true);
    expect(fake.checkoutSessions).toHaveLength(sessions + 1);
  });

  it('with billing off, checkout and portal are PRECONDITION_FAILED and status says not configured', async () => {
    const off = createServices(loadConfig({ DATABASE_URL: reg.url, ...testSecrets, LOG_LEVEL: 'error' }));
    try {
      const offOwner = caller(off, owner.session);
      const requests = fake.requests.length;
      expect((await errorOf(offOwner.billing.checkout())).code).toBe('PRECONDITION_FAILED');
      expect((await errorOf(offOwner.billing.portal())).code).toBe('PRECONDITION_FAILED');
      expect((await errorOf(caller(off, staff.session).billing.checkout())).code).toBe('FORBIDDEN');
      expect(await offOwner.billing.status()).toMatchObject({
        configured: false,
        status: 'trialing',
        readOnly: false,
        trialDailyTexts: null, // nothing limits texting without billing
        firstChargeIfChosenNow: null,
      });
      expect(await offOwner.billing.plan()).toEqual({ source: 'none' });
      expect(fake.requests).toHaveLength(requests);
      // With no way to pay, an ended trial is shown but never enforced.
      await reg.admin`
        update billing_accounts set trial_ends_at = now() - interval '1 day' where tenant_id = ${church.tenantId}`;
      expect(await offOwner.billing.status()).toMatchObject({ readOnly: false, banner: null, trialDaysLeft: 0 });
      expect(await offOwner.branches.create({ name: `Billing-off branch ${Date.now()}` })).toMatchObject({
        id: expect.any(String),
      });
      await reg.admin`
        update billing_accounts set trial_ends_at = now() + interval '14 days' where tenant_id = ${church.tenantId}`;
    } finally {
      await off.close();
    }
  });

  it('an account row missing (a church from before billing, not yet migrated) never locks the church out', async () => {
    await reg.admin`delete from billing_accounts where tenant_id = ${church.tenantId}`;
    services.access.forget(church.tenantId);
    try {
      await owner.caller.members.create({ firstName: 'No Account', phone: phone() });
      expect(await owner.caller.billing.status()).toMatchObject({ status: 'trialing', readOnly: false });
    } finally {
      await reg.admin`
        insert into billing_accounts (tenant_id, trial_ends_at, stripe_customer_id)
        values (${church.tenantId}, now() + interval '7 days', ${customer})`;
      services.access.forget(church.tenantId);
    }
  });
});
