import { sql } from 'drizzle-orm';
import type { Tx } from '@/server/members/consent';
import { excerpt, type NotifyChannel } from './kinds';

/**
 * Notifications owed, written beside the event that causes them (its transaction), one row per person and channel
 * who chose to hear about it (notification_preferences). What is returned says whose jobs to wake (wake.ts).
 * The one-statement path of a plain text writes the same rows in its own SQL (messaging/inbound-plain.ts, `notified`):
 * a change to who hears about a text changes both.
 */
export type Wake = { adminId: string; channel: NotifyChannel };

type Row = { admin_id: string; channel: NotifyChannel };

/** Browser notifications are owed only to someone with a browser to show them in (no row, no job otherwise). */
const reachable = sql`(p.channel = 'email'
                       or exists (select 1 from push_subscriptions s where s.admin_id = p.admin_id))`;
const wakesOf = (rows: Iterable<Row>): Wake[] => [...rows].map((r) => ({ adminId: r.admin_id, channel: r.channel }));

/**
 * A text stored by a transaction (a keyword, or a plain text the one statement could not store): everyone who hears
 * about every new text, and whoever it is assigned to if they chose "assigned to me".
 */
export async function notifyInbound(
  tx: Tx,
  text: { messageId: string; conversationId: string; memberId: string; body: string },
): Promise<Wake[]> {
  const rows = await tx.execute<Row>(sql`
    insert into notification_outbox (admin_id, channel, kind, source_id, member_id, conversation_id, excerpt)
    select p.admin_id, p.channel, 'inbound', ${text.messageId}, ${text.memberId}, c.id, ${excerpt(text.body)}
      from notification_preferences p join conversations c on c.id = ${text.conversationId}
     where (p.inbound = 'all' or (p.inbound = 'assigned' and p.admin_id = c.assigned_admin_id)) and ${reachable}
    on conflict do nothing
    returning admin_id, channel`);
  return wakesOf(rows);
}

/** A connect card: everyone who chose to hear about cards; it links to the member's thread, or to the member. */
export async function notifyConnectCard(
  tx: Tx,
  card: { submissionId: string; memberId: string; firstVisit: boolean; consented: boolean },
): Promise<Wake[]> {
  const summary = [card.firstVisit ? 'First visit.' : 'Been before.', card.consented ? 'Agreed to texts.' : '']
    .filter(Boolean)
    .join(' ');
  const rows = await tx.execute<Row>(sql`
    insert into notification_outbox (admin_id, channel, kind, source_id, member_id, conversation_id, excerpt)
    select p.admin_id, p.channel, 'connect_card', ${card.submissionId}, ${card.memberId},
           (select id from conversations where member_id = ${card.memberId}), ${summary}
      from notification_preferences p
     where p.connect_card and ${reachable}
    on conflict do nothing
    returning admin_id, channel`);
  return wakesOf(rows);
}

/**
 * A replay of an event already stored: the notifications it owed and that have not gone yet, so their jobs are woken
 * again (the first delivery may have stopped between its commit and waking them).
 */
export async function stillOwed(tx: Tx, sourceId: string): Promise<Wake[]> {
  const rows = await tx.execute<Row>(sql`
    select distinct admin_id, channel from notification_outbox where source_id = ${sourceId} and sent_at is null`);
  return wakesOf(rows);
}

/** The plain path hands back "admin:channel" pairs (one statement, no JSON parsing on the hot path). */
export const wakesFromPairs = (pairs: string[] | null | undefined): Wake[] =>
  (pairs ?? []).map((p) => {
    const [adminId, channel] = p.split(':') as [string, NotifyChannel];
    return { adminId, channel };
  });
