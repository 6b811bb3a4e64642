import { and, asc, eq, inArray, isNull, lte, min, or, sql, type SQL } from 'drizzle-orm';
import type { TenantDb } from '@/db/tenant';
import { branches, broadcasts, conversations, members, messages } from '@/db/tenant/schema';
import type { Tx } from '@/server/members/consent';
import { audienceOf, countAudience, type Audience } from './audience';
import { audienceTexts, recipientTexts } from './audience-merge';
import { fieldsUsedIn } from '@/server/custom-fields/merge';
import { mergeFieldsUsed } from './merge-fields';
import { quietHoursOf, quietUntil } from './quiet-hours';
import { sendOne, settleUnclaimed, type SenderDeps } from './sender';
import { billedMessages } from './segments';

/**
 * Runs one broadcast at its scheduled time. First, in one transaction, it fixes the recipient list as queued
 * messages (one per conversation, enforced by a unique index), each with its recipient's merge fields filled in; then
 * it sends them in batches at the church's rate. A recipient inside their quiet hours (in their branch's timezone)
 * has their text held until those end: the run sends what is due and hands back when to run again. A crash or retry
 * resumes with whatever is still queued; cancelling stops it between two sends.
 */
const BATCH = 100;

/** What a run needs to know about the church: its name (`{church_name}`), its timezone (members without a branch). */
type Run = { finalAttempt: boolean; churchName: string; timezone: string };

/** Returns when to run again for texts held in quiet hours, or null when the broadcast is done (or stopped). */
export async function runBroadcast(
  deps: SenderDeps,
  db: TenantDb,
  tenantId: string,
  broadcastId: string,
  opts: Run,
): Promise<{ heldUntil: Date | null }> {
  const done = { heldUntil: null };
  const [b] = await db.select().from(broadcasts).where(eq(broadcasts.id, broadcastId));
  if (!b || b.state === 'canceled' || b.state === 'sent' || b.state === 'failed') return done;
  if (b.state === 'scheduled') await fixRecipients(db, b, opts);

  const due = or(isNull(messages.notBefore), lte(messages.notBefore, sql`now()`));
  for (;;) {
    const batch = await db
      .select({ id: messages.id })
      .from(messages)
      .where(and(eq(messages.broadcastId, broadcastId), eq(messages.status, 'queued'), due))
      .orderBy(asc(messages.id))
      .limit(BATCH);
    for (const { id } of batch) {
      if (await isCanceled(db, broadcastId)) return done;
      await sendOne(deps, db, tenantId, id, opts);
    }
    if (batch.length < BATCH) break;
  }
  // A retry after a crash finds the message that was mid-send still in "sending": fail it once it is stuck, or
  // look again later (another run may be sending it right now) rather than call the broadcast finished.
  const unsettled = await db
    .select({ id: messages.id })
    .from(messages)
    .where(and(eq(messages.broadcastId, broadcastId), eq(messages.status, 'sending')));
  let inFlight = 0;
  for (const { id } of unsettled) if ((await settleUnclaimed(db, id)) === 'in_flight') inFlight++;
  if (inFlight > 0 && !opts.finalAttempt)
    throw new Error(`broadcast ${broadcastId}: ${inFlight} message(s) still marked as sending; checking again later`);
  const [{ held }] = (await db
    .select({ held: min(messages.notBefore) })
    .from(messages)
    .where(and(eq(messages.broadcastId, broadcastId), eq(messages.status, 'queued')))) as [{ held: Date | null }];
  if (held) return { heldUntil: held };
  await db
    .update(broadcasts)
    .set({ state: 'sent', finishedAt: sql`now()` })
    .where(and(eq(broadcasts.id, broadcastId), eq(broadcasts.state, 'sending')));
  return done;
}

async function fixRecipients(db: TenantDb, b: typeof broadcasts.$inferSelect, run: Run) {
  const quiet = await quietHoursOf(db);
  // Each recipient's own clock: their branch's timezone, else the church's.
  const hold = quietUntil(quiet, sql`coalesce(${branches.timezone}, ${run.timezone})`, sql`now()`);
  const audience = await audienceOf(db, b, run.timezone);
  await db.transaction(async (tx) => {
    const where = and(eq(members.subscription, 'subscribed'), audience);
    // Everyone in the audience gets a conversation (a broadcast starts one), then one queued message each.
    await tx.execute(
      sql`insert into conversations (member_id) select ${members.id} from ${members} where ${where}
          on conflict (member_id) do nothing`,
    );
    const empty =
      mergeFieldsUsed(b.body).length > 0 || (await fieldsUsedIn(tx, b.body)).length > 0
        ? await queuePersonal(tx, b, audience, run.churchName, hold)
        : await queueSame(tx, b, where, hold);
    // A picture: every copy links the broadcast's one picture (the sender reads it from there).
    if (b.mediaId)
      await tx.execute(sql`insert into message_media (message_id, media_id)
                           select id, ${b.mediaId} from messages where broadcast_id = ${b.id} on conflict do nothing`);
    const { skipped } = await countAudience(tx as unknown as TenantDb, audience);
    const [{ recipients }] = (await tx
      .select({ recipients: sql<number>`count(*)::int` })
      .from(messages)
      .where(eq(messages.broadcastId, b.id))) as [{ recipients: number }];
    await tx
      .update(broadcasts)
      .set({ state: 'sending', startedAt: sql`now()`, recipients, skipped: skipped + empty })
      .where(and(eq(broadcasts.id, b.id), eq(broadcasts.state, 'scheduled')));
  });
}

/** The same words for everyone: one statement, however large the audience. Nobody's text is empty. */
async function queueSame(tx: Tx, b: typeof broadcasts.$inferSelect, where: SQL | undefined, hold: SQL) {
  const segments = billedMessages(b.body, !!b.mediaId);
  await tx.execute(sql`
    insert into messages (conversation_id, direction, kind, body, segments, status, broadcast_id, to_number, not_before)
    select ${conversations.id}, 'outbound', 'broadcast', ${b.body}, ${segments}, 'queued', ${b.id}, ${members.phone},
           ${hold}
      from ${members} join ${conversations} on ${conversations.memberId} = ${members.id}
      left join ${branches} on ${branches.id} = ${members.branchId}
     where ${where}
    on conflict (broadcast_id, conversation_id) where broadcast_id is not null do nothing`);
  return 0;
}

/** Each recipient's own text, a page at a time; those it would leave empty are skipped (and counted as such). */
async function queuePersonal(
  tx: Tx,
  b: typeof broadcasts.$inferSelect,
  audience: Audience,
  churchName: string,
  hold: SQL,
) {
  let empty = 0;
  for await (const page of recipientTexts(tx, audience, b.body, churchName, hold)) {
    empty += page.empty;
    if (page.texts.length === 0) continue;
    await tx
      .insert(messages)
      .values(
        page.texts.map((t) => ({
          conversationId: t.conversationId,
          direction: 'outbound' as const,
          kind: 'broadcast' as const,
          body: t.body,
          segments: b.mediaId ? 1 : t.segments,
          status: 'queued' as const,
          broadcastId: b.id,
          toNumber: t.phone,
          notBefore: t.notBefore,
        })),
      )
      .onConflictDoNothing({
        target: [messages.broadcastId, messages.conversationId],
        where: sql`${messages.broadcastId} is not null`,
      });
  }
  return empty;
}

async function isCanceled(db: TenantDb, broadcastId: string) {
  const [row] = await db.select({ state: broadcasts.state }).from(broadcasts).where(eq(broadcasts.id, broadcastId));
  return row?.state === 'canceled';
}

export async function markBroadcastFailed(db: TenantDb, broadcastId: string, error: string) {
  await db
    .update(broadcasts)
    .set({ state: 'failed', error, finishedAt: sql`now()` })
    .where(and(eq(broadcasts.id, broadcastId), inArray(broadcasts.state, ['scheduled', 'sending'])));
}

/**
 * The segments a broadcast that has not started yet would send: its audience today times the segments of its longest
 * merged text (what the composer quoted).
 */
export async function plannedSegments(
  db: TenantDb,
  broadcastId: string,
  church: { name: string; timezone: string },
): Promise<number | null> {
  const [b] = await db.select().from(broadcasts).where(eq(broadcasts.id, broadcastId));
  if (!b || b.state !== 'scheduled') return null;
  const audience = await audienceOf(db, b, church.timezone);
  const [{ recipients }, { longest }] = await Promise.all([
    countAudience(db, audience),
    audienceTexts(db, audience, b.body, church.name),
  ]);
  return recipients * (b.mediaId ? 1 : (longest?.segments ?? 0));
}
