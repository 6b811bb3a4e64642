import { createHash } from 'node:crypto';
import { and, eq, sql } from 'drizzle-orm';
import type { TenantDb } from '@/db/tenant';
import { conversations, members, messages, type MessageStatus } from '@/db/tenant/schema';
import type { ChurchProfile } from '@/server/church/profile';
import { changeConsent, startingState, type Tx } from '@/server/members/consent';
import { keywordOf, keywordReply } from './keywords';
import { countSegments } from './segments';

/**
 * Storing what Telnyx tells us, in the church's own database. Every write is keyed by the provider's message id,
 * so a replayed or concurrently duplicated webhook has exactly one effect.
 */
/**
 * `receivedAt`: when it reached us (the registry's record), which can be well before a delayed delivery. `seq`: its
 * arrival number (the registry's id), so a keyword delivered out of order never undoes a newer one.
 */
export type InboundText = {
  providerMessageId: string;
  from: string;
  to: string;
  text: string;
  receivedAt?: Date;
  seq?: number;
};
export type InboundResult = {
  duplicate: boolean;
  messageId: string;
  conversationId: string;
  memberId: string;
  followUps: string[];
};

/** The automatic reply to one inbound message has an id derived from it: a retried webhook finds the same reply. */
export function autoReplyId(providerMessageId: string): string {
  const h = createHash('sha256').update(`auto-reply:${providerMessageId}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** `church` is read only for keywords (the HELP reply names the church): plain texts never wait on the registry. */
export async function storeInbound(
  db: TenantDb,
  msg: InboundText,
  church: () => Promise<ChurchProfile>,
): Promise<InboundResult> {
  // Most texts are plain, and one statement stores them, first-time senders included.
  // Keywords take the transaction below, which acts on the keyword and queues its reply atomically.
  const keyword = keywordOf(msg.text);
  if (!keyword) {
    const fast =
      (await storeInOneStatement(db, msg)) ?? (await introduce(db, msg.from).then(() => storeInOneStatement(db, msg)));
    if (fast) return fast;
  }
  const profile = keyword ? await church() : null;
  const at = arrival(msg);
  return db.transaction(async (tx) => {
    const member = await memberAndConversation(tx, msg.from);
    const { memberId, conversationId } = member;
    const [stored] = await tx
      .insert(messages)
      .values({
        conversationId,
        direction: 'inbound',
        body: msg.text,
        segments: countSegments(msg.text).segments || 1,
        status: 'received',
        providerMessageId: msg.providerMessageId,
        fromNumber: msg.from,
        toNumber: msg.to,
        createdAt: at,
        statusAt: at,
      })
      .onConflictDoNothing({ target: messages.providerMessageId })
      .returning({ id: messages.id });
    if (!stored) return duplicate(tx, msg, { memberId, conversationId });

    await tx
      .update(conversations)
      .set({
        unreadCount: sql`${conversations.unreadCount} + 1`,
        ...latest(at, preview(msg.text)),
        churchNumber: msg.to,
      })
      .where(eq(conversations.id, conversationId));

    // "Yes" from someone already subscribed is an answer to a question, not a keyword: no automatic reply. Nor is a
    // keyword older than the last one applied (two texts in flight at once, delivered in the other order).
    const consent = keyword === 'stop' ? 'unsubscribed' : keyword === 'start' ? 'subscribed' : null;
    const stale = !!consent && msg.seq !== undefined && member.consentSeq !== null && msg.seq < member.consentSeq;
    if (consent && !stale && msg.seq !== undefined)
      await tx.update(members).set({ consentSeq: msg.seq }).where(eq(members.id, memberId));
    const plain = !keyword || !profile || stale || (keyword === 'start' && member.subscription === 'subscribed');
    if (plain) return { duplicate: false, messageId: stored.id, conversationId, memberId, followUps: [] };
    // Their own words change their consent, and the log says which message did it.
    const how = {
      source: 'text' as const,
      detail: msg.text.trim().slice(0, 40),
      providerMessageId: msg.providerMessageId,
    };
    if (consent)
      await changeConsent(tx, { id: memberId, phone: msg.from, subscription: member.subscription }, consent, how);
    const reply = keywordReply(keyword, profile);
    const [auto] = await tx
      .insert(messages)
      .values({
        id: autoReplyId(msg.providerMessageId),
        conversationId,
        direction: 'outbound',
        kind: 'auto',
        body: reply,
        segments: countSegments(reply).segments,
        status: 'queued',
        fromNumber: msg.to,
        toNumber: msg.from,
      })
      .onConflictDoNothing()
      .returning({ id: messages.id });
    return { duplicate: false, messageId: stored.id, conversationId, memberId, followUps: auto ? [auto.id] : [] };
  });
}

type FastRow = { member_id: string; conversation_id: string; message_id: string | null; existing_id: string | null };

/**
 * One round trip, atomic as a single statement: find the sender's thread (or, for a number we have never seen, create
 * the member "New contact" and the thread), insert the message unless its provider id exists, and count it unread
 * only if it was inserted. Null when that was not possible in one go (a member without a thread, or a first text
 * racing another): the caller introduces the sender and tries again.
 */
async function storeInOneStatement(db: TenantDb, msg: InboundText): Promise<InboundResult | null> {
  const sql = db.$client;
  const segments = countSegments(msg.text).segments || 1;
  const text = preview(msg.text);
  const at = arrival(msg).toISOString(); // drizzle's driver setup passes timestamps to postgres.js as text
  const [row] = await sql<FastRow[]>`
    with known as (
      select m.id as member_id, c.id as conversation_id
        from members m join conversations c on c.member_id = m.id
       where m.phone = ${msg.from}
    ), new_member as (
      insert into members (first_name, phone, subscription_source, subscription)
      select 'New contact', ${msg.from}, 'inbound', ${firstState(sql, msg.from)}
       where not exists (select 1 from members where phone = ${msg.from})
      on conflict (phone) do nothing
      returning id
    ), new_thread as (
      -- counted here: the update below cannot see rows this same statement inserts
      insert into conversations (member_id, unread_count, last_message_at, last_message_preview, church_number)
      select id, 1, ${at}::timestamptz, ${text}, ${msg.to} from new_member
      returning id, member_id
    ), target as (
      select member_id, conversation_id from known union all select member_id, id from new_thread
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
         set unread_count = c.unread_count + 1,
             last_message_preview = case when c.last_message_at is null or c.last_message_at <= ${at}::timestamptz
                                         then ${text} else c.last_message_preview end,
             last_message_at = greatest(c.last_message_at, ${at}::timestamptz), church_number = ${msg.to}
        from stored where c.id = stored.conversation_id
    )
    select target.member_id, target.conversation_id, (select id from stored) as message_id,
           (select id from messages where provider_message_id = ${msg.providerMessageId}) as existing_id
      from target`;
  if (!row) return null;
  const ids = { conversationId: row.conversation_id, memberId: row.member_id, followUps: [] };
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
      values ('New contact', ${phone}, 'inbound', ${firstState(db.$client, phone)})
      on conflict (phone) do nothing returning id
    ), member as (
      select id from created union all select id from members where phone = ${phone}
    )
    insert into conversations (member_id) select id from member limit 1 on conflict (member_id) do nothing`;
}

/**
 * Someone new texting in is "not opted in": answered in the inbox, never broadcast to. A number whose last recorded
 * word was an opt-out (its member since deleted) stays opted out.
 */
const firstState = (sql: TenantDb['$client'], phone: string) =>
  sql`(case when exists (select 1
                           from (select state from consent_events where phone = ${phone}
                                  order by created_at desc limit 1) last
                          where last.state = 'unsubscribed')
        then 'unsubscribed' else 'not_opted_in' end)::subscription`;

/** When the text reached us; a delayed delivery keeps its place in the thread. */
const arrival = (msg: InboundText) => msg.receivedAt ?? new Date();

/** The thread's latest message moves only forward: a late delivery of an older text leaves it as it is. */
const latest = (at: Date, text: string) => ({
  lastMessagePreview: sql`case when ${conversations.lastMessageAt} is null
                                 or ${conversations.lastMessageAt} <= ${at.toISOString()}::timestamptz
                               then ${text} else ${conversations.lastMessagePreview} end`,
  lastMessageAt: sql`greatest(${conversations.lastMessageAt}, ${at.toISOString()}::timestamptz)`,
});

/** The sender's member and conversation, created on first contact ("New contact" + their number, not opted in). */
async function memberAndConversation(tx: Tx, phone: string) {
  const find = () =>
    tx
      .select({
        memberId: members.id,
        subscription: members.subscription,
        consentSeq: members.consentSeq,
        conversationId: conversations.id,
      })
      .from(members)
      .leftJoin(conversations, eq(conversations.memberId, members.id))
      .where(eq(members.phone, phone))
      .for('update', { of: members }) // one keyword of theirs at a time: their consent follows their own order
      .then((rows) => rows[0]);
  let row = await find();
  if (!row) {
    // Two first texts at once: one insert wins, the other finds the winner's row.
    await tx
      .insert(members)
      .values({
        firstName: 'New contact',
        phone,
        subscriptionSource: 'inbound',
        subscription: startingState(phone, 'not_opted_in'),
      })
      .onConflictDoNothing({ target: members.phone });
    row = (await find())!;
  }
  let conversationId = row.conversationId;
  if (!conversationId) {
    await tx
      .insert(conversations)
      .values({ memberId: row.memberId })
      .onConflictDoNothing({ target: conversations.memberId });
    const [created] = await tx
      .select({ id: conversations.id })
      .from(conversations)
      .where(eq(conversations.memberId, row.memberId));
    conversationId = created!.id;
  }
  return {
    memberId: row.memberId,
    conversationId: conversationId!,
    subscription: row.subscription,
    consentSeq: row.consentSeq,
  };
}

/** A replay: nothing new is written, but an automatic reply that never got queued is handed back to be queued. */
async function duplicate(
  tx: Tx,
  msg: InboundText,
  ids: { memberId: string; conversationId: string },
): Promise<InboundResult> {
  const [original] = await tx
    .select({ id: messages.id })
    .from(messages)
    .where(eq(messages.providerMessageId, msg.providerMessageId));
  const pending = await tx
    .select({ id: messages.id })
    .from(messages)
    .where(and(eq(messages.id, autoReplyId(msg.providerMessageId)), eq(messages.status, 'queued')));
  return { duplicate: true, messageId: original!.id, ...ids, followUps: pending.map((p) => p.id) };
}

const preview = (text: string) => (text.length > 140 ? `${text.slice(0, 139)}…` : text);

// ---------------------------------------------------------------------------------------------
// Delivery reports. Statuses only move forward: a late "sent" never overwrites "delivered".
// ---------------------------------------------------------------------------------------------
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
