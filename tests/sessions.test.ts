import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { decode, encode } from 'next-auth/jwt';
import type { ZodError } from 'zod';
import { authOptions } from '@/server/auth/next-auth';
import { SessionRegistry } from '@/server/auth/revocation';
import { readSession, readRequestSession, sessionCookieName } from '@/server/auth/session';
import { SigninError, signInWithPassword } from '@/server/auth/signin';
import { loadConfig } from '@/server/config';
import { health } from '@/server/health';
import { RedisLink } from '@/server/redis';
import { createServices, type Services } from '@/server/services';
import {
  addTeammate,
  captureLogs,
  cookieFor,
  errorOf,
  freshIp,
  provisionChurch,
  RedisServer,
  signIn,
  type SignedInClient,
} from './support/accounts';
import { createTestRegistry, sleep, testSecrets, until, type TestRegistry } from './support/harness';

/**
 * Session revocation: sign-out, sign out everywhere, password change and removal must end sessions on every server
 * instance within a second — without Redis (PostgreSQL poll), with Redis (broadcast), and when Redis dies mid-way.
 * "Revoked" means readSession(services, cookie) returns null for a real next-auth cookie.
 */

const CHANNEL = 'steeple:sessions:revoked';
const REVOCATION_DEADLINE_MS = 1_000;

/** A second server process on the same registry: its own pools, its own Redis link, its own revoked set. */
function secondInstance(reg: TestRegistry, env: Record<string, string> = {}) {
  return createServices(loadConfig({ DATABASE_URL: reg.url, ...testSecrets, LOG_LEVEL: 'error', ...env }));
}

/**
 * A view of the revoked set that can only learn through Redis: same registry, its own Redis link, a poll that never
 * runs after the initial load. If it sees a revocation within a second, the broadcast delivered it.
 */
function redisOnlyView(base: Services, url: string) {
  const link = new RedisLink(url, 'redis-probe');
  const sessions = new SessionRegistry(base.registry, link, {
    pollMs: 3_600_000,
    maxAgeSeconds: base.config.SESSION_MAX_AGE_HOURS * 3600,
  });
  return {
    link,
    services: { ...base, redis: link, sessions } as Services,
    async close() {
      sessions.stop();
      await link.close();
    },
  };
}

/** Milliseconds until `services` refuses the cookie; throws when it is still accepted after `withinMs`. */
async function refusedWithin(services: Services, cookie: string, withinMs = REVOCATION_DEADLINE_MS) {
  const started = Date.now();
  for (;;) {
    if ((await readSession(services, cookie)) === null) return Date.now() - started;
    if (Date.now() - started > withinMs) throw new Error(`session still accepted ${withinMs} ms after revocation`);
    await sleep(10);
  }
}

const accepted = async (services: Services, cookie: string) => (await readSession(services, cookie)) !== null;

/** The record's revocation time (null while the session stands, undefined when there is no record). */
async function revokedAtOf(reg: TestRegistry, sessionId: string) {
  const [row] = await reg.services.registry.sql<
    { revoked_at: string | null }[]
  >`select revoked_at::text from auth_sessions where id = ${sessionId}`;
  return row ? row.revoked_at : undefined;
}

const modes = [
  { name: 'without Redis', redis: false },
  { name: 'with Redis', redis: true },
] as const;

describe.each(modes)('session revocation $name', ({ redis: useRedis }) => {
  let redis: RedisServer | null = null;
  let reg: TestRegistry;
  let a: Services; // the instance handling the revoking request
  let b: Services; // another instance, which must learn of it
  let probe: ReturnType<typeof redisOnlyView> | null = null;

  /** Every instance that must refuse a revoked cookie. */
  const views = () => [
    { name: 'second instance', services: b },
    ...(probe ? [{ name: 'Redis broadcast only', services: probe.services }] : []),
  ];

  beforeAll(async () => {
    if (useRedis) redis = await RedisServer.start();
    const env: Record<string, string> = redis ? { REDIS_URL: redis.url } : {};
    reg = await createTestRegistry(env);
    a = reg.services;
    b = secondInstance(reg, env);
    if (redis) {
      probe = redisOnlyView(b, redis.url);
      await until(async () => a.redis.state === 'ok' && b.redis.state === 'ok' && probe!.link.state === 'ok', {
        timeoutMs: 10_000,
      });
    }
    await Promise.all([a.sessions.start(), b.sessions.start(), probe?.services.sessions.start()]);
    if (redis) await until(async () => (await redis!.subscribers(CHANNEL)) >= 3, { timeoutMs: 10_000 });
  });
  afterAll(async () => {
    await probe?.close();
    await b?.close();
    await reg?.cleanup();
    await redis?.kill();
  });

  async function expectAcceptedEverywhere(...clients: SignedInClient[]) {
    for (const c of clients) {
      expect(await accepted(a, c.cookie)).toBe(true);
      for (const v of views()) expect(await accepted(v.services, c.cookie), `${v.name} accepts`).toBe(true);
    }
  }

  /**
   * A revocation made now, seen by every instance: anything revoked before it has reached them too (the poll reads
   * committed rows in order, Redis delivers one publisher's messages in order), so what is still accepted after this
   * was not revoked earlier — a positive signal instead of waiting a poll period or two.
   */
  async function revocationBarrier(tenantId: string, adminId: string) {
    const { id, expiresAt } = await a.sessions.create(tenantId, adminId);
    const signed = { tenantId, adminId, sessionId: id, sessionExpiresAt: expiresAt.getTime(), name: 'M', email: '' };
    const marker = { signed, cookie: await cookieFor(a, signed) } as SignedInClient;
    await expectAcceptedEverywhere(marker);
    await a.sessions.revokeSession(id);
    await expectRevokedEverywhere(marker);
  }

  async function expectRevokedEverywhere(...clients: SignedInClient[]) {
    for (const c of clients) {
      expect(await readSession(a, c.cookie)).toBeNull(); // the revoking instance knows at once
      expect(await revokedAtOf(reg, c.signed.sessionId)).toEqual(expect.any(String)); // the record
    }
    for (const v of views()) {
      for (const c of clients) {
        const ms = await refusedWithin(v.services, c.cookie);
        expect(ms, `${v.name} refused within ${REVOCATION_DEADLINE_MS} ms`).toBeLessThanOrEqual(REVOCATION_DEADLINE_MS);
      }
    }
  }

  it(`health reports Redis as ${useRedis ? 'ok' : 'disabled'}`, async () => {
    const report = await health(a);
    expect(report.status).toBe('ok');
    expect(report.redis).toBe(useRedis ? 'ok' : 'disabled');
    expect((await health(b)).redis).toBe(useRedis ? 'ok' : 'disabled');
  });

  it('a real cookie is accepted, a tampered or foreign one is not', async () => {
    const church = await provisionChurch(a);
    const c = await signIn(a, church.email, church.password);
    expect(c.session).toEqual({ tenantId: church.tenantId, adminId: church.adminId, sessionId: c.signed.sessionId });
    await expectAcceptedEverywhere(c);
    // Through the Cookie header, as the tRPC route reads it.
    const req = new Request('http://127.0.0.1/api/trpc/account.me', {
      headers: { cookie: `other=1; ${sessionCookieName(a)}=${encodeURIComponent(c.cookie)}` },
    });
    expect(await readRequestSession(a, req)).toEqual(c.session);
    expect(await readSession(a, undefined)).toBeNull();
    expect(await readSession(a, c.cookie.slice(0, -4) + 'AAAA')).toBeNull();
    const foreign = await encode({
      token: { tenantId: church.tenantId, adminId: church.adminId, sessionId: c.signed.sessionId },
      secret: 'x'.repeat(40),
    });
    expect(await readSession(a, foreign)).toBeNull();
    const missingClaims = await encode({
      token: { tenantId: church.tenantId, adminId: church.adminId },
      secret: a.config.NEXTAUTH_SECRET,
    });
    expect(await readSession(a, missingClaims)).toBeNull();
  });

  it('sign-out revokes that session only, on every instance within a second', async () => {
    const church = await provisionChurch(a);
    const one = await signIn(a, church.email, church.password);
    const two = await signIn(a, church.email, church.password);
    await expectAcceptedEverywhere(one, two);

    expect(await a.sessions.revokeSession(one.signed.sessionId)).toBe(1);
    await expectRevokedEverywhere(one);
    await expectAcceptedEverywhere(two);
    expect(await a.sessions.revokeSession(one.signed.sessionId)).toBe(0); // already revoked: nothing to do
  });

  it('sign out everywhere ends every session of that admin (the current one too), and nobody else’s', async () => {
    const church = await provisionChurch(a);
    const other = await provisionChurch(a);
    const sessions = [
      await signIn(a, church.email, church.password),
      await signIn(a, church.email, church.password),
      await signIn(b, church.email, church.password), // signed in through the other instance
    ];
    const staff = await addTeammate(
      a,
      sessions[0]!.caller,
      `staff-${church.tenantId.slice(0, 8)}@example.org`,
      'staff',
    );
    const staffSession = await signIn(a, staff.email, staff.password);
    const otherOwner = await signIn(a, other.email, other.password);
    await expectAcceptedEverywhere(...sessions, staffSession, otherOwner);

    expect(await sessions[0]!.caller.account.signOutEverywhere()).toEqual({ sessionsSignedOut: 3 });
    await expectRevokedEverywhere(...sessions);
    await expectAcceptedEverywhere(staffSession, otherOwner);
  });

  it('changing the password revokes other sessions, keeps the current one and retires the old password', async () => {
    const church = await provisionChurch(a);
    const current = await signIn(a, church.email, church.password);
    const elsewhere = await signIn(b, church.email, church.password);
    await expectAcceptedEverywhere(current, elsewhere);

    const wrong = await errorOf(
      current.caller.account.changePassword({
        currentPassword: 'not my password',
        newPassword: 'a brand new passphrase',
      }),
    );
    expect(wrong.code).toBe('BAD_REQUEST');
    expect([
      await revokedAtOf(reg, current.signed.sessionId),
      await revokedAtOf(reg, elsewhere.signed.sessionId),
    ]).toEqual([null, null]);
    await revocationBarrier(church.tenantId, church.adminId); // every instance has caught up past the refused attempt
    await expectAcceptedEverywhere(current, elsewhere);

    const result = await current.caller.account.changePassword({
      currentPassword: church.password,
      newPassword: 'a brand new passphrase',
    });
    expect(result).toEqual({ otherSessionsSignedOut: 1 });
    await expectRevokedEverywhere(elsewhere);
    expect(await revokedAtOf(reg, current.signed.sessionId)).toBeNull();
    await revocationBarrier(church.tenantId, church.adminId); // every instance has caught up past the change
    await expectAcceptedEverywhere(current);
    expect(await current.caller.account.me()).toMatchObject({ email: church.email, role: 'owner' });

    const old = await errorOf(signInWithPassword(b, { email: church.email, password: church.password }, freshIp()));
    expect(old).toBeInstanceOf(SigninError);
    expect(old.message).toBe('Email or password is incorrect.');
    const renewed = await signInWithPassword(b, { email: church.email, password: 'a brand new passphrase' }, freshIp());
    expect(renewed.adminId).toBe(church.adminId);
  });

  it('a new password equal to the current one is refused beside its field, and no session is ended', async () => {
    const church = await provisionChurch(a);
    const current = await signIn(a, church.email, church.password);
    const elsewhere = await signIn(b, church.email, church.password);

    const same = await errorOf(
      current.caller.account.changePassword({ currentPassword: church.password, newPassword: church.password }),
    );
    expect(same.code).toBe('BAD_REQUEST');
    expect(same.message).toBe('Choose a new password that is different from your current one.');
    expect((same.cause as ZodError).issues.map((i) => [i.path, i.message])).toEqual([
      [['newPassword'], 'Choose a new password that is different from your current one.'],
    ]);
    // A wrong current password is still what is said first, whatever the new one.
    const wrong = await errorOf(
      current.caller.account.changePassword({ currentPassword: 'not my password', newPassword: 'not my password' }),
    );
    expect(wrong.message).toBe('Your current password is not correct.');

    expect([
      await revokedAtOf(reg, current.signed.sessionId),
      await revokedAtOf(reg, elsewhere.signed.sessionId),
    ]).toEqual([null, null]);
    const again = await signInWithPassword(b, { email: church.email, password: church.password }, freshIp());
    expect(again.adminId).toBe(church.adminId);
  });

  it('removing an admin revokes their sessions and frees their email', async () => {
    const church = await provisionChurch(a);
    const owner = await signIn(a, church.email, church.password);
    const email = `removed-${church.tenantId.slice(0, 8)}@example.org`;
    const member = await addTeammate(a, owner.caller, email, 'admin');
    const m1 = await signIn(a, email, member.password);
    const m2 = await signIn(b, email, member.password);
    await expectAcceptedEverywhere(owner, m1, m2);
    expect(await a.registry.sql`select 1 from admin_email_index where email = ${email}`).toHaveLength(1);

    expect(await owner.caller.team.remove({ adminId: member.adminId })).toEqual({ ok: true });
    await expectRevokedEverywhere(m1, m2);
    await expectAcceptedEverywhere(owner);

    expect(await a.registry.sql`select 1 from admin_email_index where email = ${email}`).toHaveLength(0);
    const refused = await errorOf(signInWithPassword(a, { email, password: member.password }, freshIp()));
    expect(refused.message).toBe('Email or password is incorrect.');
    // Even a session object that skipped the revocation check finds no admin behind it.
    expect((await errorOf(m1.caller.team.list())).code).toBe('UNAUTHORIZED');
    // The email is free: it can be invited again (here or anywhere).
    const again = await owner.caller.team.invite({ email, role: 'staff' });
    expect(again.url).toMatch(/\/invite\/[A-Za-z0-9_-]{20,}$/);
  });

  it('a new instance started after revocations loads them from PostgreSQL', async () => {
    const church = await provisionChurch(a);
    const c = await signIn(a, church.email, church.password);
    await a.sessions.revokeSession(c.signed.sessionId);
    const late = secondInstance(reg, redis ? { REDIS_URL: redis.url } : {});
    try {
      expect(await readSession(late, c.cookie)).toBeNull();
    } finally {
      await late.close();
    }
  });
});

describe('session revocation when Redis is lost mid-test and comes back', () => {
  let redis: RedisServer;
  let reg: TestRegistry;
  let a: Services;
  let b: Services;
  let probe: ReturnType<typeof redisOnlyView>;
  let logs: ReturnType<typeof captureLogs>;
  let savedLogLevel: string | undefined;
  const env = () => ({ REDIS_URL: redis.url, SIGNIN_FAILURES_PER_EMAIL: '3' });
  const reconnects = { a: 0, b: 0 };
  let church: Awaited<ReturnType<typeof provisionChurch>>;
  const sessions: SignedInClient[] = [];

  /** State-change lines of the two server instances' links (the probe logs under its own name). */
  const stateLines = () => ({
    connected: logs.lines.filter((l) => l.msg === 'redis connected').length,
    unavailable: logs.lines.filter((l) => l.msg.startsWith('redis unavailable')).length,
  });

  beforeAll(async () => {
    savedLogLevel = process.env.LOG_LEVEL;
    process.env.LOG_LEVEL = 'info'; // "connected" is an info line
    logs = captureLogs();
    redis = await RedisServer.start();
    reg = await createTestRegistry(env());
    a = reg.services;
    b = secondInstance(reg, env());
    probe = redisOnlyView(b, redis.url);
    a.redis.client!.on('reconnecting', () => reconnects.a++);
    b.redis.client!.on('reconnecting', () => reconnects.b++);
    await until(async () => a.redis.state === 'ok' && b.redis.state === 'ok' && probe.link.state === 'ok', {
      timeoutMs: 10_000,
    });
    await Promise.all([a.sessions.start(), b.sessions.start(), probe.services.sessions.start()]);
    await until(async () => (await redis.subscribers(CHANNEL)) >= 3, { timeoutMs: 10_000 });
    church = await provisionChurch(a);
    for (let i = 0; i < 4; i++) sessions.push(await signIn(i % 2 ? b : a, church.email, church.password));
  });
  afterAll(async () => {
    logs?.restore();
    if (savedLogLevel === undefined) delete process.env.LOG_LEVEL;
    else process.env.LOG_LEVEL = savedLogLevel;
    await probe?.close();
    await b?.close();
    await reg?.cleanup();
    await redis?.kill();
  });

  it('with Redis up, a revocation is broadcast (seen through Redis alone within a second)', async () => {
    expect(stateLines()).toEqual({ connected: 2, unavailable: 0 });
    expect((await health(a)).redis).toBe('ok');
    for (const c of sessions) expect(await accepted(probe.services, c.cookie)).toBe(true);
    await a.sessions.revokeSession(sessions[0]!.signed.sessionId);
    expect(await refusedWithin(probe.services, sessions[0]!.cookie)).toBeLessThanOrEqual(REVOCATION_DEADLINE_MS);
    expect(await refusedWithin(b, sessions[0]!.cookie)).toBeLessThanOrEqual(REVOCATION_DEADLINE_MS);
  });

  it('Redis killed: the next revocation still reaches the second instance within a second', async () => {
    await redis.kill();
    // Revoke at once, before either instance may even have noticed the loss.
    expect(await a.sessions.revokeSession(sessions[1]!.signed.sessionId)).toBe(1);
    expect(await readSession(a, sessions[1]!.cookie)).toBeNull();
    expect(await refusedWithin(b, sessions[1]!.cookie)).toBeLessThanOrEqual(REVOCATION_DEADLINE_MS);

    await until(async () => a.redis.state === 'degraded' && b.redis.state === 'degraded', { timeoutMs: 5_000 });
    const report = await health(a);
    expect(report.status).toBe('ok'); // degraded Redis is not an outage
    expect(report.redis).toBe('degraded');
    expect((await health(b)).redis).toBe('degraded');

    // The instrument check: the Redis-only view cannot have learnt of it, so the second instance's refusal above
    // came from the PostgreSQL poll. Its own link has seen Redis go (the process had exited before the revocation).
    await until(async () => probe.link.state === 'degraded', { timeoutMs: 5_000 });
    expect(await accepted(probe.services, sessions[1]!.cookie)).toBe(true);
    // The other sessions are untouched.
    expect(await accepted(b, sessions[2]!.cookie)).toBe(true);
  });

  it('while Redis is down, sign-in works on both instances and throttling falls back to PostgreSQL', async () => {
    for (const s of [a, b]) {
      const signed = await signInWithPassword(s, { email: church.email, password: church.password }, freshIp());
      expect(signed.tenantId).toBe(church.tenantId);
      const c = await signIn(s, church.email, church.password);
      expect(await c.caller.account.me()).toMatchObject({ email: church.email });
    }

    const ip = freshIp();
    for (let i = 0; i < 3; i++) {
      const err = await errorOf(
        signInWithPassword(i % 2 ? a : b, { email: church.email, password: 'wrong password!' }, ip),
      );
      expect(err.message).toBe('Email or password is incorrect.');
    }
    // Counted in the registry's rate_limits table, shared by both instances.
    const [row] = await a.registry.sql<
      { points: number }[]
    >`select points from rate_limits where key = ${`signin_email_ip:${church.email}|${ip}`}`;
    expect(row?.points).toBe(3);
    for (const s of [a, b]) {
      const locked = await errorOf(signInWithPassword(s, { email: church.email, password: church.password }, ip));
      expect(locked).toBeInstanceOf(SigninError);
      expect(locked.message).toMatch(/^Too many attempts\. Try again in 15 minutes\.$/);
    }
    expect((await signInWithPassword(b, { email: church.email, password: church.password }, freshIp())).adminId).toBe(
      church.adminId,
    );

    // Signup (its own limiter) keeps working too.
    const fresh = await provisionChurch(b);
    expect((await signInWithPassword(a, { email: fresh.email, password: fresh.password }, freshIp())).tenantId).toBe(
      fresh.tenantId,
    );
  });

  it('reconnects again and again in the background, but logs the loss once per instance', async () => {
    await until(async () => reconnects.a >= 4 && reconnects.b >= 4, { timeoutMs: 20_000, everyMs: 100 });
    expect(a.redis.state).toBe('degraded');
    expect(stateLines()).toEqual({ connected: 2, unavailable: 2 });
  });

  it('Redis restarted on the same port: state back to ok by itself, logged once; the broadcast resumes', async () => {
    await redis.start();
    await until(async () => a.redis.state === 'ok' && b.redis.state === 'ok', { timeoutMs: 30_000, everyMs: 50 });
    expect((await health(a)).redis).toBe('ok');
    expect((await health(b)).redis).toBe('ok');
    expect(stateLines()).toEqual({ connected: 4, unavailable: 2 });

    // Subscribers re-subscribe after the reconnect, so the broadcast alone delivers revocations again.
    await until(async () => probe.link.state === 'ok' && (await redis.subscribers(CHANNEL)) >= 3, {
      timeoutMs: 30_000,
      everyMs: 50,
    });
    await a.sessions.revokeSession(sessions[2]!.signed.sessionId);
    expect(await refusedWithin(probe.services, sessions[2]!.cookie)).toBeLessThanOrEqual(REVOCATION_DEADLINE_MS);
    expect(await refusedWithin(b, sessions[2]!.cookie)).toBeLessThanOrEqual(REVOCATION_DEADLINE_MS);

    // Throttle counters are back in Redis.
    const ip = freshIp();
    await errorOf(signInWithPassword(a, { email: church.email, password: 'wrong password!' }, ip));
    expect(await redis.keys(`signin_email_ip:${church.email}|${ip}`)).toHaveLength(1);
    expect(
      await a.registry.sql`select 1 from rate_limits where key = ${`signin_email_ip:${church.email}|${ip}`}`,
    ).toHaveLength(0);
    expect(stateLines()).toEqual({ connected: 4, unavailable: 2 });
  });
});

describe('a revoked session stays revoked for as long as its cookie can be used', () => {
  let reg: TestRegistry;
  const holder = globalThis as unknown as { __steeple?: Services };
  let previous: Services | undefined;

  beforeAll(async () => {
    reg = await createTestRegistry({ SESSION_MAX_AGE_HOURS: '1' });
    previous = holder.__steeple;
    holder.__steeple = reg.services; // authOptions() reads the process's services
  });
  afterAll(async () => {
    vi.useRealTimers();
    holder.__steeple = previous;
    await reg?.cleanup();
  });

  /** What next-auth's /api/auth/session does with a JWT cookie: decode, run our jwt callback, re-encode for maxAge. */
  async function refreshLikeNextAuth(cookie: string) {
    const options = authOptions();
    const decoded = await decode({ token: cookie, secret: options.secret! });
    if (!decoded) return null;
    const token = await options.callbacks!.jwt!({ token: decoded } as never);
    return encode({ token, secret: options.secret!, maxAge: options.session!.maxAge });
  }

  it('is not accepted again once its record expires, even though next-auth kept refreshing its cookie', async () => {
    const church = await provisionChurch(reg.services);
    const signed = await signInWithPassword(
      reg.services,
      { email: church.email, password: church.password },
      freshIp(),
    );
    const options = authOptions();
    const issued = await encode({ token: { ...signed }, secret: options.secret!, maxAge: options.session!.maxAge });
    expect(await readSession(reg.services, issued)).not.toBeNull();
    await reg.services.sessions.revokeSession(signed.sessionId); // "sign out everywhere", say, after a theft
    expect(await readSession(reg.services, issued)).toBeNull();

    // The holder of the stolen cookie keeps calling /api/auth/session, which re-issues it with a fresh expiry:
    // 59 minutes in (the cookie is still valid), and then again two minutes after the record's expiry.
    const start = Date.now();
    vi.useFakeTimers({ toFake: ['Date'], now: start });
    vi.setSystemTime(start + 59 * 60_000);
    const refreshed = await refreshLikeNextAuth(issued);
    expect(refreshed).not.toBeNull(); // next-auth's session endpoint does not know about revocation
    vi.setSystemTime(start + 61 * 60_000);
    // The poll timer is real: wait for a poll at the new time to forget the expired record (vi.waitFor nudges the
    // faked Date 50 ms a try, harmless this far past the expiry), so the refusal below cannot come from the
    // revoked set.
    await vi.waitFor(() => expect(reg.services.sessions.isRevoked(signed.sessionId)).toBe(false), { timeout: 5_000 });

    expect(await readSession(reg.services, refreshed!)).toBeNull();
  });
});
