import { createHash } from 'node:crypto';
import { and, eq, sql } from 'drizzle-orm';
import type { TenantDb } from '@/db/tenant';
import { conversations, members, messages, type ChurchKeyword } from '@/db/tenant/schema';
import type { ChurchProfile } from '@/server/church/profile';
import { applyChurchKeyword } from '@/server/keywords/apply';
import { changeConsent, startingState, type Tx } from '@/server/members/consent';
import { notifyInbound, stillOwed } from '@/server/notifications/outbox';
import { waitingToSchedule } from '@/server/sequences/enroll';
import { arrival, isStale, preview, type InboundResult, type InboundText } from './inbound-text';
import { keywordReply, type Keyword } from './keywords';
import { countSegments } from './segments';

/** What a text asks for: a carrier word (STOP, START, HELP) or one of the church's own keywords ("JOIN"). */
export type InboundAction = { carrier: Keyword } | { church: ChurchKeyword };

/** The texter as the keyword's effect sees them: `created` when this text made them a member. */
export type Texter = Awaited<ReturnType<typeof memberAndConversation>> & { messageId: string };

/**
 * A text in one transaction with what it causes: a keyword's change of consent (logged with the message that made it)
 * and its one automatic reply, so a retried delivery never applies half of it. Also the way a plain text is stored
 * when the one-statement path could not (inbound-plain.ts), with no keyword and no profile.
 */
export async function storeWithKeyword(
  db: TenantDb,
  msg: InboundText,
  action: InboundAction | null,
  profile: ChurchProfile | null,
): Promise<InboundResult> {
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
        closedAt: null, // a closed thread opens again when they text
        ...latest(at, preview(msg.text)),
        churchNumber: msg.to,
      })
      .where(eq(conversations.id, conversationId));

    const notify = await notifyInbound(tx, { messageId: stored.id, conversationId, memberId, body: msg.text });
    const result = { duplicate: false, messageId: stored.id, conversationId, memberId, followUps: [], notify };
    if (!action || !profile) return result;
    const texter = { ...member, messageId: stored.id };
    const reply =
      'carrier' in action
        ? await applyCarrierWord(tx, msg, texter, action.carrier, profile)
        : await applyChurchKeyword(tx, msg, texter, action.church, profile);
    const enrolled = 'church' in action && (await waitingToSchedule(tx));
    if (!reply) return { ...result, enrolled };
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
    return { ...result, enrolled, followUps: auto ? [auto.id] : [] };
  });
}

/**
 * STOP, START or HELP: consent changes (logged with the message that changed it) and the reply to send, or null.
 * "Yes" from someone already subscribed is an answer to a question, not a keyword: no automatic reply. Nor is a
 * keyword older than the last one applied (two texts in flight at once, delivered in the other order).
 */
async function applyCarrierWord(tx: Tx, msg: InboundText, member: Texter, keyword: Keyword, profile: ChurchProfile) {
  const consent = keyword === 'stop' ? 'unsubscribed' : keyword === 'start' ? 'subscribed' : null;
  const stale = !!consent && isStale(msg, member);
  if (consent && !stale && msg.seq !== undefined)
    await tx.update(members).set({ consentSeq: msg.seq }).where(eq(members.id, member.memberId));
  if (stale || (keyword === 'start' && member.subscription === 'subscribed')) return null;
  // Their own words change their consent, and the log says which message did it.
  const how = {
    source: 'text' as const,
    detail: msg.text.trim().slice(0, 40),
    providerMessageId: msg.providerMessageId,
  };
  if (consent)
    await changeConsent(tx, { id: member.memberId, phone: msg.from, subscription: member.subscription }, consent, how);
  return keywordReply(keyword, profile);
}

/** The automatic reply to one inbound message has an id derived from it: a retried webhook finds the same reply. */
export function autoReplyId(providerMessageId: string): string {
  const h = createHash('sha256').update(`auto-reply:${providerMessageId}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

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
  let created = false;
  if (!row) {
    // Two first texts at once: one insert wins, the other finds the winner's row.
    const inserted = await tx
      .insert(members)
      .values({
        firstName: 'New contact',
        phone,
        subscriptionSource: 'inbound',
        subscription: startingState(phone, 'not_opted_in'),
      })
      .onConflictDoNothing({ target: members.phone })
      .returning({ id: members.id });
    created = inserted.length > 0;
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
    created,
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
  // A replay whose first delivery enrolled someone but never woke the runner wakes it now.
  const enrolled = await waitingToSchedule(tx);
  const notify = await stillOwed(tx, original!.id); // and notifications its first delivery did not get to wake
  return { duplicate: true, messageId: original!.id, ...ids, followUps: pending.map((p) => p.id), enrolled, notify };
}
