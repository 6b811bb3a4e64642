import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { SessionRegistry } from '@/server/auth/revocation';
import { readSession } from '@/server/auth/session';
import { signInWithPassword } from '@/server/auth/signin';
import type { Services } from '@/server/services';
import { sha256 } from '@/server/tokens';
import { caller, cookieFor, errorOf, freshIp, provisionChurch, signIn, type Church } from './support/accounts';
import { createTestRegistry, type TestRegistry } from './support/harness';

/**
 * Expiry on a fake clock. Only Date is faked (timers, performance.now and PostgreSQL stay real), which is enough
 * because each expiry below is measured in JavaScript time: invitations compare with `new Date()`, the session with
 * `Date.now()`, and rate-limiter-flexible's PostgreSQL store writes and compares `Date.now()`-based expiries.
 * (With Redis the limiter's windows are Redis key TTLs, on Redis's clock: no fake clock reaches them.)
 */

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
const GONE = 'This invitation is no longer valid. Ask your church for a new one.';

/** Freeze Date at the real now and return it; every setSystemTime after this is exact to the millisecond. */
function freezeClock() {
  const now = Date.now();
  vi.useFakeTimers({ toFake: ['Date'], now });
  return now;
}

describe('expiry on a fake clock', () => {
  let reg: TestRegistry;

  beforeAll(async () => {
    reg = await createTestRegistry({
      SIGNIN_FAILURES_PER_EMAIL: '3',
      SIGNIN_FAILURES_PER_IP: '8',
      SIGNIN_FAILURES_PER_ACCOUNT: '10',
      SESSION_MAX_AGE_HOURS: '2',
    });
  });
  afterEach(() => {
    vi.useRealTimers();
  });
  afterAll(async () => {
    await reg?.cleanup();
  });

  describe('invitations (7 days)', () => {
    const anonymous = () => caller(reg.services, null);
    const tokenOf = (url: string) => url.split('/invite/')[1]!;
    const accept = (token: string) =>
      anonymous().team.accept({ token, name: 'New Member', password: 'member password 1' });

    async function invitations(n: number) {
      const church = await provisionChurch(reg.services);
      const owner = await signIn(reg.services, church.email, church.password);
      const sentAt = freezeClock();
      const tokens: string[] = [];
      for (let i = 0; i < n; i++) {
        const email = `invitee${i}-${church.tenantId.slice(0, 8)}@example.org`;
        tokens.push(tokenOf((await owner.caller.team.invite({ email, role: 'staff' })).url));
      }
      return { expiry: sentAt + 7 * DAY, tokens };
    }

    it('one a millisecond before its expiry can be accepted; at its expiry it cannot', async () => {
      const { expiry, tokens } = await invitations(2);
      const [early, late] = tokens as [string, string];

      vi.setSystemTime(expiry - 1);
      expect(await anonymous().team.invitation({ token: early })).toMatchObject({ role: 'staff' });
      expect(await accept(early)).toEqual({ email: expect.stringMatching(/^invitee0-/) });

      vi.setSystemTime(expiry);
      // One call at a time: a second promise made up front could reject before anything awaits it.
      for (const refused of [() => anonymous().team.invitation({ token: late }), () => accept(late)])
        expect(await errorOf(refused())).toMatchObject({ code: 'NOT_FOUND', message: GONE });
    });

    it('the church database refuses an expired one even if its registry route outlived it', async () => {
      const { expiry, tokens } = await invitations(1);
      await reg.admin`
        update invite_index set expires_at = expires_at + interval '1 day' where token_hash = ${sha256(tokens[0]!)}`;
      vi.setSystemTime(expiry + 1);
      expect(await errorOf(accept(tokens[0]!))).toMatchObject({ code: 'NOT_FOUND', message: GONE });
    });
  });

  describe('sign-in lockouts (PostgreSQL limiter)', () => {
    let church: Church;
    const signin = (ip: string, password = church.password) =>
      signInWithPassword(reg.services, { email: church.email, password }, ip);
    const fail = async (ip: string, email = church.email) =>
      expect((await errorOf(signInWithPassword(reg.services, { email, password: 'wrong password' }, ip))).message).toBe(
        'Email or password is incorrect.',
      );

    /** Still locked a millisecond before `ends` ("1 minute" left), and the right password works from `ends`. */
    async function expectLockedUntil(ends: number, ip: string, locked: RegExp) {
      vi.setSystemTime(ends - 1);
      expect((await errorOf(signin(ip))).message).toMatch(locked);
      vi.setSystemTime(ends);
      expect((await signin(ip)).adminId).toBe(church.adminId);
    }

    beforeEach(async () => {
      church = await provisionChurch(reg.services); // the account-wide counter is per email: one church a test
    });

    it('an email+address lockout lasts 15 minutes from when it began, not from the first failure', async () => {
      const ip = freshIp();
      const t0 = freezeClock();
      for (let i = 0; i < 3; i++) await fail(ip);
      vi.setSystemTime(t0 + 5 * MINUTE);
      expect((await errorOf(signin(ip))).message).toBe('Too many attempts. Try again in 15 minutes.');
      vi.setSystemTime(t0 + 15 * MINUTE); // the failures' window is over, the lockout is not
      expect((await errorOf(signin(ip))).message).toBe('Too many attempts. Try again in 5 minutes.');
      await expectLockedUntil(t0 + 20 * MINUTE, ip, /^Too many attempts\. Try again in 1 minute\.$/);
    });

    it('failures are counted for 15 minutes, and forgotten from then on', async () => {
      const [inside, outside] = [freshIp(), freshIp()];
      const t0 = freezeClock();
      for (const ip of [inside, outside]) for (let i = 0; i < 3; i++) await fail(ip); // the next attempt would lock
      vi.setSystemTime(t0 + 15 * MINUTE - 1);
      expect((await errorOf(signin(inside))).message).toBe('Too many attempts. Try again in 15 minutes.');
      vi.setSystemTime(t0 + 15 * MINUTE);
      expect((await signin(outside)).adminId).toBe(church.adminId);
    });

    it('an address lockout (failures across many emails) lasts 60 minutes', async () => {
      const ip = freshIp();
      const t0 = freezeClock();
      for (let i = 0; i < 8; i++) await fail(ip, `spray${i}-${church.tenantId.slice(0, 8)}@example.org`);
      expect((await errorOf(signin(ip))).message).toBe('Too many attempts. Try again in 60 minutes.');
      await expectLockedUntil(t0 + 60 * MINUTE, ip, /^Too many attempts\. Try again in 1 minute\.$/);
    });

    it('an account lockout (failures from many addresses) lasts 60 minutes', async () => {
      const t0 = freezeClock();
      for (let i = 0; i < 10; i++) await fail(freshIp());
      expect((await errorOf(signin(freshIp()))).message).toMatch(/sign-in to it is paused for 60 minutes\.$/);
      await expectLockedUntil(t0 + 60 * MINUTE, freshIp(), /sign-in to it is paused for 1 minute\.$/);
    });
  });

  describe('sessions (2 hours)', () => {
    /** A session opened on the frozen clock, with its cookie (whose JWT is good for 30 days, past the session). */
    async function session() {
      const church = await provisionChurch(reg.services);
      const opened = freezeClock();
      const signed = await signInWithPassword(
        reg.services,
        { email: church.email, password: church.password },
        freshIp(),
      );
      expect(signed.sessionExpiresAt).toBe(opened + 2 * 60 * MINUTE);
      return { signed, cookie: await cookieFor(reg.services, signed) };
    }

    /** A server instance starting at the faked time: it loads the revoked set then, and prunes it by then. */
    async function instanceNow() {
      const sessions = new SessionRegistry(reg.services.registry, null, { pollMs: 3_600_000, maxAgeSeconds: 7_200 });
      await sessions.start();
      sessions.stop();
      return { ...reg.services, sessions } as Services;
    }

    it('a cookie is accepted until its session expires and refused from that millisecond on', async () => {
      const { signed, cookie } = await session();
      vi.setSystemTime(signed.sessionExpiresAt - 1);
      expect(await readSession(reg.services, cookie)).toMatchObject({ sessionId: signed.sessionId });
      vi.setSystemTime(signed.sessionExpiresAt);
      expect(await readSession(reg.services, cookie)).toBeNull();
    });

    it('a revoked session is remembered until it expires, and refused on both sides of that moment', async () => {
      const { signed, cookie } = await session();
      await reg.services.sessions.revokeSession(signed.sessionId);
      for (const offset of [-1, 0, 1]) {
        vi.setSystemTime(signed.sessionExpiresAt + offset);
        const instance = await instanceNow();
        expect(instance.sessions.isRevoked(signed.sessionId), `revoked at ${offset} ms`).toBe(offset <= 0);
        expect(await readSession(instance, cookie), `refused at ${offset} ms`).toBeNull();
      }
    });
  });
});
