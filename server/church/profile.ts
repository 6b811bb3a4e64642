import { eq } from 'drizzle-orm';
import { LRUCache } from 'lru-cache';
import { churches } from '@/db/registry/schema';
import { type Registry, withDeadline } from '@/server/registry';

/**
 * A church's public identity (name, timezone, country, contact), kept in the registry beside its routing: the
 * webhook needs it before it knows anything else (HELP replies), and members' phone numbers are read against the
 * country. Cached for ten seconds; `forget` after an edit makes this instance see it at once.
 */
export type ChurchProfile = Pick<
  typeof churches.$inferSelect,
  'name' | 'timezone' | 'country' | 'contactPhone' | 'contactEmail'
>;

/** Profiles per church, cached briefly on Services (one cache per process, whichever bundle asks). */
export class ChurchProfiles {
  private cache = new LRUCache<string, ChurchProfile>({ max: 10_000, ttl: 10_000 });

  constructor(private registry: Registry) {}

  async get(tenantId: string): Promise<ChurchProfile> {
    const hit = this.cache.get(tenantId);
    if (hit) return hit;
    const [row] = await withDeadline(
      this.registry.db
        .select({
          name: churches.name,
          timezone: churches.timezone,
          country: churches.country,
          contactPhone: churches.contactPhone,
          contactEmail: churches.contactEmail,
        })
        .from(churches)
        .where(eq(churches.tenantId, tenantId)),
      this.registry.timeoutMs,
    );
    if (!row) throw new Error(`no church profile for tenant ${tenantId}`);
    this.cache.set(tenantId, row);
    return row;
  }

  /** After an edit: this instance sees it at once, the others within the TTL. */
  forget(tenantId: string) {
    this.cache.delete(tenantId);
  }
}
