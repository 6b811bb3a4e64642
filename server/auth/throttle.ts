import { RateLimiterPostgres, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { errorKind } from '@/server/errors';
import { addressKey } from '@/server/http/client-address';
import type { RedisLink } from '@/server/redis';
import { isDatabaseOutage, type Registry, RegistryUnavailableError } from '@/server/registry';

/**
 * Brute-force and abuse protection shared by every server instance: counters live in Redis when it is configured and
 * in the registry's rate_limits table otherwise — and whenever Redis is down (the PostgreSQL limiter is its insurance).
 * Every attempt is counted *before* the work it guards (a password check, an email), so parallel requests cannot
 * outrun a limit: each takes a point atomically, and the one over the limit is refused without being looked at.
 */
export type Policy = { keyPrefix: string; points: number; duration: number; blockDuration: number };

const HOUR = 60 * 60;

const policies = {
  /** Sign-ins for one email from one address: 5 failures in 15 minutes lock that pair out for 15 minutes. */
  signinEmailIp: { keyPrefix: 'signin_email_ip', points: 5, duration: 15 * 60, blockDuration: 15 * 60 },
  /** Sign-ins for one email from anywhere: 20 failures an hour lock the account's sign-in for an hour. */
  signinEmail: { keyPrefix: 'signin_email', points: 20, duration: HOUR, blockDuration: HOUR },
  /** Sign-ins from one address across all emails: 30 failures an hour lock the address out for an hour. */
  signinIp: { keyPrefix: 'signin_ip', points: 30, duration: HOUR, blockDuration: HOUR },
  /** Signups from one address: 10 an hour. */
  signupIp: { keyPrefix: 'signup_ip', points: 10, duration: HOUR, blockDuration: HOUR },
  /** Password changes (each one checks the current password) by one admin: 10 an hour. */
  passwordChange: { keyPrefix: 'password_change', points: 10, duration: HOUR, blockDuration: HOUR },
  /** Password-reset emails to one address: 3 an hour, so nobody can fill a person's inbox with them. */
  resetEmail: { keyPrefix: 'reset_email', points: 3, duration: HOUR, blockDuration: 0 },
  /** Password-reset requests from one address across all emails: 20 an hour. */
  resetIp: { keyPrefix: 'reset_ip', points: 20, duration: HOUR, blockDuration: 0 },
  /** Verification emails asked for by one admin: 5 an hour. */
  verificationMail: { keyPrefix: 'verification_mail', points: 5, duration: HOUR, blockDuration: 0 },
  /** Invitations sent by one church: 20 an hour (each one emails a stranger). */
  invites: { keyPrefix: 'invites', points: 20, duration: HOUR, blockDuration: 0 },
  /** Connect cards from one address to one church: 30 an hour (a Sunday crowd shares the church's Wi-Fi). */
  connectCardIp: { keyPrefix: 'connect_card_ip', points: 30, duration: HOUR, blockDuration: 0 },
  /** Connect cards to one church from anywhere: 300 an hour, so a flood cannot text welcomes on its account. */
  connectCardChurch: { keyPrefix: 'connect_card_church', points: 300, duration: HOUR, blockDuration: 0 },
} satisfies Record<string, Policy>;

type Name = keyof typeof policies;

export class TooManyAttemptsError extends errorKind('TooManyAttempts') {
  constructor(
    readonly retryAfterSeconds: number,
    say = tryAgainIn,
  ) {
    super(say(inMinutes(retryAfterSeconds)));
  }
}

const inMinutes = (seconds: number) => {
  const minutes = Math.max(1, Math.ceil(seconds / 60));
  return `${minutes} minute${minutes === 1 ? '' : 's'}`;
};
const tryAgainIn = (wait: string) => `Too many attempts. Try again in ${wait}.`;
/** Said when one account is under attack from many addresses: its own owner is paused too, and told why. */
const accountLocked = (wait: string) =>
  `Too many failed sign-ins for this email. For your security, sign-in to it is paused for ${wait}.`;

export class Throttle {
  private limiters: Record<Name, RateLimiterAbstract>;

  constructor(registry: Registry, redis: RedisLink | null, overrides: Partial<Record<Name, Partial<Policy>>> = {}) {
    const names = Object.keys(policies) as Name[];
    this.limiters = Object.fromEntries(
      names.map((n) => [n, buildLimiter(registry, redis, { ...policies[n], ...overrides[n] })]),
    ) as Record<Name, RateLimiterAbstract>;
  }

  /**
   * Take one attempt from the pair and the address, then — only if both allow it — from the account, before the
   * password is checked; throws TooManyAttemptsError if any is used up. One address can therefore never lock an account
   * (its own limits stop it first). A sign-in that succeeds gives its points back (signinSucceeded).
   */
  async beginSignin(email: string, ip: string) {
    const address = addressKey(ip);
    const taken = await Promise.allSettled([
      this.take('signinEmailIp', `${email}|${address}`),
      this.take('signinIp', address),
    ]);
    const refused = taken.find((t): t is PromiseRejectedResult => t.status === 'rejected');
    if (refused) throw refused.reason;
    await this.take('signinEmail', email).catch((err) => {
      // The account-wide lockout gets its own words; the owner is paused too, and should know why.
      throw TooManyAttemptsError.is(err) ? new TooManyAttemptsError(err.retryAfterSeconds, accountLocked) : err;
    });
  }

  /** The right password: this pair's failures are forgotten, and the account and address get their point back. */
  async signinSucceeded(email: string, ip: string) {
    const address = addressKey(ip);
    await Promise.all([
      this.limiters.signinEmailIp.delete(`${email}|${address}`),
      this.limiters.signinEmail.reward(email, 1),
      this.limiters.signinIp.reward(address, 1),
    ]);
  }

  /** A right password whose account then asks for its code: the attempt is given back, its earlier failures are not. */
  async secondStepAsked(email: string, ip: string) {
    const address = addressKey(ip);
    await Promise.all([
      this.limiters.signinEmailIp.reward(`${email}|${address}`, 1),
      this.limiters.signinEmail.reward(email, 1),
      this.limiters.signinIp.reward(address, 1),
    ]);
  }

  /** One password-reset email asked for this address and this email (taken before anything is looked up). */
  async resetRequested(email: string, ip: string) {
    await this.take('resetIp', addressKey(ip));
    await this.take('resetEmail', email);
  }

  signupAttempt(ip: string) {
    return this.take('signupIp', addressKey(ip));
  }

  passwordChangeAttempt(tenantId: string, adminId: string) {
    return this.take('passwordChange', `${tenantId}:${adminId}`);
  }

  verificationMail(tenantId: string, adminId: string) {
    return this.take('verificationMail', `${tenantId}:${adminId}`);
  }

  inviteAttempt(tenantId: string) {
    return this.take('invites', tenantId);
  }

  /** One card from this address to this church (taken before the church's database is touched). */
  connectCardAddress(tenantId: string, ip: string) {
    return this.take('connectCardIp', `${tenantId}|${addressKey(ip)}`);
  }

  /** One card to this church from anyone (taken once the card is known to be well formed). */
  connectCardChurch(tenantId: string) {
    return this.take('connectCardChurch', tenantId);
  }

  /** One point from `name` for `key`; over the limit it is a TooManyAttemptsError, a dead store is "busy". */
  private async take(name: Name, key: string) {
    await this.limiters[name].consume(key).catch((err) => {
      if (err instanceof RateLimiterRes) throw new TooManyAttemptsError(err.msBeforeNext / 1000);
      if (isDatabaseOutage(err)) throw new RegistryUnavailableError(err); // "busy, try again"
      throw err;
    });
  }
}

/** A limiter shared by every instance: Redis when configured and up, the registry's rate_limits table otherwise. */
export function buildLimiter(registry: Registry, redis: RedisLink | null, policy: Policy): RateLimiterAbstract {
  // rate-limiter-flexible speaks node-postgres' query({ text, values }); postgres.js answers it through unsafe().
  const storeClient = {
    query: async (q: { text: string; values?: unknown[] }) => {
      const result = await registry.sql.unsafe(q.text, (q.values ?? []) as never[]);
      return { rows: result, rowCount: result.count }; // the limiter reads rowCount (0 = no counter yet)
    },
  };
  // Expired rows are deleted by the worker's maintenance pass (server/jobs/maintenance.ts), once for all limiters.
  const pg = new RateLimiterPostgres({
    ...policy,
    storeClient,
    storeType: 'pool',
    tableName: 'rate_limits',
    tableCreated: true,
    clearExpiredByTimeout: false,
  });
  if (!redis?.client) return pg;
  return new RateLimiterRedis({
    ...policy,
    storeClient: redis.client,
    rejectIfRedisNotReady: true,
    insuranceLimiter: pg,
  });
}
