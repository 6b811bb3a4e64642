import { and, eq, sql } from 'drizzle-orm';
import type { TenantDb } from '@/db/tenant';
import { messages, type MessageStatus } from '@/db/tenant/schema';

/** Delivery reports. Statuses only move forward: a late "sent" never overwrites "delivered". */
const RANK: Record<MessageStatus, number> = { queued: 0, sending: 1, sent: 2, delivered: 3, failed: 3, received: 3 };
const rankOf = sql`case ${messages.status} when 'queued' then 0 when 'sending' then 1 when 'sent' then 2 else 3 end`;

export async function applyDeliveryStatus(
  db: TenantDb,
  report: { providerMessageId: string; status: 'sent' | 'delivered' | 'failed'; error?: string | null },
) {
  const rows = await db
    .update(messages)
    .set({ status: report.status, error: report.error ?? null, statusAt: sql`now()` })
    .where(
      and(
        eq(messages.providerMessageId, report.providerMessageId),
        eq(messages.direction, 'outbound'),
        sql`${rankOf} < ${RANK[report.status]}`,
      ),
    )
    .returning({ id: messages.id });
  return rows.length > 0;
}
