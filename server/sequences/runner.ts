import { randomUUID } from 'node:crypto';
import { and, eq, isNotNull, sql, type SQL } from 'drizzle-orm';
import { RateLimiterRes } from 'rate-limiter-flexible';
import type { TenantDb } from '@/db/tenant';
import { messages } from '@/db/tenant/schema';
import { requireAllowance } from '@/server/billing/allowance';
import { customValuesFor } from '@/server/custom-fields/merge';
import { LimitReached } from '@/server/domain-errors';
import type { Tx } from '@/server/members/consent';
import { mergeFields, mergeValuesOf } from '@/server/messaging/merge-fields';
import { TransientSendError } from '@/server/messaging/provider';
import { quietHoursOf, quietUntil } from '@/server/messaging/quiet-hours';
import { countSegments } from '@/server/messaging/segments';
import { sendOne, settleUnclaimed, type SenderDeps } from '@/server/messaging/sender';
import { withDeadline } from '@/server/registry';
import type { Services } from '@/server/services';
import { enrollOnDates } from './enroll';
import { memberTimezone, scheduleWaiting } from './schedule';

/**
 * One church's sequences, run by its `run_sequences` job (jobs.ts) whenever a step comes due:
 *   1. today's date triggers enroll (birthdays), and new enrollments get their first step's time (schedule.ts);
 *   2. the due steps, a batch at a time, become queued texts in one transaction with each enrollment's move to its
 *      next step: the text's unique (enrollment, step) is the send-once ledger, so a crash or a second run never
 *      writes a step twice;
 *   3. the queued texts are sent by sender.ts, which claims each one before calling the provider (never sent twice,
 *      never resent after a crash mid-call) and checks consent at that moment.
 * A step due inside the member's quiet hours waits for them to end; a paused sequence's steps wait for the resume.
 * Returns when to run again.
 */
export type RunnerDeps = Pick<Services, 'access' | 'config' | 'profiles' | 'registry'> & { messaging: SenderDeps };

/** Steps taken per transaction. */
const BATCH = 100;
/** A church with an active sequence is looked at at least this often (its date triggers; a wake lost to a crash). */
const LOOK_AGAIN_MS = 60 * 60_000;
/** What waits when the trial's daily allowance is used up, or the workspace is read-only. */
const HOLD_MS = 60 * 60_000;
/** A text the provider could not take is tried again this much later, for up to a day. */
const RETRY_MS = 30_000;
const GIVE_UP_AFTER_MS = 24 * 60 * 60_000;

export async function runSequences(deps: RunnerDeps, db: TenantDb, tenantId: string): Promise<Date | null> {
  const church = await deps.profiles.get(tenantId);
  // When each member's quiet hours end, or null outside them (SQL over `b`, the member's branch).
  const hold = quietUntil(await quietHoursOf(db), memberTimezone(church.timezone), sql`now()`);
  if ((await deps.access.get(tenantId)).readOnly) return nextRun(db, hold, new Date(Date.now() + HOLD_MS));
  await enrollOnDates(db, church.timezone);
  const resumeAt = await sendQueued(deps, db, tenantId, hold); // texts left queued by a crash, first
  if (resumeAt) return resumeAt;
  for (;;) {
    await scheduleWaiting(db, church.timezone);
    const taken = await takeDueSteps(deps, db, tenantId, church, hold);
    if (taken === 0) break;
    const later = await sendQueued(deps, db, tenantId, hold);
    if (later) return later;
  }
  return nextRun(db, hold);
}

type Due = {
  id: string;
  member_id: string;
  next_step: number;
  body: string | null;
  phone: string;
  subscription: string;
  first_name: string;
  last_name: string;
  branch_name: string | null;
  conversation_id: string | null;
  held_until: Date | null;
};
type Text = { enrollmentId: string; memberId: string; position: number; phone: string; body: string };

/**
 * Takes up to a batch of due steps in one transaction, in a few statements whatever its size: each enrollment ends
 * (no step left, opted out, never opted in), waits (quiet hours, the trial's allowance) or has its text written and
 * moves on. Returns how many were taken.
 */
async function takeDueSteps(
  deps: RunnerDeps,
  db: TenantDb,
  tenantId: string,
  church: { name: string; timezone: string },
  hold: SQL,
) {
  return db.transaction(async (tx) => {
    // Skip locked: a second run (a wake racing the scheduled one) takes other steps, never the same ones.
    const due = await tx.execute<Due>(sql`
      select e.id, e.member_id, e.next_step, st.body, m.phone, m.subscription, m.first_name, m.last_name,
             b.name as branch_name, c.id as conversation_id, ${hold} as held_until
        from sequence_enrollments e
        join sequences s on s.id = e.sequence_id and s.state = 'active'
        join members m on m.id = e.member_id
        left join branches b on b.id = m.branch_id
        left join conversations c on c.member_id = m.id
        left join sequence_steps st on st.sequence_id = e.sequence_id and st.position = e.next_step
       where e.state = 'active' and e.next_at <= now()
       order by e.next_at
       limit ${BATCH}
         for update of e skip locked`);
    const ended: { id: string; state: string; reason: string | null }[] = [];
    const waiting: { id: string; until: Date }[] = [];
    const texts: Text[] = [];
    for (const d of due) {
      if (d.body === null)
        ended.push({ id: d.id, state: 'finished', reason: null }); // steps removed by an edit
      else if (d.subscription === 'unsubscribed') ended.push({ id: d.id, state: 'stopped', reason: 'opted_out' });
      else if (d.subscription !== 'subscribed') ended.push({ id: d.id, state: 'stopped', reason: 'not_opted_in' });
      else if (d.held_until)
        waiting.push({ id: d.id, until: new Date(d.held_until) }); // their quiet hours
      else texts.push(await textOf(tx, d, church.name));
    }
    const allowed = await withinAllowance(deps, tx, tenantId, texts);
    for (const t of texts)
      if (!allowed.has(t)) waiting.push({ id: t.enrollmentId, until: new Date(Date.now() + HOLD_MS) });
    await writeTexts(
      tx,
      texts.filter((t) => allowed.has(t)),
    );
    await endEnrollments(tx, ended);
    await putOff(tx, waiting);
    return due.length;
  });
}

/** The step's words for this member, merge fields filled in (their own member fields only when the text uses any). */
async function textOf(tx: Tx, d: Due, churchName: string): Promise<Text> {
  const values = mergeValuesOf({
    firstName: d.first_name,
    lastName: d.last_name,
    branchName: d.branch_name,
    churchName,
  });
  const body = mergeFields(d.body!, { ...values, ...(await customValuesFor(tx, d.member_id, d.body!)) });
  return { enrollmentId: d.id, memberId: d.member_id, position: d.next_step, phone: d.phone, body };
}

/**
 * The texts the trial's daily allowance has room for (all of them for a paying church): the batch at once, else one
 * by one; the rest wait an hour.
 */
async function withinAllowance(deps: RunnerDeps, tx: Tx, tenantId: string, texts: Text[]): Promise<Set<Text>> {
  const segmentsOf = (t: Text) => (t.body.trim() ? countSegments(t.body).segments : 0); // an empty one is not sent
  const fits = (segments: number) =>
    requireAllowance(deps, tx, tenantId, segments).then(
      () => true,
      (err) => {
        if (LimitReached.is(err)) return false;
        throw err;
      },
    );
  if (await fits(texts.reduce((n, t) => n + segmentsOf(t), 0))) return new Set(texts);
  // Nothing is written until the end, so each text is checked together with those already let through.
  const allowed = new Set<Text>();
  let taken = 0;
  for (const t of texts)
    if (await fits(taken + segmentsOf(t))) {
      allowed.add(t);
      taken += segmentsOf(t);
    }
  return allowed;
}

/**
 * Each text as a queued message in its member's thread (started if they have none), and each enrollment moved to
 * its next step, counted from now (schedule.ts works out when). A text its merge fields leave empty is passed over.
 */
async function writeTexts(tx: Tx, texts: Text[]) {
  if (texts.length === 0) return;
  const json = (rows: unknown[]) => JSON.stringify(rows);
  const members = json([...new Set(texts.map((t) => t.memberId))].map((id) => ({ id })));
  const threads = () =>
    tx.execute<{ id: string; member_id: string }>(sql`
      with wanted as (select w.id as member_id from json_to_recordset(${members}::json) as w(id uuid)),
           made as (insert into conversations (member_id) select member_id from wanted
                    on conflict (member_id) do nothing returning id, member_id)
      select id, member_id from made
      union all
      select c.id, c.member_id from conversations c join wanted w on w.member_id = c.member_id`);
  let found = await threads();
  // A thread another transaction started meanwhile is not in this statement's snapshot: the next one sees it.
  if (found.length < new Set(texts.map((t) => t.memberId)).size) found = await threads();
  const threadOf = new Map(found.map((t) => [t.member_id, t.id]));
  const sent = texts.filter((t) => t.body.trim());
  if (sent.length)
    await tx
      .insert(messages)
      .values(
        sent.map((t) => ({
          id: randomUUID(),
          conversationId: threadOf.get(t.memberId)!,
          direction: 'outbound' as const,
          kind: 'sequence' as const,
          body: t.body,
          segments: countSegments(t.body).segments,
          status: 'queued' as const,
          toNumber: t.phone,
          enrollmentId: t.enrollmentId,
          stepPosition: t.position,
        })),
      )
      .onConflictDoNothing({
        target: [messages.enrollmentId, messages.stepPosition],
        where: sql`${messages.enrollmentId} is not null`,
      });
  const previews = sent.map((t) => ({ id: threadOf.get(t.memberId)!, preview: t.body.slice(0, 140) }));
  await tx.execute(sql`
    update conversations c set last_message_at = now(), last_message_preview = v.preview
      from json_to_recordset(${json(previews)}::json) as v(id uuid, preview text)
     where c.id = v.id`);
  await tx.execute(sql`
    update sequence_enrollments e set next_step = e.next_step + 1, anchor_at = now(), next_at = null
      from json_to_recordset(${json(texts.map((t) => ({ id: t.enrollmentId })))}::json) as v(id uuid)
     where e.id = v.id`);
}

async function endEnrollments(tx: Tx, ended: { id: string; state: string; reason: string | null }[]) {
  if (ended.length === 0) return;
  await tx.execute(sql`
    update sequence_enrollments e set state = v.state, stop_reason = v.reason, ended_at = now()
      from json_to_recordset(${JSON.stringify(ended)}::json) as v(id uuid, state text, reason text)
     where e.id = v.id`);
}

async function putOff(tx: Tx, waiting: { id: string; until: Date }[]) {
  if (waiting.length === 0) return;
  await tx.execute(sql`
    update sequence_enrollments e set next_at = v.until
      from json_to_recordset(${JSON.stringify(waiting)}::json) as v(id uuid, until timestamptz)
     where e.id = v.id`);
}

/**
 * Sends the church's queued sequence texts at its sending rate. When the rate limit needs a moment to refill, a run
 * waits for it only if no other job is waiting for a worker; otherwise it hands back when to go on, so every church's
 * steps progress at once rather than a few churches holding the workers. A text found mid-send after a crash is
 * settled (sender.ts), never resent.
 */
async function sendQueued(deps: RunnerDeps, db: TenantDb, tenantId: string, hold: SQL): Promise<Date | null> {
  const stuck = await db
    .select({ id: messages.id })
    .from(messages)
    .where(and(isNotNull(messages.enrollmentId), eq(messages.status, 'sending')));
  for (const { id } of stuck) if ((await settleUnclaimed(db, id)) === 'in_flight') return new Date(Date.now() + 60_000);
  await dropLeftBehind(db);
  for (;;) {
    // A paused sequence's texts wait with its steps; one whose member is in quiet hours now (it waited for the
    // provider, or for a resume) waits for them to end (nextRun).
    const queued = await db.execute<{ id: string; created_at: string }>(sql`
      select m.id, m.created_at from ${waitingTexts}
       where m.enrollment_id is not null and m.status = 'queued' and ${hold} is null
       order by m.created_at limit ${BATCH}`);
    for (const { id, created_at } of queued) {
      const createdAt = new Date(created_at);
      const waitMs = await takeTurn(deps, tenantId);
      if (waitMs > 0) return new Date(Date.now() + waitMs);
      // The provider unreachable: the text stays queued and is tried again, for a day; then it is failed.
      const finalAttempt = createdAt.getTime() < Date.now() - GIVE_UP_AFTER_MS;
      const sent = await sendOne(deps.messaging, db, tenantId, id, { finalAttempt, turnTaken: true }).catch(
        (err: unknown) => {
          if (TransientSendError.is(err)) return 'later' as const;
          throw err;
        },
      );
      if (sent === 'later') return new Date(Date.now() + RETRY_MS);
    }
    if (queued.length < BATCH) return null;
  }
}

/**
 * Texts written for steps but not sent yet, of the enrollments (`e`) `which` picks, are not sent: `error` says why
 * in the thread.
 */
export async function failUnsent(db: TenantDb | Tx, which: SQL, error: string) {
  await db.execute(sql`
    update messages m set status = 'failed', error = ${error}, status_at = now()
      from sequence_enrollments e
     where m.enrollment_id is not null and e.id = m.enrollment_id and m.status = 'queued' and ${which}`);
}

export const LEFT_SEQUENCE = 'Not sent: they left the sequence before it went out.';

/** Those of members who left the sequence since (taken out, or replied); an opt-out is the sender's to refuse. */
const dropLeftBehind = (db: TenantDb) =>
  failUnsent(db, sql`e.state = 'stopped' and e.stop_reason in ('removed', 'replied')`, LEFT_SEQUENCE);

/** A slot of the church's sending rate (0), or how long until the run should go on (it hands back). */
async function takeTurn(deps: RunnerDeps, tenantId: string): Promise<number> {
  for (;;) {
    try {
      await deps.messaging.sendRate.consume(tenantId);
      return 0;
    } catch (err) {
      if (!(err instanceof RateLimiterRes)) throw err;
      const waitMs = Math.max(20, err.msBeforeNext);
      if (await othersWaiting(deps)) return waitMs;
      await new Promise((r) => setTimeout(r, waitMs)); // nobody else needs the worker: wait here
    }
  }
}

/** Whether another job is due and not taken: the queue's workers are all busy. */
async function othersWaiting(deps: RunnerDeps) {
  const [row] = await withDeadline(
    deps.registry.sql<{ waiting: boolean }[]>`
      select exists (select 1 from graphile_worker.jobs
                      where run_at <= now() and locked_at is null and attempts < max_attempts) as waiting`,
    deps.registry.timeoutMs,
  );
  return !!row?.waiting;
}

/** Sequence texts (`m`) of active sequences, with their members' branches (`b`) for their clocks. */
const waitingTexts = sql`messages m
    join sequence_enrollments e on e.id = m.enrollment_id
    join sequences s on s.id = e.sequence_id and s.state = 'active'
    join conversations c on c.id = m.conversation_id
    join members mb on mb.id = c.member_id
    left join branches b on b.id = mb.branch_id`;

/**
 * When this church's sequences need looking at again: the next step due in an active sequence, or the end of quiet
 * hours a queued text waits for, and at most an hour away while any sequence is active (its date triggers enroll
 * each day; a wake lost to a crash is caught up).
 */
async function nextRun(db: TenantDb, hold: SQL, atLatest?: Date): Promise<Date | null> {
  const [row] = await db.execute<{ next: Date | null; held: Date | null; active: boolean }>(sql`
    select (select min(e.next_at) from sequence_enrollments e join sequences s on s.id = e.sequence_id
             where e.state = 'active' and s.state = 'active') as next,
           (select min(${hold}) from ${waitingTexts}
             where m.enrollment_id is not null and m.status = 'queued') as held,
           exists (select 1 from sequences where state = 'active') as active`);
  const candidates = [
    row?.next ? new Date(row.next) : null,
    row?.held ? new Date(row.held) : null,
    row?.active ? new Date(Date.now() + LOOK_AGAIN_MS) : null,
    atLatest ?? null,
  ].filter((d): d is Date => d !== null);
  return candidates.length ? new Date(Math.min(...candidates.map((d) => d.getTime()))) : null;
}
