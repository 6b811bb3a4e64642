import type { TenantDb } from '@/db/tenant';
import { startingStateWith } from '@/server/members/consent';
import { excerpt } from '@/server/notifications/kinds';
import { wakesFromPairs } from '@/server/notifications/outbox';
import { arrival, preview, type InboundResult, type InboundText } from './inbound-text';
import { countSegments } from './segments';

/**
 * A plain text (no keyword), the usual case: one SQL statement stores it, first-time senders included. Null when that
 * was not possible (its conversation was deleted meanwhile): the caller stores it in a transaction instead.
 */
export async function storePlain(db: TenantDb, msg: InboundText): Promise<InboundResult | null> {
  return (
    (await storeInOneStatement(db, msg)) ?? (await introduce(db, msg.from).then(() => storeInOneStatement(db, msg)))
  );
}

type FastRow = {
  member_id: string;
  conversation_id: string;
  message_id: string | null;
  existing_id: string | null;
  /** "admin:channel" of each notification it owes (or, for a replay, still owes): their jobs are woken. */
  notify: string[] | null;
};

/**
 * One round trip, atomic as a single statement: find the sender's thread (or, for a number we have never seen, create
 * the member "New contact" and the thread), insert the message unless its provider id exists, count it unread only if
 * it was inserted, note it as a reply to their sequences, and owe the team the notifications they asked for. Null
 * when that was not possible in one go (a member without a thread, or a first text racing another): the caller
 * introduces the sender and tries again.
 */
async function storeInOneStatement(db: TenantDb, msg: InboundText): Promise<InboundResult | null> {
  const sql = db.$client;
  const segments = countSegments(msg.text).segments || 1;
  const text = preview(msg.text, !!msg.media?.length);
  const at = arrival(msg).toISOString(); // drizzle's driver setup passes timestamps to postgres.js as text
  const [row] = await sql<FastRow[]>`
    with known as (
      select m.id as member_id, c.id as conversation_id, c.assigned_admin_id
        from members m join conversations c on c.member_id = m.id
       where m.phone = ${msg.from}
    ), new_member as (
      insert into members (first_name, phone, subscription_source, subscription)
      select 'New contact', ${msg.from}, 'inbound', ${newContact(db, msg.from)}
       where not exists (select 1 from members where phone = ${msg.from})
      on conflict (phone) do nothing
      returning id
    ), new_thread as (
      -- counted here: the update below cannot see rows this same statement inserts
      insert into conversations (member_id, unread_count, last_message_at, last_message_preview, church_number)
      select id, 1, ${at}::timestamptz, ${text}, ${msg.to} from new_member
      returning id, member_id
    ), target as (
      select member_id, conversation_id, assigned_admin_id from known
      union all select member_id, id, null::uuid from new_thread
    ), stored as (
      insert into messages (conversation_id, direction, body, segments, status, provider_message_id, from_number,
                            to_number, created_at, status_at)
      select conversation_id, 'inbound', ${msg.text}, ${segments}, 'received', ${msg.providerMessageId}, ${msg.from},
             ${msg.to}, ${at}::timestamptz, ${at}::timestamptz from target
      on conflict (provider_message_id) do nothing
      returning id, conversation_id
    ), counted as (
      -- a text delivered late (its church was unavailable) counts as unread but does not jump ahead of newer ones
      update conversations c
         set unread_count = c.unread_count + 1, closed_at = null, -- a closed thread opens again when they text
             last_message_preview = case when c.last_message_at is null or c.last_message_at <= ${at}::timestamptz
                                         then ${text} else c.last_message_preview end,
             last_message_at = greatest(c.last_message_at, ${at}::timestamptz), church_number = ${msg.to}
        from stored where c.id = stored.conversation_id
    ), replied as (
      -- A reply to a sequence's text sent in the last week counts for its step (server/sequences/)...
      insert into sequence_replies (enrollment_id, position)
      select last.enrollment_id, last.step_position
        from stored, lateral (select m.enrollment_id, m.step_position from messages m
                               where m.conversation_id = stored.conversation_id and m.enrollment_id is not null
                                 and m.status in ('sent', 'delivered') and m.created_at > now() - interval '7 days'
                               order by m.created_at desc limit 1) last
      on conflict do nothing
      returning enrollment_id
    ), stopped as (
      -- ...and ends their sequences that stop when someone replies, once they have had a step: a person takes it
      -- from here. (A text before the first step, "Thanks!" to a keyword's reply, is not an answer to the sequence.)
      update sequence_enrollments e set state = 'stopped', stop_reason = 'replied', ended_at = now()
        from stored, target, sequences q
       where e.member_id = target.member_id and e.state = 'active' and e.next_step > 0
         and q.id = e.sequence_id and q.stop_on_reply
    ), notified as (
      -- The team's notifications (server/notifications/outbox.ts writes the same for the transaction path): a text
      -- answering a sequence is a sequence reply to those who asked for those, otherwise a new text to those who
      -- hear about every one or about their own threads. Only the first 80 characters are kept.
      insert into notification_outbox (admin_id, channel, kind, source_id, member_id, conversation_id, excerpt)
      select p.admin_id, p.channel,
             case when p.sequence_reply and exists (select 1 from replied) then 'sequence_reply' else 'inbound' end,
             stored.id, target.member_id, stored.conversation_id, ${excerpt(msg.text || text)}
        from stored join target on target.conversation_id = stored.conversation_id
        cross join notification_preferences p
       where ((p.sequence_reply and exists (select 1 from replied)) or p.inbound = 'all'
              or (p.inbound = 'assigned' and p.admin_id = target.assigned_admin_id))
         and (p.channel = 'email' or exists (select 1 from push_subscriptions s where s.admin_id = p.admin_id))
      on conflict do nothing
      returning admin_id, channel
    ), existing as (
      select id from messages where provider_message_id = ${msg.providerMessageId}
    )
    select target.member_id, target.conversation_id, (select id from stored) as message_id,
           (select id from existing) as existing_id,
           array(select admin_id || ':' || channel from notified
                 union select o.admin_id || ':' || o.channel from notification_outbox o, existing
                        where o.source_id = existing.id and o.sent_at is null) as notify
      from target`;
  if (!row) return null;
  const ids = {
    conversationId: row.conversation_id,
    memberId: row.member_id,
    followUps: [],
    notify: wakesFromPairs(row.notify),
  };
  if (row.message_id) return { duplicate: false, messageId: row.message_id, ...ids };
  // A replay sees the original in the statement's snapshot; a concurrent duplicate waited for it to commit: look again.
  const original =
    row.existing_id ??
    (await sql<{ id: string }[]>`select id from messages where provider_message_id = ${msg.providerMessageId}`)[0]?.id;
  // Not inserted and not found: its conversation was deleted meanwhile; the transaction path recreates it.
  return original ? { duplicate: true, messageId: original, ...ids } : null;
}

/**
 * A first text from an unknown number: create the member ("New contact") and their conversation in one statement.
 * Safe to repeat and to race — if another request created them first, this does nothing.
 */
async function introduce(db: TenantDb, phone: string) {
  await db.$client`
    with created as (
      insert into members (first_name, phone, subscription_source, subscription)
      values ('New contact', ${phone}, 'inbound', ${newContact(db, phone)})
      on conflict (phone) do nothing returning id
    ), member as (
      select id from created union all select id from members where phone = ${phone}
    )
    insert into conversations (member_id) select id from member limit 1 on conflict (member_id) do nothing`;
}

/** Someone new texting in is "not opted in" (answered, never broadcast to), unless their number opted out before. */
const newContact = (db: TenantDb, phone: string) =>
  startingStateWith((strings, ...values) => db.$client(strings, ...values), phone, 'not_opted_in');
