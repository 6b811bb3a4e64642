import { and, eq, sql } from 'drizzle-orm';
import type { TenantDb } from '@/db/tenant';
import { conversations, members, messages, type MessageStatus } from '@/db/tenant/schema';
import { changeConsent, type Tx } from '@/server/members/consent';
import { carrierOutcome } from './carrier-outcomes';
import type { StatusPayload } from './inbound-events';

/** Delivery reports. Statuses only move forward: a late "sent" never overwrites "delivered". */
const RANK: Record<MessageStatus, number> = { queued: 0, sending: 1, sent: 2, delivered: 3, failed: 3, received: 3 };
const rankOf = sql`case ${messages.status} when 'queued' then 0 when 'sending' then 1 when 'sent' then 2 else 3 end`;

/**
 * Apply one delivery report, once (a report that does not move the message forward changes nothing). A carrier's
 * "opted out" refusal unsubscribes the member in the same transaction, through the consent log.
 */
export async function applyDeliveryStatus(db: TenantDb, report: StatusPayload) {
  return db.transaction(async (tx) => {
    const [row] = await tx
      .update(messages)
      .set({
        status: report.status,
        error: report.error ?? null,
        errorCode: report.errorCode ?? null,
        statusAt: sql`now()`,
      })
      .where(
        and(
          eq(messages.providerMessageId, report.providerMessageId),
          eq(messages.direction, 'outbound'),
          sql`${rankOf} < ${RANK[report.status]}`,
        ),
      )
      .returning({ conversationId: messages.conversationId, createdAt: messages.createdAt });
    if (!row) return false;
    if (report.status === 'failed' && carrierOutcome(report.errorCode).kind === 'opted_out')
      await carrierOptOut(tx, row, report.providerMessageId);
    return true;
  });
}

/**
 * The carrier refused a text because the recipient texted STOP to it (Telnyx 40300): their own opt-out, which
 * reached the carrier rather than us. Logged as their text, with the refused message's id.
 */
export async function carrierOptOut(
  tx: Tx,
  text: { conversationId: string; createdAt: Date },
  providerMessageId: string | null,
) {
  const [member] = await tx
    .select({
      id: members.id,
      phone: members.phone,
      subscription: members.subscription,
      changedAt: members.subscriptionChangedAt,
    })
    .from(conversations)
    .innerJoin(members, eq(members.id, conversations.memberId))
    .where(eq(conversations.id, text.conversationId))
    .for('update', { of: members });
  // A late report about a text sent before they opted back in (START) says nothing of their wish now.
  if (!member || (member.changedAt && member.changedAt > text.createdAt)) return false;
  return changeConsent(tx, member, 'unsubscribed', {
    source: 'text',
    detail: 'STOP, sent to their carrier (it refused our text: opted out)',
    providerMessageId,
  });
}
