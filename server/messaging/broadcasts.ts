import { randomUUID } from 'node:crypto';
import { and, desc, eq, inArray, lt, or, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { ChurchScope, TenantDb } from '@/db/tenant';
import { branches, broadcastSeries, broadcasts, messages, type Broadcast } from '@/db/tenant/schema';
import { mergeProblemOf, requireKnownFields } from '@/server/custom-fields/merge';
import { requireBranch } from '@/server/audiences/where';
import { describeFilter, namesFor, type Names } from '@/server/audiences/describe';
import { record } from '@/server/activity/record';
import { broadcastRefusal } from '@/server/billing/allowance';
import { decodeCursorAs, encodeCursor, exactTime, exactTimeKey } from '@/server/cursor';
import { Invalid, LimitReached, NotFound } from '@/server/domain-errors';
import type { Services } from '@/server/services';
import { audienceOf, countAudience, storedAudience } from './audience';
import { carrierOutcome, type FailureKind } from './carrier-outcomes';
import { requireAudienceTextable } from './team-only';
import { audienceTexts } from './audience-merge';
import type { AudienceInput, broadcastInput, cursorInput } from './inputs';
import { broadcastQueue, enqueueBroadcast, writeThenRun } from './jobs';
import { emptyMergeProblem } from './merge-fields';
import { heldInAudience, quietHoursOf } from './quiet-hours';
import { describeRule } from './recurrence';
import { requireSendingNumber } from './send';
import { lockSeries, makeNextOccurrence, markSkipped } from './series-occurrences';
import { countSegments } from './segments';
import { requireSendablePicture, requireWordsOrPicture } from '@/server/media/pictures';

/**
 * Broadcasts: one text to everyone in an audience, now or at a time. Creating one stores it and queues its job
 * (jobs.ts runs it); cancelling stops what has not left yet. Delivery counts come from the messages themselves.
 */

type Deps = Pick<Services, 'access' | 'config' | 'messaging' | 'profiles' | 'registry'>;

const pageKey = z.tuple([exactTimeKey, z.string().uuid()]);
const MAX_AHEAD_MS = 366 * 86_400_000;

/** Newest first, keyset-paged by (created_at, id). */
export async function listBroadcasts(db: TenantDb, page: z.output<typeof cursorInput>) {
  const after = decodeCursorAs(pageKey, page.cursor);
  const rows = await db
    .select({
      broadcast: broadcasts,
      branchName: branches.name,
      rule: broadcastSeries.rule,
      sortAt: exactTime(broadcasts.createdAt),
    })
    .from(broadcasts)
    .leftJoin(branches, eq(branches.id, broadcasts.branchId))
    .leftJoin(broadcastSeries, eq(broadcastSeries.id, broadcasts.seriesId))
    .where(after ? olderThan(after) : undefined)
    .orderBy(desc(broadcasts.createdAt), desc(broadcasts.id))
    .limit(page.limit + 1);
  const shown = rows.slice(0, page.limit);
  const counts = await deliveryCounts(
    db,
    shown.map((r) => r.broadcast.id),
  );
  const last = shown.at(-1);
  const names = shown.some((r) => r.broadcast.audience === 'filter') ? await namesFor(db) : null;
  return {
    items: shown.map((r) => withCounts(r.broadcast, r.branchName, counts, names, r.rule)),
    nextCursor: rows.length > page.limit && last ? encodeCursor([last.sortAt, last.broadcast.id]) : null,
  };
}

export async function getBroadcast(db: TenantDb, id: string) {
  const [row] = await db
    .select({ broadcast: broadcasts, branchName: branches.name, rule: broadcastSeries.rule })
    .from(broadcasts)
    .leftJoin(branches, eq(branches.id, broadcasts.branchId))
    .leftJoin(broadcastSeries, eq(broadcastSeries.id, broadcasts.seriesId))
    .where(eq(broadcasts.id, id));
  if (!row) throw new NotFound('That broadcast does not exist.');
  const names = row.broadcast.audience === 'filter' ? await namesFor(db) : null;
  const [counts, failures] = await Promise.all([deliveryCounts(db, [id]), failureReasons(db, id)]);
  return { ...withCounts(row.broadcast, row.branchName, counts, names, row.rule), failures };
}

/**
 * For the compose form: who would receive it and how many are skipped (unsubscribed); the text as a real recipient
 * gets it; segments and cost from the longest merged text, the most anyone's message can cost; and how many are in
 * their quiet hours at the time chosen.
 */
export async function previewBroadcast(
  deps: Pick<Services, 'config' | 'profiles'>,
  { db, tenantId }: ChurchScope,
  input: { audience: AudienceInput; body: string; picture?: boolean; scheduledAt?: Date | null },
) {
  const stored = await storedAudience(db, input.audience);
  const { name, timezone } = await deps.profiles.get(tenantId);
  const audience = await audienceOf(db, stored, timezone);
  const quiet = await quietHoursOf(db);
  const [who, texts, held, audienceSummary, mergeProblem] = await Promise.all([
    countAudience(db, audience),
    audienceTexts(db, audience, input.body, name),
    heldInAudience(db, audience, quiet, timezone, input.scheduledAt ?? null),
    summaryFor(db, stored),
    mergeProblemOf(db, input.body),
  ]);
  const seg = texts.longest ?? countSegments(input.body);
  // A picture makes each text one MMS, however long its words: one message, at the MMS price.
  const mms = !!input.picture;
  const each = mms ? deps.config.MMS_PRICE_PER_MESSAGE : seg.segments * deps.config.SMS_PRICE_PER_SEGMENT;
  return {
    ...who,
    mms,
    encoding: seg.encoding,
    segments: mms ? 1 : seg.segments,
    estimatedCost: Math.round(who.recipients * each * 100) / 100,
    ...texts,
    /** Recipients inside their quiet hours at the time chosen: their texts wait until those end. */
    held,
    /** Merge fields the church does not have, named (sending would be refused), or null. */
    mergeProblem,
    /** The audience in words, as the broadcasts list will show it. */
    audienceSummary,
  };
}

export async function createBroadcast(
  deps: Deps,
  scope: ChurchScope,
  input: z.output<typeof broadcastInput>,
  createdBy: string,
) {
  const scheduledAt = requireSendTime(input.scheduledAt);
  const { stored, recipients } = await requireSendable(deps, scope, input, scheduledAt);
  const mediaId = input.mediaId ?? null;
  const id = randomUUID();
  const enqueue = (runAt: Date) => enqueueBroadcast(deps.registry, scope.tenantId, id, runAt);
  const [created] = await writeThenRun(enqueue, scheduledAt, () =>
    scope.db.transaction(async (tx) => {
      const rows = await tx
        .insert(broadcasts)
        .values({ id, body: input.body, mediaId, ...stored, scheduledAt, createdBy })
        .returning();
      await record(tx, {
        action: input.scheduledAt ? 'broadcast.scheduled' : 'broadcast.sent',
        by: { adminId: createdBy },
        subject: broadcastTitle(input.body),
        details: { broadcastId: id, recipients, scheduledAt: scheduledAt.toISOString() },
      });
      return rows;
    }),
  );
  return created!;
}

/** A broadcast as the activity log names it: its first words ("Easter service at 10…"), or its picture. */
export function broadcastTitle(body: string) {
  const words = body.replace(/\s+/g, ' ').trim();
  return words.length > 60 ? `${words.slice(0, 59)}…` : words || 'a picture';
}

/**
 * What a broadcast (or a repeating one, for its first date) must pass before it is written: a sending number, merge
 * fields the church has that leave nobody's text empty, an audience that exists, and the trial's allowance on the day
 * it goes out. Returns the audience as it is stored, and how many it reaches now (for the activity log).
 */
export async function requireSendable(
  deps: Deps,
  { db, tenantId }: ChurchScope,
  input: { body: string; mediaId?: string | null; audience: AudienceInput },
  at: Date,
) {
  requireWordsOrPicture(input.body, input.mediaId);
  if (input.mediaId) await requireSendablePicture(db, input.mediaId);
  // A US church's broadcast goes through US carriers (and the sender refuses each US text from an unregistered number).
  const { country } = await deps.profiles.get(tenantId);
  await requireSendingNumber(deps, tenantId, {
    missing: 'Add a sending phone number in Settings before sending a broadcast.',
    toUs: country === 'US',
  });
  await requireKnownFields(db, input.body);
  const stored = await storedAudience(db, input.audience);
  await requireBranch(db, stored.branchId ?? stored.filter?.branchId);
  const { name, timezone } = await deps.profiles.get(tenantId);
  const audience = await audienceOf(db, stored, timezone);
  await requireAudienceTextable(db, audience); // only the team's phones until the owner's email is verified
  const [{ recipients }, texts] = await Promise.all([
    countAudience(db, audience),
    audienceTexts(db, audience, input.body, name),
  ]);
  // (A picture sent without words leaves everyone's words empty, as meant.)
  if (texts.empty.count > 0 && input.body.trim()) throw new Invalid(emptyMergeProblem(texts.empty), 'body');
  const each = input.mediaId ? 1 : (texts.longest?.segments ?? 0);
  const refusal = await broadcastRefusal(deps, db, tenantId, recipients * each, at);
  if (refusal) throw new LimitReached(refusal);
  return { stored, recipients };
}

/**
 * Stops a scheduled or running broadcast; messages already sent stay sent, the rest are dropped. A repeating
 * broadcast's date cancelled before it started counts as skipped (the series page can undo it), and the series'
 * next date is made.
 */
export async function cancelBroadcast(deps: Pick<Services, 'registry'>, scope: ChurchScope, id: string, by: string) {
  const { db } = scope;
  const [found] = await db.select({ seriesId: broadcasts.seriesId }).from(broadcasts).where(eq(broadcasts.id, id));
  if (!found) throw new NotFound('That broadcast does not exist.');
  const stopped = await db.transaction(async (tx) => {
    // The series first, as everything that changes a series' dates takes it first (series.ts).
    if (found.seriesId) await lockSeries(tx, found.seriesId);
    const [row] = await tx
      .update(broadcasts)
      .set({ state: 'canceled', finishedAt: sql`now()` })
      .where(and(eq(broadcasts.id, id), inArray(broadcasts.state, ['scheduled', 'sending'])))
      .returning();
    if (!row) throw new Invalid('Only a scheduled or sending broadcast can be cancelled.');
    await tx.delete(messages).where(and(eq(messages.broadcastId, id), eq(messages.status, 'queued')));
    if (row.seriesId && !row.startedAt) await markSkipped(tx, row.seriesId, row.scheduledAt);
    await record(tx, {
      action: 'broadcast.canceled',
      by: { adminId: by },
      subject: broadcastTitle(row.body),
      details: { broadcastId: id, started: !!row.startedAt },
    });
    return row;
  });
  if (stopped.seriesId && !stopped.startedAt)
    await makeNextOccurrence(db, broadcastQueue(deps.registry, scope.tenantId), stopped.seriesId, stopped.scheduledAt);
  return stopped;
}

/** Now when omitted; a minute's grace for a form filled in slowly; at most a year ahead. */
function requireSendTime(wanted: Date | null | undefined): Date {
  const now = Date.now();
  const at = wanted ?? new Date(now);
  if (at.getTime() < now - 60_000) throw new Invalid('Choose a time in the future, or send now.');
  if (at.getTime() > now + MAX_AHEAD_MS) throw new Invalid('Choose a time within the next year.');
  return at;
}

const olderThan = ([at, id]: [string, string]) =>
  or(
    lt(broadcasts.createdAt, sql`${at}::timestamptz`),
    and(eq(broadcasts.createdAt, sql`${at}::timestamptz`), lt(broadcasts.id, id)),
  );

const emptyCounts = { sent: 0, delivered: 0, failed: 0, pending: 0, held: 0 };
type Counts = Map<string, typeof emptyCounts>;

const withCounts = (
  broadcast: Broadcast,
  branchName: string | null,
  counts: Counts,
  names: Names | null,
  rule: string | null,
) => ({
  ...broadcast,
  branchName,
  audienceSummary: summaryOf(broadcast, branchName, names),
  /** For a date of a repeating broadcast, the series in words: "Every Saturday at 17:00". */
  seriesSummary: rule ? describeRule(rule, { until: false }) : null,
  ...(counts.get(broadcast.id) ?? emptyCounts),
});

/** The words for an audience the composer is choosing, reading names only when they appear in the words. */
async function summaryFor(db: TenantDb, stored: Parameters<typeof summaryOf>[0] & { branchId: string | null }) {
  const named = stored.audience === 'branch' || (stored.audience === 'filter' && !stored.segmentName);
  const names = named ? await namesFor(db) : null;
  return summaryOf(stored, names?.branches.get(stored.branchId ?? '') ?? null, names);
}

/** Who it was for, in words: "Everyone", "Branch: North", "Tag: youth", "Segment: Parents", or its conditions. */
export function summaryOf(
  b: Pick<Broadcast, 'audience' | 'tag' | 'filter' | 'segmentName'>,
  branchName: string | null,
  names: Names | null,
): string {
  if (b.audience === 'branch') return branchName ? `Branch: ${branchName}` : 'A branch that was deleted';
  if (b.audience === 'tag') return `Tag: ${b.tag}`;
  if (b.audience === 'filter' && b.segmentName) return `Segment: ${b.segmentName}`;
  if (b.audience === 'filter' && names) return describeFilter(b.filter ?? {}, names);
  return 'Everyone';
}

/** Progress counts come from the messages themselves, so they can never drift from what happened. */
async function deliveryCounts(db: TenantDb, ids: string[]): Promise<Counts> {
  const out: Counts = new Map();
  if (ids.length === 0) return out;
  const rows = await db
    .select({
      id: messages.broadcastId,
      // "sent" counts everything that left us (sent or delivered); "delivered" is the carrier's confirmation.
      sent: sql<number>`count(*) filter (where ${messages.status} in ('sent', 'delivered'))::int`,
      delivered: sql<number>`count(*) filter (where ${messages.status} = 'delivered')::int`,
      failed: sql<number>`count(*) filter (where ${messages.status} = 'failed')::int`,
      pending: sql<number>`count(*) filter (where ${messages.status} in ('queued', 'sending'))::int`,
      // Of those, the ones held for their recipient's quiet hours (broadcaster.ts).
      held: sql<number>`count(*) filter (where ${messages.status} = 'queued' and ${messages.notBefore} > now())::int`,
    })
    .from(messages)
    .where(inArray(messages.broadcastId, ids))
    .groupBy(messages.broadcastId);
  for (const { id, ...counts } of rows) out.set(id!, counts);
  return out;
}

/** Why a broadcast's texts failed, most common first: each carrier code's reason (or our own words) with its count. */
async function failureReasons(db: TenantDb, broadcastId: string) {
  const rows = await db
    .select({ code: messages.errorCode, error: messages.error, count: sql<number>`count(*)::int` })
    .from(messages)
    .where(and(eq(messages.broadcastId, broadcastId), eq(messages.status, 'failed')))
    .groupBy(messages.errorCode, messages.error);
  const byReason = new Map<string, { reason: string; kind: FailureKind; count: number }>();
  for (const r of rows) {
    const { reason, kind } = carrierOutcome(r.code, r.error);
    const seen = byReason.get(reason);
    if (seen) seen.count += r.count;
    else byReason.set(reason, { reason, kind, count: r.count });
  }
  return [...byReason.values()].sort((a, b) => b.count - a.count || a.reason.localeCompare(b.reason));
}
