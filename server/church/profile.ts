import { eq } from 'drizzle-orm';
import { LRUCache } from 'lru-cache';
import { churches, tenants } from '@/db/registry/schema';
import type { TenantDb } from '@/db/tenant';
import { withActivity } from '@/server/activity/record';
import { Invalid } from '@/server/domain-errors';
import { normalisePhone } from '@/server/messaging/phone';
import { type Registry, withDeadline } from '@/server/registry';
import type { Services } from '@/server/services';
import { requireTimeZone } from './timezones';

/**
 * A church's public identity (name, timezone, country, contact), kept in the registry beside its routing: the
 * webhook needs it before it knows anything else (HELP replies), and members' phone numbers are read against the
 * country. Cached for ten seconds; `forget` after an edit makes this instance see it at once.
 */
export type ChurchProfile = Pick<
  typeof churches.$inferSelect,
  'name' | 'timezone' | 'country' | 'contactPhone' | 'contactEmail'
> &
  Pick<typeof tenants.$inferSelect, 'slug'>;

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
          slug: tenants.slug, // the connect card's address, /c/<slug>
        })
        .from(churches)
        .innerJoin(tenants, eq(tenants.id, churches.tenantId))
        .where(eq(churches.tenantId, tenantId)),
      this.registry.timeoutMs,
    );
    if (!row) throw new Error(`no church profile for tenant ${tenantId}`);
    this.cache.set(tenantId, row);
    return row;
  }

  /** The country members' numbers are read and shown against. */
  async country(tenantId: string): Promise<string> {
    return (await this.get(tenantId)).country;
  }

  /** After an edit: this instance sees it at once, the others within the TTL. */
  forget(tenantId: string) {
    this.cache.delete(tenantId);
  }
}

type ProfileEdit = Pick<ChurchProfile, 'timezone' | 'country'> & {
  churchName: string;
  contactPhone?: string | null;
  contactEmail?: string | null;
};

/**
 * Name, timezone, country (how members' numbers are read) and the contact given in HELP replies. Kept in the registry;
 * the activity log's row (which fields changed) is written around it in the church's database.
 */
export async function updateChurchProfile(
  { registry, profiles }: Pick<Services, 'registry' | 'profiles'>,
  { db, tenantId, adminId }: { db: TenantDb; tenantId: string; adminId: string },
  input: ProfileEdit,
) {
  const contactPhone = input.contactPhone ? normalisePhone(input.contactPhone, input.country) : null;
  if (input.contactPhone && !contactPhone) throw new Invalid('Enter a valid phone number', 'contactPhone');
  await requireTimeZone(registry, input.timezone);
  const changes = {
    name: input.churchName,
    timezone: input.timezone,
    country: input.country,
    contactPhone,
    contactEmail: input.contactEmail || null,
    updatedAt: new Date(),
  };
  const before = await profiles.get(tenantId);
  const after = { ...changes, churchName: changes.name };
  const changed = PROFILE_FIELDS.filter(([field, key]) => (before[field] ?? null) !== (after[key] ?? null));
  const entry = {
    action: 'church.profile_changed',
    by: { adminId },
    subject: input.churchName,
    details: { changed: changed.map(([, , label]) => label).join(', ') },
  } as const;
  await withActivity(db, entry, () =>
    withDeadline(registry.db.update(churches).set(changes).where(eq(churches.tenantId, tenantId)), registry.timeoutMs),
  );
  profiles.forget(tenantId);
  return profiles.get(tenantId);
}

/** The profile's fields as stored, as edited, and as the activity log names them. */
const PROFILE_FIELDS = [
  ['name', 'churchName', 'name'],
  ['timezone', 'timezone', 'timezone'],
  ['country', 'country', 'country'],
  ['contactPhone', 'contactPhone', 'contact phone'],
  ['contactEmail', 'contactEmail', 'contact email'],
] as const;
