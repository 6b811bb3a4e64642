import { and, asc, eq } from 'drizzle-orm';
import { phoneNumberIndex } from '@/db/registry/schema';
import { Conflict, Invalid, NotFound } from '@/server/domain-errors';
import { isUniqueViolation } from '@/server/errors';
import { withDeadline } from '@/server/registry';
import type { Services } from '@/server/services';
import { formatPhone, normalisePhone } from './phone';

/**
 * A church's sending numbers live in the registry's phone index: that is how an inbound text finds its church, and
 * its primary key makes a number belong to one church only. Each change is forgotten by the number router's cache.
 */

type Deps = Pick<Services, 'messaging' | 'profiles' | 'registry'>;

/** The church's numbers, oldest first, each also as the church reads it (`display`). */
export async function churchNumbers({ registry, profiles }: Pick<Services, 'registry' | 'profiles'>, tenantId: string) {
  const query = registry.db
    .select({ number: phoneNumberIndex.e164, assignedAt: phoneNumberIndex.createdAt })
    .from(phoneNumberIndex)
    .where(eq(phoneNumberIndex.tenantId, tenantId))
    .orderBy(asc(phoneNumberIndex.createdAt), asc(phoneNumberIndex.e164));
  const [rows, country] = await Promise.all([withDeadline(query, registry.timeoutMs), profiles.country(tenantId)]);
  return rows.map((row) => ({ ...row, display: formatPhone(row.number, country) }));
}

export async function assignNumber(deps: Deps, tenantId: string, typed: string) {
  const country = await deps.profiles.country(tenantId);
  const e164 = normalisePhone(typed, country);
  if (!e164) throw new Invalid('That is not a valid phone number.');
  const { registry } = deps;
  try {
    await withDeadline(registry.db.insert(phoneNumberIndex).values({ e164, tenantId }), registry.timeoutMs);
  } catch (err) {
    if (!isUniqueViolation(err, 'phone_number_index_pkey')) throw err;
    const mine = (await ownerOf(deps, e164)) === tenantId;
    throw new Conflict(
      mine ? 'This number is already one of yours.' : 'This number is already in use by another account.',
    );
  }
  deps.messaging.numbers.forget(e164, tenantId);
  return { number: e164, display: formatPhone(e164, country) };
}

export async function releaseNumber(deps: Deps, tenantId: string, typed: string) {
  const e164 = normalisePhone(typed, await deps.profiles.country(tenantId)) ?? typed;
  const { registry } = deps;
  const [gone] = await withDeadline(
    registry.db
      .delete(phoneNumberIndex)
      .where(and(eq(phoneNumberIndex.e164, e164), eq(phoneNumberIndex.tenantId, tenantId)))
      .returning({ e164: phoneNumberIndex.e164 }),
    registry.timeoutMs,
  );
  if (!gone) throw new NotFound('That number is not one of yours.');
  deps.messaging.numbers.forget(e164, tenantId);
  return { ok: true };
}

async function ownerOf({ registry }: Pick<Services, 'registry'>, e164: string) {
  const owner = registry.db
    .select({ tenantId: phoneNumberIndex.tenantId })
    .from(phoneNumberIndex)
    .where(eq(phoneNumberIndex.e164, e164));
  return (await withDeadline(owner, registry.timeoutMs))[0]?.tenantId;
}
