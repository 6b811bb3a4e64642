import { and, eq } from 'drizzle-orm';
import { churches, tenants } from '@/db/registry/schema';
import { withDeadline } from '@/server/registry';
import type { Services } from '@/server/services';

/**
 * The church a public connect card belongs to, found from the slug in its address through the registry — never from
 * anything the form sends. Only an active church has a card: a suspended, closed or unknown one gets "not available".
 */
export async function cardChurch({ registry }: Pick<Services, 'registry'>, slug: string) {
  if (!/^[a-z0-9-]{1,80}$/.test(slug)) return null;
  const [row] = await withDeadline(
    registry.db
      .select({ tenantId: tenants.id, slug: tenants.slug, name: churches.name })
      .from(tenants)
      .innerJoin(churches, eq(churches.tenantId, tenants.id))
      .where(and(eq(tenants.slug, slug), eq(tenants.status, 'active'))),
    registry.timeoutMs,
  );
  return row ?? null;
}

/** The card's public address: on the app's own host, so it is the one printed in the QR code. */
export const cardUrl = ({ config }: Pick<Services, 'config'>, slug: string) =>
  new URL(`/c/${slug}`, config.NEXTAUTH_URL ?? 'http://localhost:3000').toString();
