import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { readSession } from '@/server/auth/session';
import { SigninError, signInWithPassword, signInWithTicket } from '@/server/auth/signin';
import { eq } from 'drizzle-orm';
import { tenants } from '@/db/registry/schema';
import { UNAVAILABLE_MESSAGES } from '@/server/tenancy/availability';
import { runProvisioning } from '@/server/tenancy/provisioner';
import { randomToken } from '@/server/tokens';
import type { Services } from '@/server/services';
import {
  caller,
  cookieFor,
  errorOf,
  freshIp,
  median,
  provisionChurch,
  RedisServer,
  type Church,
} from './support/accounts';
import { createTestRegistry, until, type TestRegistry } from './support/harness';

// Count argon2 verifications: a wrong email must cost the same work as a wrong password.
const argon = vi.hoisted(() => ({ verifies: 0 }));
vi.mock('@/server/auth/password', async (importOriginal) => {
  const real = await importOriginal<typeof import('@/server/auth/password')>();
  return {
    ...real,
    verifyPassword: (stored: string, password: string) => {
      argon.verifies++;
      return real.verifyPassword(stored, password);
    },
  };
});

const GENERIC = 'Email or password is incorrect.';
const SETTING_UP = 'Your workspace is still being set up. Try again in a moment.';
const LINK_EXPIRED = 'This sign-in link has expired. Please sign in with your email and password.';

/** Sign in and report the verifications it cost. */
async function attempt(services: Services, email: string, password: string, ip: string) {
  const before = argon.verifies;
  const started = performance.now();
  const outcome = await signInWithPassword(services, { email, password }, ip).then(
    (value) => ({ ok: true as const, value }),
    (error: Error) => ({ ok: false as const, error }),
  );
  return { ...outcome, ms: performance.now() - started, verifies: argon.verifies - before };
}

async function refusal(services: Services, email: string, password: string, ip: string) {
  const r = await attempt(services, email, password, ip);
  if (r.ok) throw new Error(`expected ${email} to be refused from ${ip}`);
  expect(r.error).toBeInstanceOf(SigninError); // a message safe to show, never an internal error
  return r;
}

const FAILURES_PER_EMAIL = 3;
const FAILURES_PER_IP = 6;
const SIGNUPS_PER_IP = 2;

describe('signInWithPassword', () => {
  let reg: TestRegistry;
  let church: Church;

  beforeAll(async () => {
    reg = await createTestRegistry({
      SIGNIN_FAILURES_PER_EMAIL: String(FAILURES_PER_EMAIL),
      SIGNIN_FAILURES_PER_IP: String(FAILURES_PER_IP),
      SIGNUPS_PER_HOUR_PER_IP: String(SIGNUPS_PER_IP),
    });
    church = await provisionChurch(reg.services, { churchName: 'Signin Chapel', adminName: 'Sally Signin' });
  });
  afterAll(async () => {
    await reg?.cleanup();
  });

  it('correct credentials return the church and the admin, and record a session', async () => {
    const r = await attempt(reg.services, `  ${church.email.toUpperCase()} `, church.password, freshIp());
    if (!r.ok) throw r.error;
    expect(r.verifies).toBe(1);
    expect(r.value).toMatchObject({
      tenantId: church.tenantId,
      adminId: church.adminId,
      sessionId: expect.any(String),
      name: 'Sally Signin',
      email: church.email,
    });
    const [row] = await reg.services.registry.sql<
      { tenant_id: string; admin_id: string; revoked_at: string | null; hours: number }[]
    >`
      select tenant_id, admin_id, revoked_at, round(extract(epoch from expires_at - now()) / 3600)::int as hours
      from auth_sessions where id = ${r.value.sessionId}`;
    expect(row).toEqual({
      tenant_id: church.tenantId,
      admin_id: church.adminId,
      revoked_at: null,
      hours: reg.services.config.SESSION_MAX_AGE_HOURS,
    });
    expect(await readSession(reg.services, await cookieFor(reg.services, r.value))).toEqual({
      tenantId: church.tenantId,
      adminId: church.adminId,
      sessionId: r.value.sessionId,
    });
    // Each sign-in is its own session.
    const again = await signInWithPassword(reg.services, { email: church.email, password: church.password }, freshIp());
    expect(again.sessionId).not.toBe(r.value.sessionId);
  });

  it('a wrong password and an unknown email get the same message after the same work', async () => {
    const unknown = () => `nobody-${randomToken(6).toLowerCase()}@example.org`;
    await refusal(reg.services, unknown(), 'whatever password', freshIp()); // warm-up: the equaliser hash is made once
    await refusal(reg.services, church.email, 'wrong password', freshIp());

    const wrongPassword: number[] = [];
    const unknownEmail: number[] = [];
    for (let i = 0; i < 5; i++) {
      const a = await refusal(reg.services, church.email, `wrong password ${i}`, freshIp());
      const b = await refusal(reg.services, unknown(), `wrong password ${i}`, freshIp());
      expect(a.error.message).toBe(GENERIC);
      expect(b.error.message).toBe(GENERIC);
      expect(a.verifies).toBe(1); // one argon2id verify each, against the real hash or the equaliser
      expect(b.verifies).toBe(1);
      wrongPassword.push(a.ms);
      unknownEmail.push(b.ms);
    }
    expect(Math.abs(median(wrongPassword) - median(unknownEmail))).toBeLessThan(80);

    // Malformed input gets the same answer, without touching anything.
    for (const bad of [{ email: 'not-an-email', password: 'x' }, { email: church.email, password: '' }, null, 'x']) {
      const err = await errorOf(signInWithPassword(reg.services, bad, freshIp()));
      expect(err).toBeInstanceOf(SigninError);
      expect(err.message).toBe(GENERIC);
    }
  });

  it('a church still being provisioned says so, and signs in once it is ready', async () => {
    const pending = await provisionChurch(reg.services, { provision: false });
    const r = await refusal(reg.services, pending.email, pending.password, freshIp());
    expect(r.error.message).toBe(SETTING_UP);
    expect(await runProvisioning(reg.services.provision, pending.jobId, { finalAttempt: false })).toBe('ready');
    const signed = await signInWithPassword(
      reg.services,
      { email: pending.email, password: pending.password },
      freshIp(),
    );
    expect(signed.tenantId).toBe(pending.tenantId);
  });

  it('a church closed a moment ago is not signed into, though its route was just cached as active', async () => {
    const closing = await provisionChurch(reg.services, { churchName: 'Closing Chapel' });
    const login = { email: closing.email, password: closing.password };
    await signInWithPassword(reg.services, login, freshIp()); // its route is now in the resolver's cache
    // Closed by another process (the operator's CLI), which cannot clear this one's cache.
    await reg.services.registry.db.update(tenants).set({ status: 'closed' }).where(eq(tenants.id, closing.tenantId));
    const r = await refusal(reg.services, closing.email, closing.password, freshIp());
    expect(r.error.message).toBe(UNAVAILABLE_MESSAGES.closed);
  });

  it(`locks email+address after ${FAILURES_PER_EMAIL} failures, even for the right password; not others`, async () => {
    const ip = freshIp();
    for (let i = 0; i < FAILURES_PER_EMAIL; i++)
      expect((await refusal(reg.services, church.email, 'wrong password', ip)).error.message).toBe(GENERIC);
    const locked = await refusal(reg.services, church.email, church.password, ip);
    expect(locked.error.message).toBe('Too many attempts. Try again in 15 minutes.');
    expect(locked.verifies).toBe(0); // refused before any work
    // Still locked on the next try (the lockout is not a one-off).
    expect((await refusal(reg.services, church.email, church.password, ip)).error.message).toMatch(
      /^Too many attempts\. Try again in 1[45] minutes\.$/,
    );

    const elsewhere = await signInWithPassword(
      reg.services,
      { email: church.email, password: church.password },
      freshIp(),
    );
    expect(elsewhere.adminId).toBe(church.adminId);
    // The same address may still sign in to another account (it is under the per-address limit).
    const other = await provisionChurch(reg.services);
    expect(
      (await signInWithPassword(reg.services, { email: other.email, password: other.password }, ip)).tenantId,
    ).toBe(other.tenantId);
  });

  it('a successful sign-in clears the failures of that email+address', async () => {
    const ip = freshIp();
    // Two rounds of (limit − 1) failures: without the reset the second round would lock the pair out. (The per-address
    // counter is not reset by a success, so more rounds would trip that instead.)
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < FAILURES_PER_EMAIL - 1; i++) await refusal(reg.services, church.email, 'wrong password', ip);
      expect(
        (await signInWithPassword(reg.services, { email: church.email, password: church.password }, ip)).adminId,
      ).toBe(church.adminId);
    }
  });

  it(`locks an address out after ${FAILURES_PER_IP} failures across many emails`, async () => {
    const ip = freshIp();
    for (let i = 0; i < FAILURES_PER_IP; i++) {
      expect(
        (await refusal(reg.services, `spray${i}-${randomToken(4).toLowerCase()}@example.org`, 'guess 123456', ip)).error
          .message,
      ).toBe(GENERIC);
    }
    const locked = await refusal(reg.services, church.email, church.password, ip);
    expect(locked.error.message).toBe('Too many attempts. Try again in 60 minutes.');
    expect(locked.verifies).toBe(0);
    expect(
      (await signInWithPassword(reg.services, { email: church.email, password: church.password }, freshIp())).adminId,
    ).toBe(church.adminId);
  });

  it(`throttles signups to ${SIGNUPS_PER_IP} an hour per address (TOO_MANY_REQUESTS), creating nothing`, async () => {
    const ip = freshIp();
    for (let i = 0; i < SIGNUPS_PER_IP; i++) await provisionChurch(reg.services, { ip, provision: false });
    const tenants = async () =>
      (await reg.services.registry.sql<{ n: number }[]>`select count(*)::int as n from tenants`)[0]!.n;
    const before = await tenants();
    const input = {
      churchName: 'One Too Many',
      timezone: 'UTC',
      adminName: 'Eager Person',
      email: `eager-${randomToken(4).toLowerCase()}@example.org`,
      password: 'correct horse battery',
    };
    const err = await errorOf(caller(reg.services, null, ip).onboarding.signup(input));
    expect(err.code).toBe('TOO_MANY_REQUESTS');
    expect(err.message).toBe('Too many attempts. Try again in 60 minutes.');
    expect(await tenants()).toBe(before);
    expect(await reg.services.registry.sql`select 1 from admin_email_index where email = ${input.email}`).toHaveLength(
      0,
    );
    // Another address is not affected.
    expect((await caller(reg.services, null, freshIp()).onboarding.signup(input)).ticket).toEqual(expect.any(String));
  });
});

describe('signInWithTicket', () => {
  let reg: TestRegistry;

  beforeAll(async () => {
    reg = await createTestRegistry();
  });
  afterAll(async () => {
    await reg?.cleanup();
  });

  it('signs the new owner in once after the workspace is ready; a second exchange is refused', async () => {
    const church = await provisionChurch(reg.services, { provision: false, adminName: 'Tina Ticket' });
    // Not before it is ready (and trying does not use it up).
    expect((await errorOf(signInWithTicket(reg.services, church.ticket))).message).toBe(LINK_EXPIRED);
    expect(await runProvisioning(reg.services.provision, church.jobId, { finalAttempt: false })).toBe('ready');

    const signed = await signInWithTicket(reg.services, church.ticket);
    expect(signed).toMatchObject({
      tenantId: church.tenantId,
      adminId: church.adminId,
      sessionId: expect.any(String),
      name: 'Tina Ticket',
      email: church.email,
    });
    expect(await readSession(reg.services, await cookieFor(reg.services, signed))).not.toBeNull();

    const second = await errorOf(signInWithTicket(reg.services, church.ticket));
    expect(second).toBeInstanceOf(SigninError);
    expect(second.message).toBe(LINK_EXPIRED);
    // Concurrent exchanges of a fresh ticket: exactly one wins.
    const other = await provisionChurch(reg.services);
    const results = await Promise.allSettled(
      Array.from({ length: 5 }, () => signInWithTicket(reg.services, other.ticket)),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
  });

  it('refuses unknown, malformed and stale tickets', async () => {
    const unknown = await errorOf(signInWithTicket(reg.services, randomToken()));
    expect(unknown).toBeInstanceOf(SigninError);
    expect(unknown.message).toBe(LINK_EXPIRED);
    for (const bad of ['short', '', null, 42, 'x'.repeat(101)]) {
      const err = await errorOf(signInWithTicket(reg.services, bad));
      expect(err).toBeInstanceOf(SigninError);
      expect(err.message).toBe('This sign-in link is not valid.');
    }
    // More than 15 minutes after the workspace became ready, the ticket no longer signs in.
    const church = await provisionChurch(reg.services);
    await reg.services.registry
      .sql`update provisioning_jobs set finished_at = now() - interval '16 minutes' where id = ${church.jobId}`;
    expect((await errorOf(signInWithTicket(reg.services, church.ticket))).message).toBe(LINK_EXPIRED);
  });
});

describe('throttling with Redis, and with Redis down (the PostgreSQL insurance limiter)', () => {
  let redis: RedisServer;
  let reg: TestRegistry;
  let church: Church;

  beforeAll(async () => {
    redis = await RedisServer.start();
    reg = await createTestRegistry({
      REDIS_URL: redis.url,
      SIGNIN_FAILURES_PER_EMAIL: String(FAILURES_PER_EMAIL),
      SIGNUPS_PER_HOUR_PER_IP: String(SIGNUPS_PER_IP),
    });
    await until(async () => reg.services.redis.state === 'ok', { timeoutMs: 10_000 });
    church = await provisionChurch(reg.services);
  });
  afterAll(async () => {
    await reg?.cleanup();
    await redis?.kill();
  });

  const pgCounter = async (key: string) =>
    (await reg.services.registry.sql<{ points: number }[]>`select points from rate_limits where key = ${key}`)[0]
      ?.points ?? null;

  async function expectLockout(ip: string) {
    for (let i = 0; i < FAILURES_PER_EMAIL; i++)
      expect((await refusal(reg.services, church.email, 'wrong password', ip)).error.message).toBe(GENERIC);
    expect((await refusal(reg.services, church.email, church.password, ip)).error.message).toBe(
      'Too many attempts. Try again in 15 minutes.',
    );
    expect(
      (await signInWithPassword(reg.services, { email: church.email, password: church.password }, freshIp())).adminId,
    ).toBe(church.adminId);
  }

  async function expectSignupThrottle(ip: string) {
    for (let i = 0; i < SIGNUPS_PER_IP; i++) await provisionChurch(reg.services, { ip, provision: false });
    const err = await errorOf(provisionChurch(reg.services, { ip, provision: false }));
    expect(err.code).toBe('TOO_MANY_REQUESTS');
  }

  it('with Redis up, counters live in Redis (none in PostgreSQL) and lock out as configured', async () => {
    const ip = freshIp();
    await expectLockout(ip);
    expect(await redis.keys(`signin_email_ip:${church.email}|${ip}`)).toHaveLength(1);
    expect(await pgCounter(`signin_email_ip:${church.email}|${ip}`)).toBeNull();

    const signupIp = freshIp();
    await expectSignupThrottle(signupIp);
    expect(await redis.keys(`signup_ip:${signupIp}`)).toHaveLength(1);
    expect(await pgCounter(`signup_ip:${signupIp}`)).toBeNull();
  });

  it('with Redis down, the PostgreSQL limiter takes over: same lockouts, sign-in and signup still work', async () => {
    await redis.kill();
    await until(async () => reg.services.redis.state === 'degraded', { timeoutMs: 5_000 });

    const ip = freshIp();
    await expectLockout(ip);
    // The refused attempt counts too.
    expect(await pgCounter(`signin_email_ip:${church.email}|${ip}`)).toBe(FAILURES_PER_EMAIL + 1);

    const signupIp = freshIp();
    await expectSignupThrottle(signupIp);
    expect(await pgCounter(`signup_ip:${signupIp}`)).toBe(SIGNUPS_PER_IP + 1);

    // A fresh church signs up and signs in with Redis gone.
    const fresh = await provisionChurch(reg.services);
    expect(
      (await signInWithPassword(reg.services, { email: fresh.email, password: fresh.password }, freshIp())).tenantId,
    ).toBe(fresh.tenantId);
  });
});
