import { and, asc, eq, ne, sql } from 'drizzle-orm';
import { LRUCache } from 'lru-cache';
import { phoneNumberIndex } from '@/db/registry/schema';
import { type Registry, withDeadline } from '@/server/registry';

/**
 * Phone numbers → churches, through the registry's phone index (a number routes to one church only). Webhooks
 * arrive hundreds a second, so answers are cached briefly; assigning or releasing a number forgets its entry here,
 * and other instances see the change within the TTL. Only numbers a church bought, with the order complete, count —
 * except that a number typed in before buying existed (`claimed`) still brings its church a STOP and the reports of
 * texts it sent: someone's opt-out must never be lost.
 */
const active = eq(phoneNumberIndex.status, 'active');
const owned = and(active, ne(phoneNumberIndex.provider, 'claimed'));

const TTL_MS = 15_000;

type SendingNumber = { e164: string; registered: boolean };

export class NumberRouter {
  // tenantId null: nobody's.
  private byNumber = new LRUCache<string, { tenantId: string | null; claimed: boolean }>({ max: 50_000, ttl: TTL_MS });
  private byTenant = new LRUCache<string, SendingNumber[]>({ max: 10_000, ttl: TTL_MS });

  constructor(private registry: Registry) {}

  /**
   * The church a number belongs to, or null when no church has it. `orClaimed`: also a number the church typed in
   * before buying existed (for opt-outs and delivery reports only).
   */
  async tenantFor(e164: string, opts: { orClaimed?: boolean } = {}): Promise<string | null> {
    let hit = this.byNumber.get(e164);
    if (!hit) {
      const [row] = await withDeadline(
        this.registry.db
          .select({ tenantId: phoneNumberIndex.tenantId, provider: phoneNumberIndex.provider })
          .from(phoneNumberIndex)
          .where(and(eq(phoneNumberIndex.e164, e164), active)),
        this.registry.timeoutMs,
      );
      hit = { tenantId: row?.tenantId ?? null, claimed: row?.provider === 'claimed' };
      this.byNumber.set(e164, hit);
    }
    return hit.claimed && !opts.orClaimed ? null : hit.tenantId;
  }

  /** A church's sending numbers, oldest first (the first is its default). */
  async numbersOf(tenantId: string): Promise<string[]> {
    return (await this.sendingNumbers(tenantId)).map((n) => n.e164);
  }

  /** The same numbers, each with whether US carriers have registered it (registration/gate.ts). */
  async sendingNumbers(tenantId: string): Promise<SendingNumber[]> {
    const hit = this.byTenant.get(tenantId);
    if (hit) return hit;
    const rows = await withDeadline(
      this.registry.db
        .select({ e164: phoneNumberIndex.e164, registered: sql<boolean>`${phoneNumberIndex.registeredAt} is not null` })
        .from(phoneNumberIndex)
        .where(and(eq(phoneNumberIndex.tenantId, tenantId), owned))
        .orderBy(asc(phoneNumberIndex.createdAt), asc(phoneNumberIndex.e164)),
      this.registry.timeoutMs,
    );
    this.byTenant.set(tenantId, rows);
    return rows;
  }

  forget(e164: string, tenantId: string) {
    this.byNumber.delete(e164);
    this.byTenant.delete(tenantId);
  }
}
