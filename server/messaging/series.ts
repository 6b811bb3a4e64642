import { randomUUID } from 'node:crypto';
import { and, desc, eq, inArray, sql } from 'drizzle-orm';
import type { ChurchScope, TenantDb } from '@/db/tenant';
import { branches, broadcastSeries, broadcasts, type BroadcastSeries } from '@/db/tenant/schema';
import { record } from '@/server/activity/record';
import { namesFor } from '@/server/audiences/describe';
import { Invalid, NotFound } from '@/server/domain-errors';
import { log } from '@/server/log';
import type { Services } from '@/server/services';
import { broadcastTitle, requireSendable, summaryOf } from './broadcasts';
import { broadcastQueue, enqueueBroadcast, writeThenRun } from './jobs';
import {
  addDays,
  buildRule,
  dayLabel,
  describeRule,
  isOccurrence,
  occurrenceLabel,
  occurrencesAfter,
  timezoneOf,
  todayIn,
  wallDate,
} from './recurrence';
import { MAX_SERIES_DAYS } from './series-days';
import type { RepeatInput, SeriesInput } from './series-inputs';
import { lockSeries, makeNextOccurrence, markSkipped, occurrenceOf } from './series-occurrences';

/**
 * Repeating broadcasts ("every Saturday at 17:00 until 30 June"): create, list with their next dates, skip a date
 * (and undo that), stop. The dates themselves are broadcasts made one at a time (series-occurrences.ts); times are the
 * church's local time, kept in the rule with its timezone (recurrence.ts).
 */

type Deps = Pick<Services, 'access' | 'config' | 'messaging' | 'profiles' | 'registry'>;

/** How many coming dates the page shows for each series (each can be skipped). */
const UPCOMING = 5;
/** The most series the page lists: active ones first, then newest first. */
const LISTED = 50;

const NOT_FOUND = 'That repeating broadcast does not exist.';

/**
 * The rule for a repeat chosen in the form, checked against the church's today: it starts today or later, ends at most
 * a year ahead, and has a date still to come. Returns the rule and its first date.
 */
function ruleFor(input: RepeatInput, timezone: string, now = new Date()) {
  const today = todayIn(timezone, now);
  const lastEnd = addDays(today, MAX_SERIES_DAYS);
  if (input.startDate < today) throw new Invalid('Start today or later.', 'startDate');
  if (input.endDate > lastEnd)
    throw new Invalid(`End within a year: on ${dayLabel(wallDate(lastEnd, 0), 'UTC')} at the latest.`, 'endDate');
  const rule = buildRule(input, timezone);
  const [first] = occurrencesAfter(rule, now, 1);
  if (!first)
    throw new Invalid('No date between the first date and the end date matches: choose a later end.', 'endDate');
  return { rule, first };
}

/** What the compose form shows before saving: the rule in words and its next dates, in the church's time. */
export async function previewSeries(deps: Pick<Services, 'profiles'>, tenantId: string, input: RepeatInput) {
  const { timezone } = await deps.profiles.get(tenantId);
  const { rule } = ruleFor(input, timezone);
  const all = occurrencesAfter(rule, new Date(), 1_000);
  return {
    description: describeRule(rule),
    timezone,
    count: all.length,
    next: all.slice(0, UPCOMING).map((at) => ({ at, label: occurrenceLabel(at, timezone) })),
  };
}

/**
 * A new series, checked as a broadcast is (sending number, merge fields, audience, the allowance on its first
 * date), and its first date as a scheduled broadcast with its job.
 */
export async function createSeries(deps: Deps, scope: ChurchScope, input: SeriesInput, createdBy: string) {
  const { timezone } = await deps.profiles.get(scope.tenantId);
  const { rule, first } = ruleFor(input, timezone);
  const { stored, recipients } = await requireSendable(deps, scope, input, first);
  const id = randomUUID();
  const values = { id, body: input.body, mediaId: input.mediaId ?? null, ...stored, rule, createdBy };
  const firstDate = occurrenceOf(values, first);
  const enqueue = (runAt: Date) => enqueueBroadcast(deps.registry, scope.tenantId, firstDate.id, runAt);
  const series = await writeThenRun(enqueue, first, () =>
    scope.db.transaction(async (tx) => {
      const [s] = await tx.insert(broadcastSeries).values(values).returning();
      await tx.insert(broadcasts).values(firstDate);
      await record(tx, {
        action: 'series.created',
        by: { adminId: createdBy },
        subject: broadcastTitle(input.body),
        details: { seriesId: id, repeat: describeRule(rule), recipients, firstAt: first.toISOString() },
      });
      return s!;
    }),
  );
  return { ...series, description: describeRule(rule), firstAt: first, firstLabel: occurrenceLabel(first, timezone) };
}

/**
 * The church's series, newest first: each in words, its audience, its state, and its next dates (skipped ones marked,
 * with the broadcast already made for a date). Also the church's today and the latest end date, for the form.
 */
export async function listSeries(deps: Pick<Services, 'profiles' | 'registry'>, { db, tenantId }: ChurchScope) {
  const { timezone } = await deps.profiles.get(tenantId);
  const today = todayIn(timezone);
  const rows = await db
    .select({ series: broadcastSeries, branchName: branches.name })
    .from(broadcastSeries)
    .leftJoin(branches, eq(branches.id, broadcastSeries.branchId))
    // Active ones first, so an old series still running never drops off the page.
    .orderBy(sql`${broadcastSeries.endedAt} is null desc`, desc(broadcastSeries.createdAt), desc(broadcastSeries.id))
    .limit(LISTED);
  const ids = rows.map((r) => r.series.id);
  const names = rows.some((r) => r.series.audience === 'filter') ? await namesFor(db) : null;
  let dates = ids.length > 0 ? await madeDates(db, ids) : [];
  if (await healSeries(deps, { db, tenantId }, rows, dates)) dates = await madeDates(db, ids);
  const now = new Date();
  const items = rows.map(({ series: s, branchName }) => {
    const mine = dates.filter((d) => d.seriesId === s.id);
    const skipped = new Set(s.skipped.map((d) => new Date(d).getTime()));
    const made = new Map(mine.map((d) => [d.scheduledAt.getTime(), d]));
    // Dates still to come, less any whose broadcast has already gone out (a date's job may run early when retried).
    const coming = (s.endedAt ? [] : occurrencesAfter(s.rule, now, 1_000)).filter(
      (at) => !['sending', 'sent', 'failed'].includes(made.get(at.getTime())?.state ?? ''),
    );
    const remaining = coming.filter((at) => !skipped.has(at.getTime())).length;
    const pending = mine.some((d) => d.state === 'scheduled' || d.state === 'sending');
    const zone = timezoneOf(s.rule);
    return {
      id: s.id,
      body: s.body,
      mediaId: s.mediaId,
      audienceSummary: summaryOf(s, branchName, names),
      description: describeRule(s.rule),
      timezone: zone,
      status: s.endedAt ? ('stopped' as const) : remaining > 0 || pending ? ('active' as const) : ('finished' as const),
      endedAt: s.endedAt,
      createdAt: s.createdAt,
      /** Dates still to come that will go out. */
      remaining,
      /** Dates sent so far. */
      sent: mine.filter((d) => d.state === 'sent').length,
      next: coming.slice(0, UPCOMING).map((at) => ({
        at,
        label: occurrenceLabel(at, zone),
        skipped: skipped.has(at.getTime()),
        broadcastId: made.get(at.getTime())?.id ?? null,
      })),
    };
  });
  return {
    timezone,
    today,
    lastEndDate: addDays(today, MAX_SERIES_DAYS),
    items,
  };
}

/**
 * A series still running with a date to come but no broadcast waiting for it has lost its next date (a job that could
 * not make it, a church closed at the time): it is made again here. Looking at the page is what notices it, as no
 * job is left to; making it is idempotent (makeNextOccurrence), so two pages open at once make one.
 * Returns whether anything was made.
 */
async function healSeries(
  deps: Pick<Services, 'registry'>,
  { db, tenantId }: Pick<ChurchScope, 'db' | 'tenantId'>,
  rows: { series: BroadcastSeries }[],
  dates: Awaited<ReturnType<typeof madeDates>>,
) {
  const now = new Date();
  const waiting = new Set(dates.filter((d) => d.state === 'scheduled' || d.state === 'sending').map((d) => d.seriesId));
  // After its latest date made: a date sent early (a retried job) is still in the future, and is not made again.
  const latest = new Map<string, Date>();
  for (const d of dates)
    if (d.seriesId && d.scheduledAt > (latest.get(d.seriesId) ?? now)) latest.set(d.seriesId, d.scheduledAt);
  const lost = rows
    .map((r) => r.series)
    .filter((s) => !s.endedAt && !waiting.has(s.id))
    .filter((s) => {
      const skipped = new Set(s.skipped.map((d) => new Date(d).getTime()));
      return occurrencesAfter(s.rule, latest.get(s.id) ?? now, 1, (d) => skipped.has(d.getTime())).length > 0;
    });
  let made = false;
  for (const s of lost) {
    // The list is still shown if this fails (a read-only church, the registry busy): the next look tries again.
    const next = await makeNextOccurrence(
      db,
      broadcastQueue(deps.registry, tenantId),
      s.id,
      latest.get(s.id) ?? now,
    ).catch((err: unknown) => {
      log.warn('could not make the next date of a repeating broadcast', { err, seriesId: s.id });
      return null;
    });
    made ||= next !== null;
  }
  return made;
}

async function madeDates(db: TenantDb, seriesIds: string[]) {
  const rows = await db
    .select({
      id: broadcasts.id,
      seriesId: broadcasts.seriesId,
      scheduledAt: broadcasts.scheduledAt,
      state: broadcasts.state,
    })
    .from(broadcasts)
    .where(inArray(broadcasts.seriesId, seriesIds));
  return rows;
}

/** A series that exists and has not been stopped, and `at` one of its dates still to come. */
function requireComingDate(s: BroadcastSeries | null | undefined, at: Date): BroadcastSeries {
  if (!s) throw new NotFound(NOT_FOUND);
  if (s.endedAt) throw new Invalid('This repeating broadcast has been stopped.');
  if (!isOccurrence(s.rule, at)) throw new Invalid('That is not one of this repeating broadcast’s dates.', 'at');
  if (at.getTime() <= Date.now()) throw new Invalid('That date has already passed.', 'at');
  return s;
}

/** The series as it is now, checked as above: a quick refusal before anything is queued. */
async function currentComingDate(db: TenantDb, seriesId: string, at: Date) {
  const [s] = await db.select().from(broadcastSeries).where(eq(broadcastSeries.id, seriesId));
  return requireComingDate(s, at);
}

const isSkipped = (s: BroadcastSeries, at: Date) => s.skipped.some((d) => new Date(d).getTime() === at.getTime());

/**
 * Skip one date: it is not sent. If its broadcast was already made, that is cancelled, and the date after it is made
 * in its place.
 */
export async function skipOccurrence(
  deps: Pick<Services, 'registry'>,
  { db, tenantId }: ChurchScope,
  input: { seriesId: string; at: Date },
  by: string,
) {
  await currentComingDate(db, input.seriesId, input.at);
  const canceled = await db.transaction(async (tx) => {
    // Checked again on the locked row: a stop (or the date's job) may have come in since.
    const locked = requireComingDate(await lockSeries(tx, input.seriesId), input.at);
    const [started] = await tx
      .select({ id: broadcasts.id })
      .from(broadcasts)
      .where(
        and(
          eq(broadcasts.seriesId, input.seriesId),
          eq(broadcasts.scheduledAt, input.at),
          inArray(broadcasts.state, ['sending', 'sent']),
        ),
      );
    if (started) throw new Invalid('That date is already going out.', 'at');
    await markSkipped(tx, input.seriesId, input.at);
    await record(tx, seriesEntry('series.date_skipped', by, locked, input.at));
    return tx
      .update(broadcasts)
      .set({ state: 'canceled', finishedAt: sql`now()` })
      .where(atDate(input.seriesId, input.at, 'scheduled'))
      .returning({ id: broadcasts.id });
  });
  // Its job would make the next date when its time comes; made now, the list shows what comes next.
  if (canceled.length > 0)
    await makeNextOccurrence(db, broadcastQueue(deps.registry, tenantId), input.seriesId, input.at);
  return { seriesId: input.seriesId, at: input.at, skipped: true };
}

/**
 * Undo a skip: the date goes out after all. Its broadcast is made now (or the one the skip cancelled is scheduled
 * again), whether or not the series has reached it yet: a later date may already have been made in its place.
 */
export async function unskipOccurrence(
  deps: Pick<Services, 'registry'>,
  { db, tenantId }: ChurchScope,
  input: { seriesId: string; at: Date },
  by: string,
) {
  const s = await currentComingDate(db, input.seriesId, input.at);
  if (!isSkipped(s, input.at)) throw new Invalid('That date is not skipped.', 'at');
  const date = occurrenceOf(s, input.at);
  const instant = sql`${input.at.toISOString()}::timestamptz`;
  // Should the checks below fail, the job queued first finds its date cancelled or missing and does nothing.
  const row = await writeThenRun(broadcastQueue(deps.registry, tenantId).bind(null, date.id), input.at, () =>
    db.transaction(async (tx) => {
      // Checked again on the locked row: a stop that came in since must not have its date scheduled again.
      const locked = requireComingDate(await lockSeries(tx, input.seriesId), input.at);
      if (!isSkipped(locked, input.at)) throw new Invalid('That date is not skipped.', 'at');
      await record(tx, seriesEntry('series.date_restored', by, locked, input.at));
      await tx
        .update(broadcastSeries)
        .set({ skipped: sql`array_remove(${broadcastSeries.skipped}, ${instant})` })
        .where(eq(broadcastSeries.id, input.seriesId));
      await tx.insert(broadcasts).values(occurrenceOf(locked, input.at)).onConflictDoNothing();
      // One the skip cancelled never started: it is scheduled again.
      await tx
        .update(broadcasts)
        .set({ state: 'scheduled', finishedAt: null })
        .where(and(atDate(input.seriesId, input.at, 'canceled'), sql`${broadcasts.startedAt} is null`));
      const [made] = await tx
        .select({ id: broadcasts.id, state: broadcasts.state })
        .from(broadcasts)
        .where(and(eq(broadcasts.seriesId, input.seriesId), eq(broadcasts.scheduledAt, input.at)));
      return made;
    }),
  );
  return { seriesId: input.seriesId, at: input.at, skipped: false, broadcastId: row?.id ?? null };
}

/** Stop a series: nothing more is made, and its scheduled dates are cancelled (one already sending goes on). */
export async function stopSeries(db: TenantDb, seriesId: string, by: string) {
  return db.transaction(async (tx) => {
    const s = await lockSeries(tx, seriesId);
    if (!s) throw new NotFound(NOT_FOUND);
    if (s.endedAt) throw new Invalid('This repeating broadcast has already been stopped.');
    const [stopped] = await tx
      .update(broadcastSeries)
      .set({ endedAt: sql`now()` })
      .where(eq(broadcastSeries.id, seriesId))
      .returning();
    const canceled = await tx
      .update(broadcasts)
      .set({ state: 'canceled', finishedAt: sql`now()` })
      .where(and(eq(broadcasts.seriesId, seriesId), eq(broadcasts.state, 'scheduled')))
      .returning({ id: broadcasts.id });
    await record(tx, {
      action: 'series.stopped',
      by: { adminId: by },
      subject: broadcastTitle(s.body),
      details: { seriesId, canceled: canceled.length },
    });
    return { id: seriesId, endedAt: stopped!.endedAt!, canceled: canceled.length };
  });
}

/** A date of a series skipped or restored, for the activity log. */
const seriesEntry = (
  action: 'series.date_skipped' | 'series.date_restored',
  by: string,
  series: Pick<BroadcastSeries, 'id' | 'body'>,
  at: Date,
) => ({
  action,
  by: { adminId: by },
  subject: broadcastTitle(series.body),
  details: { seriesId: series.id, at: at.toISOString() },
});

const atDate = (seriesId: string, at: Date, state: 'scheduled' | 'canceled') =>
  and(eq(broadcasts.seriesId, seriesId), eq(broadcasts.scheduledAt, at), eq(broadcasts.state, state));
