import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generate } from 'otplib';
import { desc, eq, sql } from 'drizzle-orm';
import { activityLog } from '@/db/tenant/schema';
import type { ActivityAction } from '@/db/tenant/enums';
import { expireActivity } from '@/server/activity/retention';
import { signInWithPassword } from '@/server/auth/signin';
import { updateChurchProfile } from '@/server/church/profile';
import { membersCsv } from '@/server/members/export';
import { runWithContext } from '@/server/observability/context';
import type { Services } from '@/server/services';
import {
  addTeammate,
  caller,
  devMailIn,
  errorOf,
  freshIp,
  provisionChurch,
  signIn,
  type Church,
  type SignedInClient,
  withWarnings,
} from './support/accounts';
import { FakeStripe, deliver, stripeEvent, subscriptionObject, unix } from './support/fake-stripe';
import { FakeProvider, createMessagingRegistry, insertMembers, readyNumber } from './support/messaging';
import type { TestRegistry } from './support/harness';

/**
 * The activity log (server/activity/): each kind of change writes its row, in the change's own transaction; the
 * owner and admins page through it by group and person; rows older than a year are swept.
 */
let fake: FakeStripe;
let reg: TestRegistry;
let services: Services;
let church: Church;
let owner: SignedInClient;

const rows = (tenantId = church.tenantId, action?: ActivityAction) =>
  services.connections.withTenant(tenantId, (db) =>
    db
      .select()
      .from(activityLog)
      .where(action ? eq(activityLog.action, action) : undefined)
      .orderBy(desc(activityLog.at), desc(activityLog.id)),
  );
const latest = async (action: ActivityAction) => (await rows(church.tenantId, action))[0];

beforeAll(async () => {
  fake = await FakeStripe.start();
  reg = await createMessagingRegistry(fake.env(), new FakeProvider());
  services = reg.services;
  church = await provisionChurch(services, { churchName: 'Activity Chapel', adminName: 'Ruth Pastor' });
  owner = await signIn(services, church.email, church.password, '203.0.113.9');
});
afterAll(async () => {
  await reg?.cleanup();
  await fake?.stop();
});

describe('sign-ins', () => {
  it('a sign-in and a wrong password are logged with the address; an unknown email writes nothing', async () => {
    expect(await latest('signin.succeeded')).toMatchObject({
      actorId: church.adminId,
      actorLabel: 'Ruth Pastor',
      subject: church.email,
      clientAddress: '203.0.113.9',
      details: { method: 'password' },
    });
    await errorOf(signInWithPassword(services, { email: church.email, password: 'not the password' }, '198.51.100.7'));
    expect(await latest('signin.failed')).toMatchObject({
      actorId: church.adminId,
      subject: church.email,
      clientAddress: '198.51.100.7',
      details: { reason: 'password' },
    });
    const before = (await rows()).length;
    await errorOf(signInWithPassword(services, { email: 'nobody-here@example.org', password: 'whatever' }, freshIp()));
    expect((await rows()).length).toBe(before);
  });
});

describe('team, settings, security', () => {
  it('invite, join, role change, revoked invite and removal', async () => {
    const mate = await addTeammate(services, owner.caller, `activity-mate-${process.pid}@example.org`, 'staff');
    expect(await latest('team.invited')).toMatchObject({ actorId: church.adminId, subject: mate.email });
    expect(await latest('team.joined')).toMatchObject({ actorId: mate.adminId, details: { role: 'staff' } });
    await owner.caller.team.changeRole({ adminId: mate.adminId, role: 'admin' });
    expect(await latest('team.role_changed')).toMatchObject({
      actorLabel: 'Ruth Pastor',
      subject: `Member activity-mate-${process.pid}`,
      details: { adminId: mate.adminId, from: 'staff', to: 'admin' },
    });
    const pending = await owner.caller.team.invite({
      email: `activity-later-${process.pid}@example.org`,
      role: 'admin',
    });
    await owner.caller.team.revokeInvite({ id: pending.id });
    expect(await latest('team.invite_revoked')).toMatchObject({ subject: `activity-later-${process.pid}@example.org` });
    await owner.caller.team.remove({ adminId: mate.adminId });
    expect(await latest('team.removed')).toMatchObject({
      details: { adminId: mate.adminId, email: mate.email, role: 'admin' },
    });
    // The removed person's own rows keep their name.
    expect(await latest('team.joined')).toMatchObject({ actorLabel: `Member activity-mate-${process.pid}` });
  });

  it('church profile and quiet hours, with the request’s address', async () => {
    const profile = await owner.caller.church.profile();
    await runWithContext({ ip: '192.0.2.44' }, () =>
      owner.caller.church.updateProfile({
        churchName: 'Activity Chapel Renamed',
        timezone: profile.church.timezone,
        country: profile.church.country,
        contactPhone: profile.church.contactPhone,
        contactEmail: profile.church.contactEmail,
      }),
    );
    expect(await latest('church.profile_changed')).toMatchObject({
      subject: 'Activity Chapel Renamed',
      details: { changed: 'name' },
      clientAddress: '192.0.2.44',
    });
    await owner.caller.church.updateQuietHours({ enabled: true, startMinute: 1260, endMinute: 480 });
    expect(await latest('church.quiet_hours_changed')).toMatchObject({
      details: { enabled: true, startMinute: 1260, endMinute: 480 },
    });
    await owner.caller.church.updateQuietHours({ enabled: false, startMinute: 1260, endMinute: 480 });
  });

  it('a registry change that fails leaves no row (the entry is rolled back with it)', async () => {
    const before = (await rows(church.tenantId, 'church.profile_changed')).length;
    const failing = {
      ...services,
      registry: {
        ...services.registry,
        db: new Proxy(services.registry.db, {
          get: (target, key) =>
            key === 'update'
              ? () => ({ set: () => ({ where: () => Promise.reject(new Error('registry down')) }) })
              : Reflect.get(target, key),
        }),
      },
    } as Services;
    await services.connections.withTenant(church.tenantId, async (db) => {
      const input = { churchName: 'Never Saved', timezone: 'Europe/London', country: 'GB' };
      await expect(
        updateChurchProfile(failing, { db, tenantId: church.tenantId, adminId: church.adminId }, input),
      ).rejects.toThrow('registry down');
    });
    expect((await rows(church.tenantId, 'church.profile_changed')).length).toBe(before);
  });

  it('a change whose transaction fails at commit leaves neither the change nor its row', async () => {
    const mate = await addTeammate(services, owner.caller, `activity-rollback-${process.pid}@example.org`, 'staff');
    const sql$ = await reg.churchDb(church.tenantId);
    // A check deferred to the commit: the role change and its row are both written, then the commit fails.
    await sql$.unsafe(`
      create function refuse_role() returns trigger language plpgsql as $$
      begin raise exception 'refused at commit'; end $$;
      create constraint trigger refuse_role after update of role on admins
        deferrable initially deferred for each row execute function refuse_role();`);
    try {
      const before = (await rows(church.tenantId, 'team.role_changed')).length;
      await errorOf(owner.caller.team.changeRole({ adminId: mate.adminId, role: 'admin' }));
      expect((await rows(church.tenantId, 'team.role_changed')).length).toBe(before);
      expect((await owner.caller.team.list()).members.find((m) => m.id === mate.adminId)?.role).toBe('staff');
    } finally {
      await sql$.unsafe('drop trigger refuse_role on admins; drop function refuse_role();');
    }
  });

  it('two-factor on, recovery codes, the team rule, off; password changed and reset', async () => {
    const started = await owner.caller.twoFactor.begin();
    const secret = started.secret.replace(/\s/g, '');
    await owner.caller.twoFactor.confirm({ code: await generate({ secret }) });
    expect(await latest('security.two_factor_on')).toMatchObject({ actorId: church.adminId });
    await owner.caller.twoFactor.newRecoveryCodes({ password: church.password });
    expect(await latest('security.recovery_codes_renewed')).toBeTruthy();
    await owner.caller.twoFactor.requireForTeam({ required: true });
    expect(await latest('security.team_two_factor')).toMatchObject({ details: { required: true } });
    await owner.caller.twoFactor.requireForTeam({ required: false });
    await owner.caller.twoFactor.disable({ password: church.password });
    expect(await latest('security.two_factor_off')).toMatchObject({ actorId: church.adminId });

    await owner.caller.account.changePassword({ currentPassword: church.password, newPassword: 'a changed password' });
    expect(await latest('security.password_changed')).toMatchObject({ actorId: church.adminId });

    const { lines } = await withWarnings(() =>
      caller(services, null, freshIp()).passwordReset.request({ email: church.email }),
    );
    const mail = devMailIn(lines, church.email);
    const token = (mail?.links as string[])[0]!.split('/reset-password/')[1]!;
    await runWithContext({ ip: '192.0.2.55' }, () =>
      caller(services, null).passwordReset.complete({ token, password: church.password }),
    );
    expect(await latest('security.password_reset')).toMatchObject({
      actorId: church.adminId,
      clientAddress: '192.0.2.55',
    });
    owner = await signIn(services, church.email, church.password);
  });
});

describe('broadcasts, numbers, exports, billing', () => {
  it('a number bought, broadcasts sent, scheduled and cancelled, a series, an export, a release', async () => {
    const number = await readyNumber(services, owner);
    expect(await latest('number.bought')).toMatchObject({ subject: number, details: { status: 'active' } });
    expect(await latest('registration.submitted')).toMatchObject({
      actorId: church.adminId,
      subject: 'Local numbers (10DLC)',
      details: { resubmission: false },
    });
    await insertMembers(services, church.tenantId, [{}, {}, {}]);

    await owner.caller.broadcasts.create({ body: 'Easter service at 10am', audience: { type: 'all' } });
    expect(await latest('broadcast.sent')).toMatchObject({
      actorLabel: 'Ruth Pastor',
      subject: 'Easter service at 10am',
      details: { recipients: 3 },
    });
    const later = await owner.caller.broadcasts.create({
      body: 'Picnic on Saturday',
      audience: { type: 'all' },
      scheduledAt: new Date(Date.now() + 3 * 86_400_000),
    });
    expect(await latest('broadcast.scheduled')).toMatchObject({ subject: 'Picnic on Saturday' });
    await owner.caller.broadcasts.cancel({ id: later.id });
    expect(await latest('broadcast.canceled')).toMatchObject({ details: { broadcastId: later.id, started: false } });

    const day = (n: number) => new Date(Date.now() + n * 86_400_000).toISOString().slice(0, 10);
    const series = await owner.caller.broadcasts.createSeries({
      body: 'Weekly prayer',
      audience: { type: 'all' },
      frequency: 'weekly',
      weekdays: ['SA'],
      time: '17:00',
      startDate: day(2),
      endDate: day(30),
    });
    expect(await latest('series.created')).toMatchObject({ details: { seriesId: series.id, recipients: 3 } });
    await owner.caller.broadcasts.stopSeries({ id: series.id });
    expect(await latest('series.stopped')).toMatchObject({ subject: 'Weekly prayer' });

    await services.connections.withTenant(church.tenantId, (db) => membersCsv(db, church.adminId));
    expect(await latest('members.exported')).toMatchObject({ actorId: church.adminId, details: { members: 3 } });

    await owner.caller.phoneNumbers.release({ number, confirmation: number });
    expect(await latest('number.released')).toMatchObject({ subject: number });
  });

  it('Stripe’s subscription changes are logged once, as Stripe; a stale event adds nothing', async () => {
    const account = await reg.admin<{ stripe_customer_id: string }[]>`
      select stripe_customer_id from billing_accounts where tenant_id = ${church.tenantId}`;
    const customer = account[0]!.stripe_customer_id;
    const id = `sub_activity_${process.pid}`;
    const event = stripeEvent('customer.subscription.updated', subscriptionObject({ id, customer, status: 'active' }));
    expect((await deliver(services, event)).status).toBe(200);
    expect((await deliver(services, event)).status).toBe(200); // a redelivery
    const logged = await rows(church.tenantId, 'billing.subscription_changed');
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatchObject({ actorId: null, actorLabel: 'Stripe', subject: 'active', clientAddress: null });
    const stale = stripeEvent(
      'customer.subscription.updated',
      subscriptionObject({ id, customer, status: 'past_due' }),
      {
        created: unix() - 86_400,
      },
    );
    expect((await deliver(services, stale)).status).toBe(200);
    expect(await rows(church.tenantId, 'billing.subscription_changed')).toHaveLength(1);
  });
});

describe('activity.list', () => {
  it('filters by group and person, pages newest first, and is for admins only', async () => {
    const all = await rows();
    const first = await owner.caller.activity.list({ limit: 5 });
    expect(first.items.map((r) => r.id)).toEqual(all.slice(0, 5).map((r) => r.id));
    const second = await owner.caller.activity.list({ limit: 5, cursor: first.nextCursor });
    expect(second.items.map((r) => r.id)).toEqual(all.slice(5, 10).map((r) => r.id));

    const signins = await owner.caller.activity.list({ group: 'signins', limit: 100 });
    expect(signins.items.length).toBeGreaterThan(1);
    expect(new Set(signins.items.map((r) => r.action))).toEqual(new Set(['signin.succeeded', 'signin.failed']));
    const billing = await owner.caller.activity.list({ group: 'billing' });
    expect(billing.items.every((r) => r.actorLabel === 'Stripe')).toBe(true);

    const mate = await addTeammate(services, owner.caller, `activity-staff-${process.pid}@example.org`, 'staff');
    const staff = await signIn(services, mate.email, mate.password);
    const theirs = await owner.caller.activity.list({ person: mate.adminId });
    expect(theirs.items.map((r) => r.action).sort()).toEqual(['signin.succeeded', 'team.joined']);

    expect(await errorOf(staff.caller.activity.list({}))).toMatchObject({ code: 'FORBIDDEN' });
    expect(await errorOf(owner.caller.activity.list({ cursor: 'not-a-cursor' }))).toMatchObject({
      code: 'BAD_REQUEST',
    });
  });
});

describe('retention', () => {
  it('deletes rows older than a year and keeps newer ones', async () => {
    const other = await provisionChurch(services, { churchName: 'Retention Chapel' });
    await services.connections.withTenant(other.tenantId, async (db) => {
      await db.insert(activityLog).values([
        { actorLabel: 'Old', action: 'members.exported', at: sql`now() - interval '366 days'` },
        { actorLabel: 'Recent', action: 'members.exported', at: sql`now() - interval '364 days'` },
      ]);
      expect(await expireActivity(db)).toBe(1);
      expect(await expireActivity(db)).toBe(0);
    });
    expect((await rows(other.tenantId)).map((r) => r.actorLabel)).toEqual(['Recent']);
  });

  it('the worker’s church sweep runs it', async () => {
    const { sweepNotifications } = await import('@/server/jobs/maintenance');
    await services.connections.withTenant(church.tenantId, (db) =>
      db
        .insert(activityLog)
        .values({ actorLabel: 'Ancient', action: 'members.exported', at: sql`now() - interval '400 days'` }),
    );
    await sweepNotifications(services, null, 10_000);
    expect((await rows()).some((r) => r.actorLabel === 'Ancient')).toBe(false);
  });
});
