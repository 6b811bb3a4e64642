import type { Task } from 'graphile-worker';
import { and, eq } from 'drizzle-orm';
import { z } from 'zod';
import { phoneNumberIndex } from '@/db/registry/schema';
import { addJobInTransaction } from '@/server/jobs/queue';
import { log } from '@/server/log';
import { type Registry, withDeadline } from '@/server/registry';
import type { Services } from '@/server/services';

/**
 * A number order the provider accepted but has not completed (Telnyx completes most at once; some take minutes).
 * The number neither routes nor sends until this job sees the order succeed; a failed order frees the number.
 * While pending, the job throws so the queue retries it with its backoff (about a day over its attempts).
 */
export const ORDER_CHECK_TASK = 'check_number_order';
const payload = z.object({ number: z.string().regex(/^\+\d{8,15}$/) });

export function enqueueOrderCheck(registry: Registry, e164: string) {
  const job = addJobInTransaction(
    registry.db,
    ORDER_CHECK_TASK,
    { number: e164 },
    { jobKey: `number-order:${e164}`, maxAttempts: 15, runAt: new Date(Date.now() + 10_000) },
  );
  return withDeadline(job, registry.timeoutMs);
}

export function orderCheckTask(services: Pick<Services, 'inventory' | 'messaging' | 'registry'>): Task {
  const { registry } = services;
  return async (raw) => {
    const { number } = payload.parse(raw);
    const [row] = await registry.db
      .select({ tenantId: phoneNumberIndex.tenantId, orderId: phoneNumberIndex.orderId })
      .from(phoneNumberIndex)
      .where(and(eq(phoneNumberIndex.e164, number), eq(phoneNumberIndex.status, 'pending')));
    if (!row?.orderId) return; // completed, released, or never pending
    const status = await services.inventory.orderStatus(row.orderId);
    if (status === 'pending') throw new Error(`number order for ${number} is still pending`);
    const where = and(eq(phoneNumberIndex.e164, number), eq(phoneNumberIndex.status, 'pending'));
    if (status === 'success') await registry.db.update(phoneNumberIndex).set({ status: 'active' }).where(where);
    else await registry.db.delete(phoneNumberIndex).where(where);
    services.messaging.numbers.forget(number, row.tenantId);
    log.info('number order completed', { number, status });
  };
}
