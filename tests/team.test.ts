import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signInWithPassword, signInWithTicket } from '@/server/auth/signin';
import { closeChurch, resumeChurch, suspendChurch } from '@/server/fleet/lifecycle';
import { startWorker } from '@/server/jobs/worker';
import { runProvisioning, type StepName } from '@/server/tenancy/provisioner';
import { sha256 } from '@/server/tokens';
import {
  addTeammate,
  caller,
  errorOf,
  freshIp,
  provisionChurch,
  signIn,
  type Church,
  type SignedInClient,
} from './support/accounts';
import { createTestRegistry, until, type TestRegistry } from './support/harness';

type FaultPoint = `${'before' | 'after'}:${StepName}`;

describe('team: invitations, roles and signup retry', () => {
  let reg: TestRegistry;
  let permanent: FaultPoint | null = null;
  let church: Church;
  let owner: SignedInClient;
  let seq = 0;
  const nextEmail = (label: string) => `${label}-${++seq}-${process.pid}@example.org`;
  const anonymous = () => caller(reg.services, null);

  const churchDb = (tenantId: string) => reg.churchDb(tenantId);
  const indexRow = async (email: string) =>
    (
      await reg.services.registry.sql<
        { tenant_id: string; admin_id: string }[]
      >`select tenant_id, admin_id from admin_email_index where email = ${email}`
    )[0];
  const tokenOf = (url: string) => url.split('/invite/')[1]!;

  beforeAll(async () => {
    reg = await createTestRegistry({}, (point) => {
      if (point === permanent) throw new Error(`injected permanent failure at ${point}`);
    });
    church = await provisionChurch(reg.services, { churchName: 'Team Chapel' });
    owner = await signIn(reg.services, church.email, church.password);
  });
  afterAll(async () => {
    await reg?.cleanup();
  });

  it('owner invites; invite shows church, email, role; accepting adds admin + index entry; they sign in', async () => {
    const invite = await owner.caller.team.invite({ email: '  New.Staff@Example.org ', role: 'staff' });
    expect(invite).toEqual({
      id: expect.any(String),
      url: expect.stringMatching(/^https?:\/\/[^/]+\/invite\/[A-Za-z0-9_-]{20,100}$/),
      emailed: false,
    });
    const token = tokenOf(invite.url);

    const pending = await owner.caller.team.list();
    expect(pending.invites).toContainEqual({
      id: invite.id,
      email: 'new.staff@example.org',
      role: 'staff',
      expiresAt: expect.any(Date),
    });
    expect(pending.members.map((m) => m.email)).toEqual([church.email]);

    // Only the token's hash is stored, in the church database and in the registry's routing index.
    const db = await churchDb(church.tenantId);
    const [stored] = await db<{ token_hash: string }[]>`select token_hash from invites where id = ${invite.id}`;
    expect(stored!.token_hash).toBe(sha256(token));
    expect(
      await reg.services.registry
        .sql`select 1 from invite_index where token_hash = ${sha256(token)} and tenant_id = ${church.tenantId}`,
    ).toHaveLength(1);

    expect(await anonymous().team.invitation({ token })).toEqual({
      churchName: 'Team Chapel',
      email: 'new.staff@example.org',
      role: 'staff',
    });

    expect(await anonymous().team.accept({ token, name: 'Nina Newstaff', password: 'nina password 1' })).toEqual({
      email: 'new.staff@example.org',
    });
    const admins = await db<{ id: string; name: string; email: string; role: string; password_hash: string }[]>`
      select id, name, email, role, password_hash from admins where email = 'new.staff@example.org'`;
    expect(admins).toEqual([
      {
        id: invite.id,
        name: 'Nina Newstaff',
        email: 'new.staff@example.org',
        role: 'staff',
        password_hash: expect.stringMatching(/^\$argon2id\$/),
      },
    ]);
    expect(await indexRow('new.staff@example.org')).toEqual({ tenant_id: church.tenantId, admin_id: invite.id });
    expect(
      await reg.services.registry.sql`select 1 from invite_index where token_hash = ${sha256(token)}`,
    ).toHaveLength(0);
    // Nothing about the person lands in the registry beyond the routing entry.
    expect(
      JSON.stringify(
        await reg.services.registry.sql`select * from admin_email_index where email = 'new.staff@example.org'`,
      ),
    ).not.toContain('Nina');

    const after = await owner.caller.team.list();
    expect(after.invites.find((i) => i.id === invite.id)).toBeUndefined();
    expect(after.members).toContainEqual({
      id: invite.id,
      name: 'Nina Newstaff',
      email: 'new.staff@example.org',
      role: 'staff',
    });

    const staff = await signIn(reg.services, 'NEW.STAFF@example.org', 'nina password 1');
    expect(staff.signed).toMatchObject({ tenantId: church.tenantId, adminId: invite.id });
    expect(await staff.caller.account.me()).toEqual({
      id: staff.signed.adminId,
      name: 'Nina Newstaff',
      email: 'new.staff@example.org',
      role: 'staff',
      churchName: 'Team Chapel',
      access: { readOnly: false, banner: null, trialDaysLeft: null },
      verification: { verified: true, ownerName: expect.any(String), ownerEmail: expect.any(String) },
      phone: null,
      mustSetUpTwoFactor: false,
    }); // billing is off here
  });

  it('staff is FORBIDDEN on every team-management procedure; admin may list but not manage', async () => {
    const staffMember = await addTeammate(reg.services, owner.caller, nextEmail('staff'), 'staff');
    const adminMember = await addTeammate(reg.services, owner.caller, nextEmail('admin'), 'admin');
    const target = await addTeammate(reg.services, owner.caller, nextEmail('target'), 'staff');
    const pendingInvite = await owner.caller.team.invite({ email: nextEmail('pending'), role: 'staff' });
    const staff = await signIn(reg.services, staffMember.email, staffMember.password);
    const admin = await signIn(reg.services, adminMember.email, adminMember.password);

    const manage = (c: SignedInClient) => ({
      invite: () => c.caller.team.invite({ email: nextEmail('sneaky'), role: 'admin' }),
      remove: () => c.caller.team.remove({ adminId: target.adminId }),
      changeRole: () => c.caller.team.changeRole({ adminId: target.adminId, role: 'owner' }),
      revokeInvite: () => c.caller.team.revokeInvite({ id: pendingInvite.id }),
    });
    for (const [name, call] of Object.entries({
      ...manage(staff),
      list: () => staff.caller.team.list(),
      admins: () => staff.caller.church.admins(),
    })) {
      expect((await errorOf(call())).code, `staff ${name}`).toBe('FORBIDDEN');
    }
    for (const [name, call] of Object.entries(manage(admin)))
      expect((await errorOf(call())).code, `admin ${name}`).toBe('FORBIDDEN');

    const listed = await admin.caller.team.list();
    expect(listed.members.map((m) => m.id)).toEqual(
      expect.arrayContaining([church.adminId, staffMember.adminId, adminMember.adminId, target.adminId]),
    );
    expect(listed.invites.map((i) => i.id)).toContain(pendingInvite.id);
    expect((await admin.caller.church.admins()).length).toBe(listed.members.length);
    for (const c of [staff, admin]) expect((await c.caller.account.me()).role).toBe(c === staff ? 'staff' : 'admin');

    // None of the refused calls changed anything.
    const now = await owner.caller.team.list();
    expect(now.members.find((m) => m.id === target.adminId)?.role).toBe('staff');
    expect(now.invites.map((i) => i.id)).toContain(pendingInvite.id);
    expect(now.members.some((m) => m.email.startsWith('sneaky-'))).toBe(false);
    expect(now.invites.some((i) => i.email.startsWith('sneaky-'))).toBe(false);
  });

  it('a role change takes effect on the very next call of an existing session', async () => {
    const member = await addTeammate(reg.services, owner.caller, nextEmail('climber'), 'staff');
    const s = await signIn(reg.services, member.email, member.password);
    expect((await errorOf(s.caller.team.list())).code).toBe('FORBIDDEN');

    await owner.caller.team.changeRole({ adminId: member.adminId, role: 'admin' });
    expect((await s.caller.team.list()).members.length).toBeGreaterThan(1); // same session, no sign-in
    expect((await errorOf(s.caller.team.invite({ email: nextEmail('x'), role: 'staff' }))).code).toBe('FORBIDDEN');

    await owner.caller.team.changeRole({ adminId: member.adminId, role: 'owner' });
    expect((await s.caller.team.invite({ email: nextEmail('by-new-owner'), role: 'staff' })).url).toContain('/invite/');

    await owner.caller.team.changeRole({ adminId: member.adminId, role: 'staff' });
    expect((await errorOf(s.caller.team.list())).code).toBe('FORBIDDEN');
    expect((await s.caller.account.me()).role).toBe('staff');

    expect((await errorOf(owner.caller.team.changeRole({ adminId: church.adminId, role: 'staff' }))).code).toBe(
      'BAD_REQUEST',
    );
    expect((await errorOf(owner.caller.team.remove({ adminId: church.adminId }))).code).toBe('BAD_REQUEST');
    expect((await errorOf(owner.caller.team.changeRole({ adminId: crypto.randomUUID(), role: 'admin' }))).code).toBe(
      'NOT_FOUND',
    );
    expect((await errorOf(owner.caller.team.remove({ adminId: crypto.randomUUID() }))).code).toBe('NOT_FOUND');
  });

  it('inviting an email that already has an account, in this church or another, is CONFLICT', async () => {
    const other = await provisionChurch(reg.services);
    const pendingSignup = await provisionChurch(reg.services, { provision: false });
    const member = await addTeammate(reg.services, owner.caller, nextEmail('member'), 'staff');
    const before = (await owner.caller.team.list()).invites.length;

    for (const email of [
      church.email,
      member.email,
      ` ${member.email.toUpperCase()}`,
      other.email,
      pendingSignup.email,
    ]) {
      const err = await errorOf(owner.caller.team.invite({ email, role: 'staff' }));
      expect(err.code, email).toBe('CONFLICT');
    }
    expect((await errorOf(owner.caller.team.invite({ email: member.email, role: 'admin' }))).message).toBe(
      'This person is already on your team.',
    );
    expect((await errorOf(owner.caller.team.invite({ email: other.email, role: 'admin' }))).message).toBe(
      'This email already has a Steeple account.',
    );
    expect((await owner.caller.team.list()).invites.length).toBe(before);

    // The email gets an account elsewhere while the invite is pending: accepting is then refused, nothing is created.
    const email = nextEmail('raced');
    const invite = await owner.caller.team.invite({ email, role: 'staff' });
    const elsewhere = await provisionChurch(reg.services, { email });
    const err = await errorOf(
      anonymous().team.accept({ token: tokenOf(invite.url), name: 'Raced Person', password: 'raced password 1' }),
    );
    expect(err.code).toBe('CONFLICT');
    expect(await indexRow(email)).toEqual({ tenant_id: elsewhere.tenantId, admin_id: elsewhere.adminId });
    expect(await (await churchDb(church.tenantId))`select 1 from admins where email = ${email}`).toHaveLength(0);
  });

  it('an accepted or revoked invitation cannot be used again', async () => {
    const accepted = await addTeammate(reg.services, owner.caller, nextEmail('once'), 'staff');
    expect((await errorOf(anonymous().team.invitation({ token: accepted.token }))).code).toBe('NOT_FOUND');
    const again = await errorOf(
      anonymous().team.accept({ token: accepted.token, name: 'Second Go', password: 'another password 1' }),
    );
    expect(again.code).toBe('NOT_FOUND');
    expect(again.message).toBe('This invitation is no longer valid. Ask your church for a new one.');
    const db = await churchDb(church.tenantId);
    expect(await db`select name from admins where email = ${accepted.email}`).toEqual([
      { name: `Member ${accepted.email.split('@')[0]}` },
    ]);
    expect((await errorOf(owner.caller.team.revokeInvite({ id: accepted.adminId }))).code).toBe('NOT_FOUND');
    // The original password still works; the second attempt's did not take.
    await signInWithPassword(reg.services, { email: accepted.email, password: accepted.password }, freshIp());

    const email = nextEmail('withdrawn');
    const invite = await owner.caller.team.invite({ email, role: 'admin' });
    const token = tokenOf(invite.url);
    expect((await anonymous().team.invitation({ token })).email).toBe(email);
    await owner.caller.team.revokeInvite({ id: invite.id });
    expect((await errorOf(anonymous().team.invitation({ token }))).code).toBe('NOT_FOUND');
    expect(
      (await errorOf(anonymous().team.accept({ token, name: 'Too Late', password: 'too late password' }))).code,
    ).toBe('NOT_FOUND');
    expect((await errorOf(owner.caller.team.revokeInvite({ id: invite.id }))).code).toBe('NOT_FOUND');
    expect(await db`select 1 from admins where email = ${email}`).toHaveLength(0);
    expect(await indexRow(email)).toBeUndefined();
    expect((await owner.caller.team.list()).invites.find((i) => i.id === invite.id)).toBeUndefined();
  });

  it('an invitation to a church under maintenance asks for patience; one to a closed church is gone', async () => {
    const other = await provisionChurch(reg.services, { churchName: 'Paused Chapel' });
    const otherOwner = await signIn(reg.services, other.email, other.password);
    const token = tokenOf((await otherOwner.caller.team.invite({ email: nextEmail('paused'), role: 'staff' })).url);
    const accept = () => anonymous().team.accept({ token, name: 'Patient Person', password: 'patient password 1' });
    await suspendChurch(reg.services, other.tenantId);
    const maintenance = {
      code: 'SERVICE_UNAVAILABLE',
      message: 'Your workspace is down for maintenance. Please try again in a few minutes.',
    };
    expect(await errorOf(anonymous().team.invitation({ token }))).toMatchObject(maintenance);
    expect(await errorOf(accept())).toMatchObject(maintenance);
    await closeChurch(reg.services, other.tenantId);
    expect(await errorOf(anonymous().team.invitation({ token }))).toMatchObject({
      code: 'NOT_FOUND',
      message: 'This invitation is no longer valid. Ask your church for a new one.',
    });
    await resumeChurch(reg.services, other.tenantId);
    expect(await accept()).toMatchObject({ email: expect.stringContaining('paused') });
  });

  it('onboarding.retry after a failed provisioning starts a new attempt, same details, reaching ready', async () => {
    const failed = await provisionChurch(reg.services, {
      provision: false,
      churchName: 'Second Chance Chapel',
      adminName: 'Rita Retry',
      password: 'original password 1',
    });
    permanent = 'after:create_admin';
    try {
      expect(await runProvisioning(reg.services.provision, failed.jobId, { finalAttempt: true })).toBe('failed');
    } finally {
      permanent = null;
    }
    expect((await anonymous().onboarding.status({ ticket: failed.ticket })).state).toBe('failed');
    expect(await indexRow(failed.email)).toBeUndefined(); // torn down, email free

    const { ticket } = await anonymous().onboarding.retry({ ticket: failed.ticket });
    expect(ticket).not.toBe(failed.ticket);
    // Once only.
    expect((await errorOf(anonymous().onboarding.retry({ ticket: failed.ticket }))).code).toBe('NOT_FOUND');
    expect((await errorOf(anonymous().onboarding.retry({ ticket }))).code).toBe('NOT_FOUND'); // not failed

    const [job] = await reg.services.registry.sql<
      { id: string; tenant_id: string; admin_name: string; admin_email: string; state: string }[]
    >`
      select id, tenant_id, admin_name, admin_email, state
        from provisioning_jobs where ticket_hash = ${sha256(ticket)}`;
    expect(job).toMatchObject({ admin_name: 'Rita Retry', admin_email: failed.email });
    expect(job!.tenant_id).not.toBe(failed.tenantId);
    const [profile] = await reg.services.registry
      .sql`select name, timezone from churches where tenant_id = ${job!.tenant_id}`;
    expect(profile).toEqual({ name: 'Second Chance Chapel', timezone: 'Europe/London' });
    // Enqueued in the same transaction: the queue holds the new job.
    expect(
      await reg.admin`
        select 1 from graphile_worker._private_jobs where key = ${'provision:' + job!.tenant_id + ':' + job!.id}`,
    ).toHaveLength(1);

    const worker = await startWorker(reg.services);
    try {
      const done = await until(async () => {
        const s = await anonymous().onboarding.status({ ticket });
        return s.state === 'ready' || s.state === 'failed' ? s : null;
      });
      expect(done.state).toBe('ready');
    } finally {
      await worker.stop();
    }

    const signed = await signInWithPassword(
      reg.services,
      { email: failed.email, password: 'original password 1' },
      freshIp(),
    );
    expect(signed).toMatchObject({ tenantId: job!.tenant_id, name: 'Rita Retry', email: failed.email });
    const ticketSignIn = await signInWithTicket(reg.services, ticket);
    expect(ticketSignIn.adminId).toBe(signed.adminId);
    const me = caller(reg.services, {
      tenantId: signed.tenantId,
      adminId: signed.adminId,
      sessionId: signed.sessionId,
    });
    expect(await me.account.me()).toEqual({
      id: signed.adminId,
      name: 'Rita Retry',
      email: failed.email,
      role: 'owner',
      churchName: 'Second Chance Chapel',
      access: { readOnly: false, banner: null, trialDaysLeft: null },
      verification: { verified: false, ownerName: 'Rita Retry', ownerEmail: failed.email }, // the mail is still to open
      phone: null,
      mustSetUpTwoFactor: false,
    }); // billing is off here
  });
});
