import { and, asc, count, eq, sql } from 'drizzle-orm';
import type { RegistryDb } from '@/db/registry';
import { phoneNumberIndex, tenants } from '@/db/registry/schema';
import type { TenantDb } from '@/db/tenant';
import { withActivity } from '@/server/activity/record';
import { Conflict, Invalid, NotFound, Precondition, TryAgain } from '@/server/domain-errors';
import { isUniqueViolation } from '@/server/errors';
import { log } from '@/server/log';
import { withDeadline } from '@/server/registry';
import type { Services } from '@/server/services';
import { formatPhone } from '@/server/messaging/phone';
import { InventoryRefusal, InventoryUnavailable, type NumberSearch } from './inventory';
import { enqueueOrderCheck, markActive } from './order-check';

/**
 * The numbers a church owns. Each is bought through the inventory (Telnyx, or the simulated one) and recorded in
 * the registry's phone index, which is what routes its inbound texts and lets the church send from it. A number is
 * reserved in the index before the provider is asked, so two churches can never buy the same one.
 */
type Deps = Pick<Services, 'config' | 'inventory' | 'messaging' | 'profiles' | 'registry'>;

/** Who is buying or releasing, for the church's activity log (written in the church's database beside the change). */
type Scope = { db: TenantDb; tenantId: string; adminId: string };

const SEARCH_LIMIT = 20;

/** The church's numbers in the registry's index, oldest first (within the registry's deadline). */
export function churchNumberRows(registry: Deps['registry'], tenantId: string) {
  const query = registry.db
    .select({
      number: phoneNumberIndex.e164,
      provider: phoneNumberIndex.provider,
      status: phoneNumberIndex.status,
      monthlyCostCents: phoneNumberIndex.monthlyCostCents,
      currency: phoneNumberIndex.currency,
      orderedAt: phoneNumberIndex.createdAt,
      /** Registered with US carriers (registration/): until then it texts no US phone. */
      registered: sql<boolean>`${phoneNumberIndex.registeredAt} is not null`,
    })
    .from(phoneNumberIndex)
    .where(eq(phoneNumberIndex.tenantId, tenantId))
    .orderBy(asc(phoneNumberIndex.createdAt), asc(phoneNumberIndex.e164));
  return withDeadline(query, registry.timeoutMs);
}

/** The church's numbers, oldest first, each also as the church reads it; and how many it may hold. */
export async function churchNumbers(deps: Deps, tenantId: string) {
  const [rows, country, limit] = await Promise.all([
    churchNumberRows(deps.registry, tenantId),
    deps.profiles.country(tenantId),
    numberLimit(deps, tenantId),
  ]);
  return {
    numbers: rows.map((row) => ({ ...row, display: formatPhone(row.number, country) })),
    limit,
    simulated: deps.inventory.name === 'simulated',
  };
}

/** Numbers for sale, each with its monthly cost; none the platform already holds for any church. */
export async function searchNumbers(deps: Deps, tenantId: string, query: NumberSearch) {
  const [found, country] = await Promise.all([
    providerCall(() => deps.inventory.search(query, SEARCH_LIMIT)),
    deps.profiles.country(tenantId),
  ]);
  return found.map((n) => ({ ...n, display: formatPhone(n.number, country) }));
}

/** Buy a number for the church: reserve it, order it, then record how the order went. */
export async function orderNumber(deps: Deps, scope: Scope, e164: string) {
  // Checked again under a lock when reserving; first here, so a church at its limit never waits on the provider.
  await withDeadline(underLimit(deps.config, deps.registry.db, scope.tenantId), deps.registry.timeoutMs);
  const offer = await providerCall(() => deps.inventory.price(e164));
  if (!offer) throw new Conflict('That number is no longer available. Search again.');
  // The reservation carries its own check job: if anything below dies, the job finds out from the provider.
  await reserve(deps, scope, { ...offer, provider: deps.inventory.name });
  let placed: { orderId: string | null; status: 'success' | 'pending' };
  try {
    placed = await deps.inventory.order(e164, scope.tenantId);
  } catch (err) {
    if (!InventoryRefusal.is(err) && !InventoryUnavailable.is(err)) throw err; // the check job settles it
    // A refusal is final: the number is free again. No answer may still have bought it: the check job will know.
    if (InventoryRefusal.is(err)) {
      await unreserve(deps, scope.tenantId, e164);
      throw new Conflict(err.message);
    }
    log.warn('number order unconfirmed; its check job will settle it', { number: e164 });
    placed = { orderId: null, status: 'pending' as const };
  }
  const status = placed.status === 'success' ? 'active' : 'pending';
  const bought = {
    action: 'number.bought',
    by: { adminId: scope.adminId },
    subject: e164,
    details: { status, monthlyCostCents: offer.monthlyCostCents, currency: offer.currency },
  } as const;
  await withActivity(scope.db, bought, () =>
    status === 'active'
      ? markActive(deps.registry, scope.tenantId, e164, placed.orderId)
      : markPending(deps, scope.tenantId, e164, placed.orderId),
  );
  deps.messaging.numbers.forget(e164, scope.tenantId);
  log.info('number ordered', { number: e164, provider: deps.inventory.name, status });
  const country = await deps.profiles.country(scope.tenantId);
  return { number: e164, display: formatPhone(e164, country), status };
}

/** Give a number back to the provider, once the owner has typed it to confirm. */
export async function releaseNumber(deps: Deps, scope: Scope, e164: string, confirmation: string) {
  const { tenantId } = scope;
  if (digits(confirmation) !== digits(e164) && digits(confirmation) !== digits(e164).slice(1))
    throw new Invalid('Type the number exactly as shown to release it.', 'confirmation');
  const [row] = await withDeadline(
    deps.registry.db
      .select({ provider: phoneNumberIndex.provider, status: phoneNumberIndex.status })
      .from(phoneNumberIndex)
      .where(and(eq(phoneNumberIndex.e164, e164), eq(phoneNumberIndex.tenantId, tenantId))),
    deps.registry.timeoutMs,
  );
  if (!row) throw new NotFound('That number is not one of yours.');
  // Until its order completes the provider cannot give it back; the order check switches it on (or frees it).
  if (row.status !== 'active')
    throw new Precondition('That number is still being set up by the carrier. Try again once it is ready.');
  // Numbers typed in before ordering existed were never bought through Steeple: there is nothing to give back.
  if (row.provider !== 'claimed') await providerCall(() => deps.inventory.release(e164));
  const released = { action: 'number.released', by: { adminId: scope.adminId }, subject: e164 } as const;
  await withActivity(scope.db, released, () => unreserve(deps, tenantId, e164));
  log.info('number released', { number: e164, provider: row.provider });
  return { ok: true };
}

/** A deleted church's numbers go back to the provider, so nobody pays for them; throws if one could not be. */
export async function releaseAllNumbers(deps: Pick<Deps, 'inventory' | 'messaging' | 'registry'>, tenantId: string) {
  const held = await deps.registry.db
    .select({ e164: phoneNumberIndex.e164, provider: phoneNumberIndex.provider, status: phoneNumberIndex.status })
    .from(phoneNumberIndex)
    .where(eq(phoneNumberIndex.tenantId, tenantId));
  // An order still in flight cannot be given back yet: the purge is retried once its check has settled it.
  if (held.some((n) => n.status !== 'active')) throw new Error('a number order is still being completed');
  for (const { e164, provider } of held) {
    if (provider !== 'claimed') await deps.inventory.release(e164);
    await unreserve(deps, tenantId, e164);
  }
  if (held.length) log.info('numbers released with their church', { tenantId, count: held.length });
}

/** An operator's override of NUMBERS_PER_CHURCH for one church (null: back to the default). */
export async function setNumberLimit(registry: Deps['registry'], tenantId: string, limit: number | null) {
  await registry.db.update(tenants).set({ numberLimit: limit }).where(eq(tenants.id, tenantId));
  return { numberLimit: limit };
}

async function numberLimit({ config, registry }: Pick<Deps, 'config' | 'registry'>, tenantId: string) {
  const [row] = await withDeadline(limitOf(registry.db, tenantId), registry.timeoutMs);
  return row?.limit ?? config.NUMBERS_PER_CHURCH;
}

/** The church's own limit (null: NUMBERS_PER_CHURCH), read by the list and, under a lock, by an order. */
const limitOf = (db: RegistryDb, tenantId: string) =>
  db.select({ limit: tenants.numberLimit }).from(tenants).where(eq(tenants.id, tenantId));

/** The number goes into the index as `ordering`, within the church's limit (counted under a lock on the church). */
async function reserve(
  deps: Deps,
  scope: { tenantId: string; adminId: string },
  offer: { number: string; monthlyCostCents: number | null; currency: string; provider: 'telnyx' | 'simulated' },
) {
  const work = deps.registry.db.transaction(async (tx) => {
    await underLimit(deps.config, tx, scope.tenantId, true);
    await tx.insert(phoneNumberIndex).values({
      e164: offer.number,
      tenantId: scope.tenantId,
      provider: offer.provider,
      status: 'ordering',
      monthlyCostCents: offer.monthlyCostCents,
      currency: offer.currency,
      orderedBy: scope.adminId,
    });
    await enqueueOrderCheck(tx, scope.tenantId, offer.number);
  });
  try {
    await withDeadline(work, deps.registry.timeoutMs);
  } catch (err) {
    if (!isUniqueViolation(err, 'phone_number_index_pkey')) throw err;
    throw new Conflict('Someone else just bought that number. Search again.');
  }
}

/** Refuses when the church holds all the numbers it may; `lock` serialises one church's orders (in a transaction). */
async function underLimit(config: Deps['config'], db: RegistryDb, tenantId: string, lock = false) {
  const church = limitOf(db, tenantId);
  const [row] = lock ? await church.for('update') : await church;
  const limit = row?.limit ?? config.NUMBERS_PER_CHURCH;
  const [held] = await db.select({ n: count() }).from(phoneNumberIndex).where(eq(phoneNumberIndex.tenantId, tenantId));
  if ((held?.n ?? 0) < limit) return;
  throw new Precondition(
    limit === 1
      ? 'Your plan includes one sending number, and you have it. Release it first, or ask us for more.'
      : `Your plan includes ${limit} sending numbers, and you have them all. Release one first, or ask us for more.`,
  );
}

/** The order's outcome is not known yet: the number waits as `pending`, and its check job looks again soon. */
async function markPending(
  { registry }: Pick<Deps, 'registry'>,
  tenantId: string,
  e164: string,
  orderId: string | null,
) {
  const work = registry.db.transaction(async (tx) => {
    await tx.update(phoneNumberIndex).set({ status: 'pending', orderId }).where(eq(phoneNumberIndex.e164, e164));
    await enqueueOrderCheck(tx, tenantId, e164);
  });
  await withDeadline(work, registry.timeoutMs);
}

async function unreserve(
  { registry, messaging }: Pick<Deps, 'messaging' | 'registry'>,
  tenantId: string,
  e164: string,
) {
  await withDeadline(
    registry.db
      .delete(phoneNumberIndex)
      .where(and(eq(phoneNumberIndex.e164, e164), eq(phoneNumberIndex.tenantId, tenantId))),
    registry.timeoutMs,
  );
  messaging.numbers.forget(e164, tenantId);
}

/** The provider's answers as the admin should read them. */
async function providerCall<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (InventoryRefusal.is(err)) throw new Conflict(err.message);
    if (InventoryUnavailable.is(err)) throw new TryAgain(err.message);
    throw err;
  }
}

const digits = (s: string) => s.replace(/\D/g, '');
