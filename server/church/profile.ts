import { eq } from 'drizzle-orm';
import { churches } from '@/db/registry/schema';
import type { Registry } from '@/server/registry';
import { withDeadline } from '@/server/tenancy/resolver';

/**
 * A church's public identity (name, timezone, country, contact), kept in the registry beside its routing: the
 * webhook needs it before it knows anything else (HELP replies), and members' phone numbers are read against the
 * country. Cached for a few seconds; `forgetProfile` after an edit makes this instance see it at once.
 */
export type ChurchProfile = Pick<typeof churches.$inferSelect, 'name' | 'timezone' | 'country' | 'contactPhone' | 'contactEmail'>;

const TTL_MS = 10_000;
const cache = new Map<string, { profile: ChurchProfile; expires: number }>();

export async function churchProfile(registry: Registry, tenantId: string, timeoutMs = 2_000): Promise<ChurchProfile> {
  const hit = cache.get(tenantId);
  if (hit && hit.expires > Date.now()) return hit.profile;
  const [row] = await withDeadline(
    registry.db
      .select({ name: churches.name, timezone: churches.timezone, country: churches.country, contactPhone: churches.contactPhone, contactEmail: churches.contactEmail })
      .from(churches)
      .where(eq(churches.tenantId, tenantId)),
    timeoutMs,
  );
  if (!row) throw new Error(`no church profile for tenant ${tenantId}`);
  if (cache.size > 10_000) cache.clear();
  cache.set(tenantId, { profile: row, expires: Date.now() + TTL_MS });
  return row;
}

export const forgetProfile = (tenantId: string) => cache.delete(tenantId);
