import { RateLimiterPostgres, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { errorKind } from '@/server/errors';
import type { RedisLink } from '@/server/redis';
import { isDatabaseOutage, type Registry } from '@/server/registry';
import { RegistryUnavailableError } from '@/server/tenancy/resolver';

/**
 * Brute-force protection shared by every server instance: counters live in Redis when it is configured and in
 * the registry's rate_limits table otherwise — and whenever Redis is down (the PostgreSQL limiter is its insurance).
 */
export type Policy = { keyPrefix: string; points: number; duration: number; blockDuration: number };

export const policies = {
  /** Failed sign-ins for one email from one address: 5 in 15 minutes locks that pair out for 15 minutes. */
  signinEmailIp: { keyPrefix: 'signin_email_ip', points: 5, duration: 15 * 60, blockDuration: 15 * 60 },
  /** Failed sign-ins from one address across all emails: 30 an hour locks the address out for an hour. */
  signinIp: { keyPrefix: 'signin_ip', points: 30, duration: 60 * 60, blockDuration: 60 * 60 },
  /** Signups from one address: 10 an hour. */
  signupIp: { keyPrefix: 'signup_ip', points: 10, duration: 60 * 60, blockDuration: 60 * 60 },
} satisfies Record<string, Policy>;

export class TooManyAttemptsError extends errorKind('TooManyAttempts') {
  constructor(readonly retryAfterSeconds: number) {
    super(`Too many attempts. Try again in ${Math.max(1, Math.ceil(retryAfterSeconds / 60))} minute${retryAfterSeconds > 60 ? 's' : ''}.`);
  }
}

export class Throttle {
  private limiters: { [K in keyof typeof policies]: RateLimiterAbstract };

  constructor(registry: Registry, redis: RedisLink | null, overrides: Partial<Record<keyof typeof policies, Partial<Policy>>> = {}) {
    const build = (name: keyof typeof policies) => buildLimiter(registry, redis, { ...policies[name], ...overrides[name] });
    this.limiters = { signinEmailIp: build('signinEmailIp'), signinIp: build('signinIp'), signupIp: build('signupIp') };
    this.points = { signinEmailIp: this.limiters.signinEmailIp.points, signinIp: this.limiters.signinIp.points };
  }
  private points: { signinEmailIp: number; signinIp: number };

  /** Throws TooManyAttemptsError while this email+address or this address is locked out. */
  async assertSigninAllowed(email: string, ip: string) {
    const [pair, address] = await Promise.all([this.limiters.signinEmailIp.get(`${email}|${ip}`), this.limiters.signinIp.get(ip)]);
    for (const [res, points] of [[pair, this.points.signinEmailIp], [address, this.points.signinIp]] as const) {
      if (res && res.consumedPoints >= points) throw new TooManyAttemptsError(res.msBeforeNext / 1000);
    }
  }

  async signinFailed(email: string, ip: string) {
    await Promise.all([this.limiters.signinEmailIp.consume(`${email}|${ip}`), this.limiters.signinIp.consume(ip)].map((p) => p.catch(swallowLimit)));
  }

  async signinSucceeded(email: string, ip: string) {
    await this.limiters.signinEmailIp.delete(`${email}|${ip}`);
  }

  async signupAttempt(ip: string) {
    await this.limiters.signupIp.consume(ip).catch((err) => {
      if (err instanceof RateLimiterRes) throw new TooManyAttemptsError(err.msBeforeNext / 1000);
      if (isDatabaseOutage(err)) throw new RegistryUnavailableError(err); // "busy, try again", like the rest of signup
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
  const pg = new RateLimiterPostgres({ ...policy, storeClient, storeType: 'pool', tableName: 'rate_limits', tableCreated: true, clearExpiredByTimeout: false });
  if (!redis?.client) return pg;
  return new RateLimiterRedis({ ...policy, storeClient: redis.client, rejectIfRedisNotReady: true, insuranceLimiter: pg });
}

/** consume() rejects with a RateLimiterRes once over the limit: that is the lockout starting, not an error. */
function swallowLimit(err: unknown) {
  if (!(err instanceof RateLimiterRes)) throw err;
}
