import { and, eq, isNull, ne, sql } from 'drizzle-orm';
import { authSessions } from '@/db/registry/schema';
import { log } from '@/server/log';
import type { RedisLink } from '@/server/redis';
import type { Registry } from '@/server/registry';
import { randomToken } from '@/server/tokens';

const CHANNEL = 'steeple:sessions:revoked';

/**
 * Session revocation. PostgreSQL (the registry's auth_sessions) is the record; every server instance keeps the
 * set of revoked, unexpired session ids in memory, refreshed by a small poll every `pollMs` — so a revocation
 * reaches every instance within a second whether or not Redis is up. Redis, when configured, broadcasts
 * revocations so they usually arrive in milliseconds; losing it loses nothing.
 */
export class SessionRegistry {
  private revoked = new Map<string, number>(); // session id → expiry (ms)
  private cursor: Date | null = null;
  private timer: NodeJS.Timeout | null = null;
  private ready: Promise<void> | null = null;

  constructor(
    private registry: Registry,
    private redis: RedisLink | null,
    private opts: { pollMs: number; maxAgeSeconds: number },
  ) {}

  /** Load the current revocations and start following new ones. Idempotent. */
  start(): Promise<void> {
    // A failed first load is forgotten, so the next request tries again instead of failing forever.
    this.ready ??= (async () => {
      await this.poll(true);
      this.timer = setInterval(
        () => void this.poll(false).catch((err) => log.warn('revocation poll failed', { err })),
        this.opts.pollMs,
      );
      this.timer.unref();
      this.redis?.subscribe(CHANNEL, (message) => {
        const { id, expiresAt } = JSON.parse(message) as { id: string; expiresAt: number };
        this.revoked.set(id, expiresAt);
      });
    })().catch((err) => {
      this.ready = null;
      throw err;
    });
    return this.ready;
  }

  stop() {
    if (this.timer) clearInterval(this.timer);
  }

  async create(tenantId: string, adminId: string): Promise<{ id: string; expiresAt: Date }> {
    const id = randomToken(18);
    const expiresAt = new Date(Date.now() + this.opts.maxAgeSeconds * 1000);
    await this.registry.db.insert(authSessions).values({ id, tenantId, adminId, expiresAt });
    return { id, expiresAt };
  }

  isRevoked(sessionId: string): boolean {
    return this.revoked.has(sessionId);
  }

  revokeSession(sessionId: string) {
    return this.revokeWhere(and(eq(authSessions.id, sessionId), isNull(authSessions.revokedAt))!);
  }

  /** Sign out everywhere, password change, removal: every session of one admin, optionally but the current one. */
  revokeAdmin(tenantId: string, adminId: string, except?: string) {
    const where = and(
      eq(authSessions.tenantId, tenantId),
      eq(authSessions.adminId, adminId),
      isNull(authSessions.revokedAt),
      except ? ne(authSessions.id, except) : undefined,
    );
    return this.revokeWhere(where!);
  }

  private async revokeWhere(where: ReturnType<typeof and> & object) {
    const rows = await this.registry.db
      .update(authSessions)
      .set({ revokedAt: sql`now()` })
      .where(where)
      .returning({ id: authSessions.id, expiresAt: authSessions.expiresAt });
    for (const row of rows) {
      this.revoked.set(row.id, row.expiresAt.getTime());
      await this.redis?.publish(CHANNEL, JSON.stringify({ id: row.id, expiresAt: row.expiresAt.getTime() }));
    }
    return rows.length;
  }

  /** Fetch revocations since the last poll (with overlap, for transactions that committed late), drop expired ones. */
  private async poll(initial: boolean) {
    if (initial) {
      const [row] = await this.registry.sql<{ now: string }[]>`select now()`;
      this.cursor = new Date(row!.now); // drizzle makes this client return timestamps as text
    }
    const rows = initial
      ? await this.registry.sql<{ id: string; expires_at: string; revoked_at: string }[]>`
          select id, expires_at, revoked_at from auth_sessions where revoked_at is not null and expires_at > now()`
      : await this.registry.sql<{ id: string; expires_at: string; revoked_at: string }[]>`
          select id, expires_at, revoked_at from auth_sessions
          where revoked_at > ${this.cursor!.toISOString()}::timestamptz - interval '5 seconds'`;
    for (const row of rows) {
      const revokedAt = new Date(row.revoked_at);
      this.revoked.set(row.id, new Date(row.expires_at).getTime());
      if (!this.cursor || revokedAt > this.cursor) this.cursor = revokedAt;
    }
    const now = Date.now();
    for (const [id, expires] of this.revoked) if (expires < now) this.revoked.delete(id);
  }
}
