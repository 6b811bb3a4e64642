import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSession } from '@/server/auth/session';
import { appRouter } from '@/server/routers/_app';
import { withDatabase } from '@/server/tenancy/urls';
import {
  addTeammate,
  caller,
  type Caller,
  errorOf,
  provisionChurch,
  signIn,
  type Church,
  type SignedInClient,
} from './support/accounts';
import { createTestRegistry, serverUrl, type TestRegistry } from './support/harness';

/**
 * "A token for church A cannot act on church B by any input." Every procedure of the app router is called with a
 * real session of A's owner and inputs that carry B's ids wherever an id fits (and extra tenant fields everywhere);
 * afterwards everything of B — in its own database and in the registry — must be exactly as before, and no answer
 * may contain anything of B.
 */

type Side = Church & {
  adminMember: { adminId: string; email: string; password: string };
  staffMember: { adminId: string; email: string; password: string };
  invite: { id: string; token: string; email: string };
  dbName: string;
  dbRole: string;
  sessions: SignedInClient[];
  memberId: string;
  branchId: string;
  number: string;
  conversationId: string;
  broadcastId: string;
};

describe('tenant boundary: a session of church A cannot act on church B', () => {
  let reg: TestRegistry;
  let a: Side;
  let b: Side;
  let aPassword: string;
  const opened: postgres.Sql[] = [];
  let seq = 0;

  async function setUp(name: string, password: string): Promise<Side> {
    const church = await provisionChurch(reg.services, {
      churchName: name,
      password,
      email: `${name.split(' ')[0]!.toLowerCase()}-owner@example.org`,
    });
    const owner = await signIn(reg.services, church.email, password);
    const tag = name.split(' ')[0]!.toLowerCase();
    const adminMember = await addTeammate(
      reg.services,
      owner.caller,
      `${tag}-admin@example.org`,
      'admin',
      `${tag} admin password`,
    );
    const staffMember = await addTeammate(
      reg.services,
      owner.caller,
      `${tag}-staff@example.org`,
      'staff',
      `${tag} staff password`,
    );
    const pending = await owner.caller.team.invite({ email: `${tag}-invitee@example.org`, role: 'admin' });
    const [t] = await reg.services.registry.sql<
      { db_name: string; db_role: string }[]
    >`select db_name, db_role from tenants where id = ${church.tenantId}`;
    const sessions = [
      owner,
      await signIn(reg.services, adminMember.email, adminMember.password),
      await signIn(reg.services, staffMember.email, staffMember.password),
    ];
    const branch = await owner.caller.branches.create({ name: `${name.split(' ')[0]} North` });
    const member = await owner.caller.members.create({
      firstName: tag,
      phone: tag === 'alpha' ? '(202) 555-0189' : '(202) 555-0199',
      branchId: branch.id,
      tags: [`${tag}-tag`],
    });
    const number = (
      await owner.caller.phoneNumbers.assign({ number: tag === 'alpha' ? '+1 202 555 0101' : '+1 202 555 0102' })
    ).number;
    const sent = await owner.caller.messages.send({ memberId: member.id, body: `hello from ${tag}` }); // queued; no worker runs here
    const later = new Date(Date.now() + 24 * 3600_000);
    const broadcast = await owner.caller.broadcasts.create({
      body: `${tag} news`,
      audience: { type: 'branch', branchId: branch.id },
      scheduledAt: later,
    });
    return {
      ...church,
      number,
      conversationId: sent.conversationId,
      broadcastId: broadcast.id,
      memberId: member.id,
      branchId: branch.id,
      adminMember,
      staffMember,
      invite: { id: pending.id, token: pending.url.split('/invite/')[1]!, email: `${tag}-invitee@example.org` },
      dbName: t!.db_name,
      dbRole: t!.db_role,
      sessions,
    };
  }

  /** Everything of one church: its own database and every registry row that belongs to it. */
  async function snapshot(side: Side) {
    const db = postgres(withDatabase(serverUrl(), side.dbName), { max: 1, onnotice: () => {} });
    opened.push(db);
    const r = reg.services.registry.sql;
    const out = {
      admins: await db`select * from admins order by id`,
      invites: await db`select * from invites order by id`,
      members: await db`select * from members order by id`,
      branches: await db`select * from branches order by id`,
      conversations: await db`select * from conversations order by id`,
      messages: await db`select * from messages order by id`,
      broadcasts: await db`select * from broadcasts order by id`,
      tenant: await r`select * from tenants where id = ${side.tenantId}`,
      church: await r`select * from churches where tenant_id = ${side.tenantId}`,
      emailIndex: await r`select * from admin_email_index where tenant_id = ${side.tenantId} order by email`,
      inviteIndex: await r`select * from invite_index where tenant_id = ${side.tenantId} order by token_hash`,
      sessions: await r`select * from auth_sessions where tenant_id = ${side.tenantId} order by id`,
      jobs: await r`select * from provisioning_jobs where tenant_id = ${side.tenantId}`,
      phoneNumbers: await r`select * from phone_number_index where tenant_id = ${side.tenantId}`,
      billing: await r`select * from billing_accounts where tenant_id = ${side.tenantId}`,
    };
    await db.end({ timeout: 5 });
    return out;
  }

  /** Strings that identify B: none may appear in anything A is answered. */
  const secretsOf = (side: Side) => [
    side.tenantId,
    side.adminId,
    side.adminMember.adminId,
    side.staffMember.adminId,
    side.invite.id,
    side.invite.token,
    side.email,
    side.adminMember.email,
    side.staffMember.email,
    side.invite.email,
    side.churchName,
    side.dbName,
    side.dbRole,
    side.jobId,
    side.memberId,
    side.branchId,
    side.number,
    side.conversationId,
    side.broadcastId,
    'bethel-tag',
    ...side.sessions.map((s) => s.signed.sessionId),
  ];

  beforeAll(async () => {
    reg = await createTestRegistry();
    aPassword = 'alpha owner password';
    a = await setUp('Alpha Parish', aPassword);
    b = await setUp('Bethel Parish', 'bethel owner password');
  });
  afterAll(async () => {
    await Promise.all(opened.map((s) => s.end({ timeout: 5 }).catch(() => {})));
    await reg?.cleanup();
  });

  /** Extra fields that name B, added to every input (zod objects strip them; a careless handler might not). */
  const bExtras = () => ({
    tenantId: b.tenantId,
    churchId: b.tenantId,
    tenant: b.tenantId,
    adminId: b.adminId,
    sessionId: b.sessions[0]!.signed.sessionId,
  });
  const freshEmail = (label: string) => `${label}-${++seq}@example.org`;

  /**
   * Per procedure, the inputs that carry B's ids wherever an id fits, each with the outcome it must have (which proves
   * the call reached the procedure's own logic rather than failing early). Every procedure must be listed.
   */
  type Case = [input: unknown, outcome: 'ok' | 'NOT_FOUND' | 'CONFLICT' | 'BAD_REQUEST' | 'PRECONDITION_FAILED'];
  const signupAs = (email: string) => ({
    churchName: 'Intruder Church',
    timezone: 'UTC',
    adminName: 'Intruder',
    email,
    password: 'intruder password',
    ...bExtras(),
  });
  const cases: Record<string, () => Case[]> = {
    'onboarding.signup': () => [
      [signupAs(b.email), 'CONFLICT'],
      [signupAs(b.staffMember.email), 'CONFLICT'],
      [signupAs(freshEmail('intruder')), 'ok'], // a church of its own, nothing to do with B
    ],
    'onboarding.status': () => [
      [{ ticket: b.tenantId, ...bExtras() }, 'NOT_FOUND'],
      [{ ticket: b.jobId }, 'NOT_FOUND'],
      [{ ticket: b.invite.token }, 'NOT_FOUND'],
    ],
    'onboarding.retry': () => [
      [{ ticket: b.tenantId, ...bExtras() }, 'NOT_FOUND'],
      [{ ticket: b.jobId }, 'NOT_FOUND'],
      [{ ticket: b.invite.token }, 'NOT_FOUND'],
    ],
    'church.profile': () => [
      [undefined, 'ok'],
      [bExtras(), 'ok'],
    ],
    'church.admins': () => [
      [undefined, 'ok'],
      [bExtras(), 'ok'],
    ],
    'account.me': () => [
      [undefined, 'ok'],
      [bExtras(), 'ok'],
    ],
    'account.changePassword': () => [
      [{ currentPassword: 'bethel owner password', newPassword: 'taken over password', ...bExtras() }, 'BAD_REQUEST'],
      [{ currentPassword: aPassword, newPassword: `alpha password ${++seq}`, ...bExtras() }, 'ok'], // A's own, only
    ],
    'account.signOutEverywhere': () => [
      [bExtras(), 'ok'],
      [{ ...bExtras(), adminId: b.staffMember.adminId }, 'ok'],
    ],
    'team.list': () => [
      [undefined, 'ok'],
      [bExtras(), 'ok'],
    ],
    'team.invite': () => [
      [{ email: freshEmail('alpha-new'), role: 'admin', ...bExtras() }, 'ok'],
      [{ email: b.staffMember.email, role: 'admin', ...bExtras() }, 'CONFLICT'],
      [{ email: b.invite.email, role: 'staff', ...bExtras() }, 'ok'], // B's pending invitee is nobody's account yet
    ],
    'team.revokeInvite': () => [
      [{ id: b.invite.id, ...bExtras() }, 'NOT_FOUND'],
      [{ id: b.staffMember.adminId, ...bExtras() }, 'NOT_FOUND'],
    ],
    'team.changeRole': () => [
      [{ ...bExtras(), adminId: b.staffMember.adminId, role: 'owner' }, 'NOT_FOUND'],
      [{ ...bExtras(), adminId: b.adminId, role: 'staff' }, 'NOT_FOUND'],
      [{ ...bExtras(), adminId: b.adminMember.adminId, role: 'staff' }, 'NOT_FOUND'],
      [{ ...bExtras(), adminId: b.invite.id, role: 'owner' }, 'NOT_FOUND'],
    ],
    'team.remove': () => [
      [{ ...bExtras(), adminId: b.staffMember.adminId }, 'NOT_FOUND'],
      [{ ...bExtras(), adminId: b.adminMember.adminId }, 'NOT_FOUND'],
      [{ ...bExtras(), adminId: b.adminId }, 'NOT_FOUND'],
    ],
    'members.list': () => [
      [{ search: 'bethel', ...bExtras() }, 'ok'],
      [{ branchId: b.branchId }, 'ok'],
      [{ tag: 'bethel-tag' }, 'ok'],
    ],
    'members.get': () => [[{ id: b.memberId, ...bExtras() }, 'NOT_FOUND']],
    'members.create': () => [
      [{ firstName: 'Alpha', phone: '(202) 555-0199', ...bExtras() }, 'ok'], // the same number may be a member of both churches
      [{ firstName: 'Alpha', phone: '(202) 555-0198', branchId: b.branchId, ...bExtras() }, 'BAD_REQUEST'],
    ],
    'members.update': () => [[{ id: b.memberId, firstName: 'Taken', ...bExtras() }, 'NOT_FOUND']],
    'members.delete': () => [[{ id: b.memberId, ...bExtras() }, 'NOT_FOUND']],
    'members.tags': () => [[bExtras(), 'ok']],
    'members.consentLog': () => [[{ id: b.memberId, ...bExtras() }, 'ok']], // A's log of that id: empty
    'members.importPreview': () => [
      [{ csv: 'first_name,phone,branch\nX,(202) 555-0199,Bethel North', ...bExtras() }, 'ok'],
    ],
    'members.import': () => [[{ csv: 'first_name,phone\nY,(202) 555-0197', ...bExtras() }, 'ok']],
    'branches.list': () => [[bExtras(), 'ok']],
    'branches.create': () => [[{ name: 'Bethel North', ...bExtras() }, 'ok']], // names are per church
    'branches.update': () => [[{ id: b.branchId, name: 'Stolen', ...bExtras() }, 'NOT_FOUND']],
    'branches.delete': () => [[{ id: b.branchId, ...bExtras() }, 'NOT_FOUND']],
    'church.updateProfile': () => [
      [{ churchName: 'Alpha Parish', timezone: 'UTC', country: 'US', ...bExtras() }, 'ok'],
    ],
    'conversations.list': () => [[bExtras(), 'ok']],
    'conversations.get': () => [[{ id: b.conversationId, ...bExtras() }, 'NOT_FOUND']],
    'conversations.assign': () => [
      [{ ...bExtras(), id: b.conversationId, adminId: null }, 'NOT_FOUND'],
      [{ ...bExtras(), id: b.conversationId, adminId: b.staffMember.adminId }, 'BAD_REQUEST'],
    ],
    'conversations.forMember': () => [[{ ...bExtras(), memberId: b.memberId }, 'ok']],
    'conversations.markRead': () => [[{ id: b.conversationId, ...bExtras() }, 'NOT_FOUND']],
    'messages.send': () => [[{ memberId: b.memberId, body: 'hello', ...bExtras() }, 'NOT_FOUND']],
    'messages.simulateReply': () => [[{ conversationId: b.conversationId, body: 'STOP', ...bExtras() }, 'NOT_FOUND']],
    'broadcasts.list': () => [[bExtras(), 'ok']],
    'broadcasts.get': () => [[{ id: b.broadcastId, ...bExtras() }, 'NOT_FOUND']],
    'broadcasts.preview': () => [
      [{ audience: { type: 'branch', branchId: b.branchId }, body: 'x', ...bExtras() }, 'ok'],
      [{ audience: { type: 'tag', tag: 'bethel-tag' } }, 'ok'],
    ],
    'broadcasts.create': () => [
      [{ body: 'x', audience: { type: 'branch', branchId: b.branchId }, ...bExtras() }, 'BAD_REQUEST'],
    ],
    'broadcasts.cancel': () => [[{ id: b.broadcastId, ...bExtras() }, 'NOT_FOUND']],
    'phoneNumbers.list': () => [[bExtras(), 'ok']],
    'phoneNumbers.assign': () => [[{ number: b.number, ...bExtras() }, 'CONFLICT']],
    'phoneNumbers.release': () => [[{ number: b.number, ...bExtras() }, 'NOT_FOUND']],
    'dashboard.summary': () => [[bExtras(), 'ok']],
    'members.export': () => [[bExtras(), 'ok']],
    'billing.status': () => [[bExtras(), 'ok']],
    'billing.allowance': () => [[bExtras(), 'ok']],
    'billing.checkout': () => [[bExtras(), 'PRECONDITION_FAILED']], // billing is off in this suite
    'billing.portal': () => [[bExtras(), 'PRECONDITION_FAILED']],
    'team.invitation': () => [
      [{ token: b.invite.id, ...bExtras() }, 'NOT_FOUND'],
      [{ token: b.tenantId }, 'NOT_FOUND'],
    ],
    'team.accept': () => [
      [{ token: b.invite.id, name: 'Intruder', password: 'intruder password', ...bExtras() }, 'NOT_FOUND'],
      [{ token: b.tenantId, name: 'Intruder', password: 'intruder password', ...bExtras() }, 'NOT_FOUND'],
    ],
  };

  const procedures = Object.keys((appRouter._def as unknown as { procedures: Record<string, unknown> }).procedures);

  it('covers every procedure of the app router', () => {
    expect(procedures.length).toBeGreaterThan(10);
    expect(procedures.filter((p) => !(p in cases))).toEqual([]);
  });

  const call = (c: Caller, path: string, input: unknown) =>
    (
      path.split('.').reduce((node: unknown, key) => (node as Record<string, unknown>)[key], c) as (
        i: unknown,
      ) => Promise<unknown>
    )(input);

  it('the snapshot sees a change when B acts on itself (control)', async () => {
    const before = await snapshot(b);
    await b.sessions[0]!.caller.team.changeRole({ adminId: b.staffMember.adminId, role: 'admin' });
    expect(await snapshot(b)).not.toEqual(before);
    await b.sessions[0]!.caller.team.changeRole({ adminId: b.staffMember.adminId, role: 'staff' });
  });

  it.each(procedures)('%s with A’s session and B’s ids changes nothing of B and returns nothing of B', async (path) => {
    const before = await snapshot(b);
    const leaks = secretsOf(b);
    for (const [input, expected] of cases[path]!()) {
      const owner = await signIn(reg.services, a.email, aPassword); // a real session, fresh for each call
      const outcome = await call(owner.caller, path, input).then(
        (value) => ({ value }),
        (err: { code?: string; message?: string }) => ({ error: { code: err.code, message: err.message } }),
      );
      if (path === 'account.changePassword' && 'value' in outcome)
        aPassword = (input as { newPassword: string }).newPassword;
      expect('error' in outcome ? outcome.error.code : 'ok', `${path}(${JSON.stringify(input)})`).toBe(expected);
      const shown = JSON.stringify(outcome) ?? '';
      for (const secret of leaks)
        expect(shown, `${path}(${JSON.stringify(input)}) answered with B's ${secret}`).not.toContain(secret);
      expect(await snapshot(b), `${path}(${JSON.stringify(input)}) changed B`).toEqual(before);
    }
    // B's people are still signed in and still work.
    for (const s of b.sessions) expect(await readSession(reg.services, s.cookie)).toEqual(s.session);
    expect((await b.sessions[0]!.caller.team.list()).members.map((m) => m.id).sort()).toEqual(
      [b.adminId, b.adminMember.adminId, b.staffMember.adminId].sort(),
    );
  });

  it('a session mixing one church with the other’s admin is refused', async () => {
    const mixed = [
      { tenantId: a.tenantId, adminId: b.adminId, sessionId: a.sessions[0]!.signed.sessionId },
      { tenantId: b.tenantId, adminId: a.adminId, sessionId: a.sessions[0]!.signed.sessionId },
    ];
    for (const session of mixed) {
      for (const p of [
        (c: Caller) => c.account.me(),
        (c: Caller) => c.team.list(),
        (c: Caller) => c.church.profile(),
      ]) {
        expect((await errorOf(p(caller(reg.services, session)))).code).toBe('UNAUTHORIZED');
      }
    }
  });
});
