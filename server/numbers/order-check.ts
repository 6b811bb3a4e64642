import type { Task } from 'graphile-worker';
import { and, eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { RegistryDb } from '@/db/registry';
import { phoneNumberIndex } from '@/db/registry/schema';
import { addJobInTransaction } from '@/server/jobs/queue';
import { log } from '@/server/log';
import { enqueueRegistrationCheck } from '@/server/registration/progress';
import { withDeadline } from '@/server/registry';
import type { Services } from '@/server/services';
import { registrationKindOf } from './regions';

/**
 * Every number order is followed by this job until it is settled. It is added with the reservation, in the same
 * transaction, so a number can never be left half-bought:
 *   - `pending` with the provider's order: asks for the order's state (Telnyx completes most at once, some later);
 *   - `pending` without one (the order's answer was lost), or still `ordering` a minute on (the process died
 *     mid-order): asks whether the account holds the number.
 * The number switches on when it is ours, and is freed when it is not. While undecided, the job throws so the queue
 * tries again with its backoff (about a day over its attempts); a lost answer is decided after a few tries.
 */
export const ORDER_CHECK_TASK = 'check_number_order';
const payload = z.object({ number: z.string().regex(/^\+\d{8,15}$/) });
const LOST_ANSWER_TRIES = 4;

/** Inside the caller's transaction: in a minute, and again whenever the number's order changes. */
export function enqueueOrderCheck(tx: Pick<RegistryDb, 'execute'>, tenantId: string, e164: string) {
  // Keys name the church, as every job key does (jobs/queue.ts), then what they act on.
  return addJobInTransaction(
    tx,
    ORDER_CHECK_TASK,
    { number: e164 },
    { jobKey: `number-order:${tenantId}:${e164}`, maxAttempts: 15, runAt: new Date(Date.now() + 60_000) },
  );
}

export function orderCheckTask(services: Pick<Services, 'inventory' | 'messaging' | 'registry'>): Task {
  const { registry, inventory } = services;
  return async (raw, helpers) => {
    const { number } = payload.parse(raw);
    const [row] = await registry.db
      .select({
        tenantId: phoneNumberIndex.tenantId,
        status: phoneNumberIndex.status,
        orderId: phoneNumberIndex.orderId,
        recent: sql<boolean>`${phoneNumberIndex.createdAt} > now() - interval '1 minute'`,
      })
      .from(phoneNumberIndex)
      .where(eq(phoneNumberIndex.e164, number));
    if (!row || row.status === 'active') return; // settled: bought, released, or never ours
    if (row.status === 'ordering' && row.recent) throw new Error(`number ${number} is still being ordered`);
    const outcome = row.orderId
      ? await inventory.orderStatus(row.orderId)
      : await lostAnswer(inventory, number, helpers?.job?.attempts ?? 1);
    if (outcome === 'pending') throw new Error(`number order for ${number} is still pending`);
    const where = and(eq(phoneNumberIndex.e164, number), eq(phoneNumberIndex.status, row.status));
    if (outcome === 'success') await markActive(registry, row.tenantId, number, row.orderId, where);
    else await registry.db.delete(phoneNumberIndex).where(where);
    services.messaging.numbers.forget(number, row.tenantId);
    log.info('number order settled', { number, outcome });
  };
}

/**
 * The number is the church's: it routes and sends. Its church's registration check runs with it, so a number bought
 * after the church's registration was approved is attached to the campaign too (registration/progress.ts).
 */
export async function markActive(
  registry: Services['registry'],
  tenantId: string,
  e164: string,
  orderId: string | null,
  where = eq(phoneNumberIndex.e164, e164),
) {
  const work = registry.db.transaction(async (tx) => {
    await tx.update(phoneNumberIndex).set({ status: 'active', orderId }).where(where);
    await enqueueRegistrationCheck(tx, tenantId, registrationKindOf(e164));
  });
  await withDeadline(work, registry.timeoutMs);
}

/** An order whose answer never came: ours if the account holds the number; not, once asked often enough. */
async function lostAnswer(inventory: Services['inventory'], e164: string, attempts: number) {
  if (await inventory.holds(e164)) return 'success' as const;
  return attempts >= LOST_ANSWER_TRIES ? ('failure' as const) : ('pending' as const);
}
