import { createHash } from 'node:crypto';
import { and, eq, sql } from 'drizzle-orm';
import type { TenantDb } from '@/db/tenant';
import { broadcastSeries, broadcasts, type BroadcastSeries } from '@/db/tenant/schema';
import type { Tx } from '@/server/members/consent';
import { occurrencesAfter } from './recurrence';

/**
 * A repeating broadcast's dates become ordinary scheduled broadcasts (`seriesId` set, `scheduledAt` the date), so each
 * has what a broadcast has: quiet hours, the allowance checked when it starts, its audience fixed then, its progress,
 * cancel. Only the next date is made ahead: the list shows one scheduled broadcast per series rather than a year of
 * them, and a skip or a stop has little to undo. When a date's job runs it first makes the next one (jobs.ts), so the
 * series moves on even if that date then fails or is held.
 *
 * Made once: a date's broadcast id is derived from the series and the instant, and (series, instant) is unique, so a
 * retry, a crash or two callers at once make one broadcast, and its job (keyed by that id) can be queued before the
 * row is written. Whatever changes a series' dates takes the series row first (`lockSeries`), so a skip and the job
 * making that same date never cross.
 *
 * Known limits, accepted: a date is identified by its UTC instant (see recurrence.ts for what a timezone-database or
 * church-timezone change does to that), and a job that runs late (a church suspended for days, then back) still
 * sends its date, overdue, and then moves the series on from there.
 */

/** Queue (or move) a broadcast's job to `runAt`; the caller binds the registry and church. */
export type Enqueue = (broadcastId: string, runAt: Date) => Promise<unknown>;

/** A job queued before its row is written runs at least this late, so it cannot find the row not there yet. */
const SAFETY_NET_MS = 30_000;

/** The broadcast id of a series' date: the same however often, and by whoever, it is made (an RFC 9562 v8 UUID). */
function occurrenceId(seriesId: string, at: Date): string {
  const h = createHash('sha256').update(`${seriesId}/${at.toISOString()}`).digest('hex');
  const variant = ((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-8${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** The broadcast for one date of a series: its message and audience as the series has them. */
export const occurrenceOf = (
  s: Pick<
    BroadcastSeries,
    'id' | 'body' | 'mediaId' | 'audience' | 'branchId' | 'tag' | 'filter' | 'segmentName' | 'createdBy'
  >,
  at: Date,
) => ({
  id: occurrenceId(s.id, at),
  seriesId: s.id,
  body: s.body,
  mediaId: s.mediaId,
  audience: s.audience,
  branchId: s.branchId,
  tag: s.tag,
  filter: s.filter,
  segmentName: s.segmentName,
  scheduledAt: at,
  createdBy: s.createdBy,
});

/** The series row, locked for this transaction (null when it does not exist). */
export async function lockSeries(tx: Tx, seriesId: string): Promise<BroadcastSeries | null> {
  const [s] = await tx.select().from(broadcastSeries).where(eq(broadcastSeries.id, seriesId)).for('update');
  return s ?? null;
}

/** Record `at` among the series' skipped dates (once). */
export async function markSkipped(tx: Tx, seriesId: string, at: Date) {
  const instant = sql`${at.toISOString()}::timestamptz`;
  await tx
    .update(broadcastSeries)
    .set({ skipped: sql`array_append(${broadcastSeries.skipped}, ${instant})` })
    .where(and(eq(broadcastSeries.id, seriesId), sql`not (${instant} = any(${broadcastSeries.skipped}))`));
}

/** The first date after `after` (and after now) that is not skipped, while the series has not been stopped. */
function nextDate(s: BroadcastSeries, after: Date): Date | null {
  if (s.endedAt) return null;
  const skipped = new Set(s.skipped.map((d) => new Date(d).getTime()));
  const from = new Date(Math.max(after.getTime(), Date.now()));
  return occurrencesAfter(s.rule, from, 1, (d) => skipped.has(d.getTime()))[0] ?? null;
}

/**
 * Make the series' first date after `after` (and after now) as a scheduled broadcast with its job, unless it exists.
 * Returns that broadcast, or null when the series has no more dates (ended, stopped, or all skipped).
 */
export async function makeNextOccurrence(db: TenantDb, enqueue: Enqueue, seriesId: string, after: Date) {
  const [series] = await db.select().from(broadcastSeries).where(eq(broadcastSeries.id, seriesId));
  const planned = series ? nextDate(series, after) : null;
  if (!planned) return null;
  // The job first: a crash after the write still runs it. Had the date changed meanwhile, this job finds no
  // broadcast of its own and does nothing.
  await enqueue(occurrenceId(seriesId, planned), new Date(Math.max(planned.getTime(), Date.now() + SAFETY_NET_MS)));
  const made = await db.transaction(async (tx) => {
    const s = await lockSeries(tx, seriesId);
    const at = s ? nextDate(s, after) : null;
    if (!s || !at) return null;
    await tx.insert(broadcasts).values(occurrenceOf(s, at)).onConflictDoNothing();
    const [row] = await tx
      .select()
      .from(broadcasts)
      .where(and(eq(broadcasts.seriesId, seriesId), eq(broadcasts.scheduledAt, at)));
    return row ?? null;
  });
  if (made?.state === 'scheduled') await enqueue(made.id, made.scheduledAt);
  return made;
}

/**
 * The broadcast job's first step (jobs.ts): for a date of a series, make the date after it, before anything can
 * refuse or hold this one. Safe to run on every attempt.
 */
export async function continueSeries(db: TenantDb, enqueue: Enqueue, broadcastId: string) {
  const [b] = await db
    .select({ seriesId: broadcasts.seriesId, scheduledAt: broadcasts.scheduledAt })
    .from(broadcasts)
    .where(eq(broadcasts.id, broadcastId));
  if (b?.seriesId) await makeNextOccurrence(db, enqueue, b.seriesId, b.scheduledAt);
}
