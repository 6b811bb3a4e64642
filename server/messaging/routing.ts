import { and, asc, eq, ne } from 'drizzle-orm';
import { LRUCache } from 'lru-cache';
import { phoneNumberIndex } from '@/db/registry/schema';
import { type Registry, withDeadline } from '@/server/registry';

/**
 * Phone numbers → churches, through the registry's phone index (a number routes to one church only). Webhooks
 * arrive hundreds a second, so answers are cached briefly; assigning or releasing a number forgets its entry here,
 * and other instances see the change within the TTL. Only numbers a church bought, with the order complete, count.
 */
const owned = and(eq(phoneNumberIndex.status, 'active'), ne(phoneNumberIndex.provider, 'claimed'));

const TTL_MS = 15_000;

export class NumberRouter {
  private byNumber = new LRUCache<string, { tenantId: string | null }>({ max: 50_000, ttl: TTL_MS }); // null: nobody's
  private byTenant = new LRUCache<string, string[]>({ max: 10_000, ttl: TTL_MS });

  constructor(private registry: Registry) {}

  /** The church a number belongs to, or null when no church has it. */
  async tenantFor(e164: string): Promise<string | null> {
    const hit = this.byNumber.get(e164);
    if (hit) return hit.tenantId;
    const [row] = await withDeadline(
      this.registry.db
        .select({ tenantId: phoneNumberIndex.tenantId })
        .from(phoneNumberIndex)
        .where(and(eq(phoneNumberIndex.e164, e164), owned)),
      this.registry.timeoutMs,
    );
    this.byNumber.set(e164, { tenantId: row?.tenantId ?? null });
    return row?.tenantId ?? null;
  }

  /** A church's sending numbers, oldest first (the first is its default). */
  async numbersOf(tenantId: string): Promise<string[]> {
    const hit = this.byTenant.get(tenantId);
    if (hit) return hit;
    const rows = await withDeadline(
      this.registry.db
        .select({ e164: phoneNumberIndex.e164 })
        .from(phoneNumberIndex)
        .where(and(eq(phoneNumberIndex.tenantId, tenantId), owned))
        .orderBy(asc(phoneNumberIndex.createdAt), asc(phoneNumberIndex.e164)),
      this.registry.timeoutMs,
    );
    const numbers = rows.map((r) => r.e164);
    this.byTenant.set(tenantId, numbers);
    return numbers;
  }

  forget(e164: string, tenantId: string) {
    this.byNumber.delete(e164);
    this.byTenant.delete(tenantId);
  }
}
