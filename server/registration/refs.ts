import { and, eq } from 'drizzle-orm';
import { registrationRefs, type RegistrationRef } from '@/db/registry/schema';
import { log } from '@/server/log';
import { withDeadline } from '@/server/registry';
import type { Services } from '@/server/services';

/**
 * The carrier's ids of each church's registration, in the registry: Telnyx's status webhooks name only these, and a
 * purged church's campaigns are found by them.
 */
type Deps = Pick<Services, 'registrar' | 'registry'>;

/** Whose a carrier id is; recorded before the id is kept in the church's database. */
export async function remember(
  deps: Pick<Deps, 'registry'>,
  tenantId: string,
  what: RegistrationRef['what'],
  ref: string,
) {
  const kind = what === 'verification' ? 'toll_free' : '10dlc';
  await withDeadline(
    deps.registry.db.insert(registrationRefs).values({ ref, tenantId, kind, what }).onConflictDoNothing(),
    deps.registry.timeoutMs,
  );
  return ref;
}

/** A purged church's campaigns are deactivated, so Telnyx stops billing them, and its ids are forgotten. */
export async function retireRegistrations(deps: Deps, tenantId: string) {
  const campaigns = await withDeadline(
    deps.registry.db
      .select({ ref: registrationRefs.ref })
      .from(registrationRefs)
      .where(and(eq(registrationRefs.tenantId, tenantId), eq(registrationRefs.what, 'campaign'))),
    deps.registry.timeoutMs,
  );
  for (const { ref } of campaigns) await deps.registrar.retireCampaign(ref);
  await withDeadline(
    deps.registry.db.delete(registrationRefs).where(eq(registrationRefs.tenantId, tenantId)),
    deps.registry.timeoutMs,
  );
  if (campaigns.length) log.info('campaigns deactivated with their church', { tenantId, count: campaigns.length });
}
