import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import type { TenantDb } from '@/db/tenant';
import { broadcasts, conversations, members, messages } from '@/db/tenant/schema';
import { audienceWhere, countAudience } from './audience';
import { sendOne, settleUnclaimed, type SenderDeps } from './sender';
import { countSegments } from './segments';

/**
 * Runs one broadcast at its scheduled time. First, in one transaction, it fixes the recipient list as queued
 * messages (one per conversation, enforced by a unique index); then it sends them in batches at the church's rate.
 * A crash or retry resumes with whatever is still queued; cancelling stops it between two sends.
 */
const BATCH = 100;

export async function runBroadcast(
  deps: SenderDeps,
  db: TenantDb,
  tenantId: string,
  broadcastId: string,
  opts: { finalAttempt: boolean },
) {
  const [b] = await db.select().from(broadcasts).where(eq(broadcasts.id, broadcastId));
  if (!b || b.state === 'canceled' || b.state === 'sent' || b.state === 'failed') return;
  if (b.state === 'scheduled') await fixRecipients(db, b);

  for (;;) {
    const batch = await db
      .select({ id: messages.id })
      .from(messages)
      .where(and(eq(messages.broadcastId, broadcastId), eq(messages.status, 'queued')))
      .orderBy(asc(messages.id))
      .limit(BATCH);
    for (const { id } of batch) {
      if (await isCanceled(db, broadcastId)) return;
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
  await db
    .update(broadcasts)
    .set({ state: 'sent', finishedAt: sql`now()` })
    .where(and(eq(broadcasts.id, broadcastId), eq(broadcasts.state, 'sending')));
}

async function fixRecipients(db: TenantDb, b: typeof broadcasts.$inferSelect) {
  await db.transaction(async (tx) => {
    const where = and(eq(members.subscription, 'subscribed'), audienceWhere(b));
    // Everyone in the audience gets a conversation (a broadcast starts one), then one queued message each.
    await tx.execute(
      sql`insert into conversations (member_id) select ${members.id} from ${members} where ${where}
          on conflict (member_id) do nothing`,
    );
    const segments = countSegments(b.body).segments;
    await tx.execute(sql`
      insert into messages (conversation_id, direction, kind, body, segments, status, broadcast_id, to_number)
      select ${conversations.id}, 'outbound', 'broadcast', ${b.body}, ${segments}, 'queued', ${b.id}, ${members.phone}
        from ${members} join ${conversations} on ${conversations.memberId} = ${members.id}
       where ${where}
      on conflict (broadcast_id, conversation_id) where broadcast_id is not null do nothing`);
    const { skipped } = await countAudience(tx as unknown as TenantDb, b);
    const [{ recipients }] = (await tx
      .select({ recipients: sql<number>`count(*)::int` })
      .from(messages)
      .where(eq(messages.broadcastId, b.id))) as [{ recipients: number }];
    await tx
      .update(broadcasts)
      .set({ state: 'sending', startedAt: sql`now()`, recipients, skipped })
      .where(and(eq(broadcasts.id, b.id), eq(broadcasts.state, 'scheduled')));
  });
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

/** The segments a broadcast that has not started yet would send: its audience today times its text's segments. */
export async function plannedSegments(db: TenantDb, broadcastId: string): Promise<number | null> {
  const [b] = await db.select().from(broadcasts).where(eq(broadcasts.id, broadcastId));
  if (!b || b.state !== 'scheduled') return null;
  const { recipients } = await countAudience(db, b);
  return recipients * countSegments(b.body).segments;
}
