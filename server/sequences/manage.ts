import { and, asc, desc, eq, inArray, lt, sql } from 'drizzle-orm';
import type { z } from 'zod';
import type { TenantDb } from '@/db/tenant';
import {
  customFields,
  keywords,
  members,
  messages,
  sequenceEnrollments,
  sequenceReplies,
  sequences,
  sequenceSteps,
  type Sequence,
} from '@/db/tenant/schema';
import { requireKnownFields } from '@/server/custom-fields/merge';
import { Conflict, Invalid, NotFound } from '@/server/domain-errors';
import { isUniqueViolation } from '@/server/errors';
import type { Tx } from '@/server/members/consent';
import { audienceOf, storedAudience } from '@/server/messaging/audience';
import { enrollByHand, waitingToSchedule } from './enroll';
import { failUnsent, LEFT_SEQUENCE } from './runner';
import type { enrollInput, SequenceInput, TriggerInput } from './inputs';
import { rescheduleSequence } from './schedule';

/**
 * A church's sequences as admins keep them (the automations page): write, edit, pause, enroll by hand, and how each
 * is doing. Writes that may enroll someone or make a step due sooner return `wake` for the router to wake the runner.
 */

const GONE = 'That sequence does not exist.';
const taken = (name: string) => `You already have a sequence called “${name}”.`;

/** The trigger's columns: each trigger fills its own, the others are cleared. */
function triggerColumns(t: TriggerInput) {
  return {
    trigger: t.kind,
    keywordId: t.kind === 'keyword' ? t.keywordId : null,
    tag: t.kind === 'tag' ? t.tag : null,
    firstVisitOnly: t.kind === 'connect_card' ? t.firstVisitOnly : false,
    fieldId: t.kind === 'date' ? t.fieldId : null,
    atMinute: t.kind === 'date' ? t.atMinute : null,
  };
}

/** The trigger as the form edits it; a keyword or field deleted since reads as missing (null id). */
function triggerOf(s: Sequence) {
  switch (s.trigger) {
    case 'keyword':
      return { kind: s.trigger, keywordId: s.keywordId };
    case 'connect_card':
      return { kind: s.trigger, firstVisitOnly: s.firstVisitOnly };
    case 'tag':
      return { kind: s.trigger, tag: s.tag ?? '' };
    case 'date':
      return { kind: s.trigger, fieldId: s.fieldId, atMinute: s.atMinute ?? 9 * 60 };
    case 'manual':
      return { kind: s.trigger };
  }
}

/** What the trigger names exists: a keyword, a date field. */
async function requireTriggerParts(db: TenantDb, t: TriggerInput) {
  if (t.kind === 'keyword') {
    const [k] = await db.select({ id: keywords.id }).from(keywords).where(eq(keywords.id, t.keywordId));
    if (!k) throw new Invalid('That keyword no longer exists. Choose another.', 'trigger');
  }
  if (t.kind === 'date') {
    const [f] = await db.select({ type: customFields.type }).from(customFields).where(eq(customFields.id, t.fieldId));
    if (f?.type !== 'date')
      throw new Invalid('Choose a date field (add one under Settings → Member fields).', 'trigger');
  }
}

async function checkInput(db: TenantDb, input: SequenceInput) {
  await requireTriggerParts(db, input.trigger);
  for (const [i, step] of input.steps.entries()) await requireKnownFields(db, step.body, `steps.${i}.body`);
}

const stepRows = (sequenceId: string, input: SequenceInput) =>
  input.steps.map((s, position) => ({ sequenceId, position, ...s, atMinute: s.atMinute ?? null }));

export async function createSequence(db: TenantDb, input: SequenceInput, adminId: string) {
  await checkInput(db, input);
  const { name, stopOnReply, reenroll } = input;
  try {
    return await db.transaction(async (tx) => {
      const [row] = await tx
        .insert(sequences)
        .values({ name, stopOnReply, reenroll, ...triggerColumns(input.trigger), createdBy: adminId })
        .returning({ id: sequences.id });
      await tx.insert(sequenceSteps).values(stepRows(row!.id, input));
      return { id: row!.id, wake: true }; // a date trigger enrolls on the church's next run
    });
  } catch (err) {
    if (isUniqueViolation(err, 'sequences_name_unique')) throw new Conflict(taken(name));
    throw err;
  }
}

/** The steps are replaced; members part-way through go on from the step they are at, with the new waits and words. */
export async function updateSequence(db: TenantDb, input: SequenceInput & { id: string }) {
  await checkInput(db, input);
  const { id, name, stopOnReply, reenroll } = input;
  try {
    await db.transaction(async (tx) => {
      await keepStepsAlreadyHad(tx, id, input); // locks the enrollments first, in the order delete takes them
      const [row] = await tx
        .update(sequences)
        .set({ name, stopOnReply, reenroll, ...triggerColumns(input.trigger), updatedAt: sql`now()` })
        .where(eq(sequences.id, id))
        .returning({ id: sequences.id });
      if (!row) throw new NotFound(GONE);
      await tx.delete(sequenceSteps).where(eq(sequenceSteps.sequenceId, id));
      await tx.insert(sequenceSteps).values(stepRows(id, input));
      await rescheduleSequence(tx, id);
    });
  } catch (err) {
    if (isUniqueViolation(err, 'sequences_name_unique')) throw new Conflict(taken(name));
    throw err;
  }
  return { id, wake: true };
}

/**
 * Steps are known by their place: someone at step 3 has had steps 1 and 2. So while anyone in the sequence has had a
 * step, those first steps stay as they are (moved, removed or changed, someone would get a step again or miss one);
 * later steps, and new ones after them, are the admin's to change.
 */
async function keepStepsAlreadyHad(tx: Tx, id: string, input: SequenceInput) {
  await lockEnrollments(tx, id); // no run moves anyone on while the steps change
  const [{ had, people }] = (await tx
    .select({
      had: sql<number>`coalesce(max(${sequenceEnrollments.nextStep}), 0)::int`,
      people: sql<number>`count(*) filter (where ${sequenceEnrollments.nextStep} > 0)::int`,
    })
    .from(sequenceEnrollments)
    .where(and(eq(sequenceEnrollments.sequenceId, id), eq(sequenceEnrollments.state, 'active')))) as [
    { had: number; people: number },
  ];
  if (had === 0) return;
  const old = await tx
    .select()
    .from(sequenceSteps)
    .where(and(eq(sequenceSteps.sequenceId, id), lt(sequenceSteps.position, had)))
    .orderBy(asc(sequenceSteps.position));
  const same = old.every((o) => {
    const n = input.steps[o.position];
    return n && n.wait === o.wait && n.unit === o.unit && (n.atMinute ?? null) === o.atMinute && n.body === o.body;
  });
  if (!same) {
    const who = people === 1 ? '1 person has' : `${people} people have`;
    const steps = had === 1 ? 'step 1' : `steps 1 to ${had}`;
    throw new Conflict(
      `${who} already had ${steps}, so those steps stay as they are while people are in the sequence. ` +
        'Change the later steps or add new ones, or take those people out first.',
    );
  }
}

/** Waits for a run taking this sequence's steps (it holds these rows), and keeps the next one out until commit. */
const lockEnrollments = (tx: Tx, sequenceId: string) =>
  tx.execute(
    sql`select id from sequence_enrollments where sequence_id = ${sequenceId} and state = 'active' for update`,
  );

/** Its enrollments go with it; texts already sent stay in their threads, and any not sent yet are not sent. */
export async function deleteSequence(db: TenantDb, id: string) {
  const row = await db.transaction(async (tx) => {
    await lockEnrollments(tx, id); // a run writing its steps right now finishes first; its texts are then seen

    await failUnsent(tx, sql`e.sequence_id = ${id}`, 'Not sent: its sequence was deleted before it went out.');
    const [deleted] = await tx.delete(sequences).where(eq(sequences.id, id)).returning({ id: sequences.id });
    return deleted;
  });
  if (!row) throw new NotFound(GONE);
  return { ok: true as const };
}

/** Paused: nobody new is enrolled by its trigger and due steps wait; resumed, what came due meanwhile goes out. */
export async function setPaused(db: TenantDb, id: string, paused: boolean) {
  const [row] = await db
    .update(sequences)
    .set({ state: paused ? 'paused' : 'active', updatedAt: sql`now()` })
    .where(eq(sequences.id, id))
    .returning({ id: sequences.id });
  if (!row) throw new NotFound(GONE);
  return { id, wake: !paused };
}

/** Enrolls chosen members, or an audience; says how many joined and how many could not (not subscribed, or already). */
export async function enrollMembers(db: TenantDb, input: z.output<typeof enrollInput>, adminId: string, tz: string) {
  const [sequence] = await db.select({ id: sequences.id }).from(sequences).where(eq(sequences.id, input.id));
  if (!sequence) throw new NotFound(GONE);
  const where =
    input.who.type === 'members'
      ? inArray(members.id, input.who.memberIds)
      : await audienceOf(db, await storedAudience(db, input.who.audience), tz);
  const who = db.select({ id: members.id }).from(members).where(where).getSQL();
  const [{ chosen }] = (await db
    .select({ chosen: sql<number>`count(*)::int` })
    .from(members)
    .where(where)) as [{ chosen: number }];
  const enrolled = await enrollByHand(db, input.id, who, adminId);
  return { enrolled, skipped: chosen - enrolled, wake: enrolled > 0 && (await waitingToSchedule(db)) };
}

/** An admin takes someone out: their remaining steps are not sent (nor one written but not sent yet). */
export async function removeEnrollment(db: TenantDb, enrollmentId: string) {
  const row = await db.transaction(async (tx) => {
    const [removed] = await tx
      .update(sequenceEnrollments)
      .set({ state: 'stopped', stopReason: 'removed', endedAt: sql`now()` })
      .where(and(eq(sequenceEnrollments.id, enrollmentId), eq(sequenceEnrollments.state, 'active')))
      .returning({ id: sequenceEnrollments.id });
    if (removed) await failUnsent(tx, sql`e.id = ${enrollmentId}`, LEFT_SEQUENCE);
    return removed;
  });
  if (!row) throw new NotFound('That member is no longer going through this sequence.');
  return { ok: true as const };
}

/** Counts per state, for every sequence at once (the list) or one. */
const countsBy = (db: TenantDb, sequenceId?: string) =>
  db
    .select({
      sequenceId: sequenceEnrollments.sequenceId,
      enrolled: sql<number>`count(*)::int`,
      active: sql<number>`count(*) filter (where ${sequenceEnrollments.state} = 'active')::int`,
      finished: sql<number>`count(*) filter (where ${sequenceEnrollments.state} = 'finished')::int`,
      stopped: sql<number>`count(*) filter (where ${sequenceEnrollments.state} = 'stopped')::int`,
    })
    .from(sequenceEnrollments)
    .where(sequenceId ? eq(sequenceEnrollments.sequenceId, sequenceId) : undefined)
    .groupBy(sequenceEnrollments.sequenceId);

/** Alphabetically, each with its trigger, steps and enrollment counts. */
export async function listSequences(db: TenantDb) {
  const [rows, steps, counts] = await Promise.all([
    db
      .select()
      .from(sequences)
      .orderBy(asc(sql`lower(${sequences.name})`)),
    db
      .select({ sequenceId: sequenceSteps.sequenceId, n: sql<number>`count(*)::int` })
      .from(sequenceSteps)
      .groupBy(sequenceSteps.sequenceId),
    countsBy(db),
  ]);
  const none = { enrolled: 0, active: 0, finished: 0, stopped: 0 };
  return rows.map((s) => {
    const { sequenceId: _, ...c } = counts.find((c) => c.sequenceId === s.id) ?? { sequenceId: s.id, ...none };
    return {
      id: s.id,
      name: s.name,
      state: s.state,
      trigger: triggerOf(s),
      steps: steps.find((n) => n.sequenceId === s.id)?.n ?? 0,
      ...c,
    };
  });
}

/**
 * One sequence as its page shows it: settings and steps, each step with texts sent and replies; why people stopped;
 * the people going through it now (the next 50 due) and those who ended lately.
 */
export async function getSequence(db: TenantDb, id: string) {
  const [s] = await db.select().from(sequences).where(eq(sequences.id, id));
  if (!s) throw new NotFound(GONE);
  const e = sequenceEnrollments;
  const [steps, sent, replies, counts, reasons, people] = await Promise.all([
    db.select().from(sequenceSteps).where(eq(sequenceSteps.sequenceId, id)).orderBy(asc(sequenceSteps.position)),
    db
      .select({ position: messages.stepPosition, n: sql<number>`count(*)::int` })
      .from(messages)
      .innerJoin(e, eq(e.id, messages.enrollmentId))
      .where(and(eq(e.sequenceId, id), inArray(messages.status, ['sent', 'delivered'])))
      .groupBy(messages.stepPosition),
    db
      .select({ position: sequenceReplies.position, n: sql<number>`count(*)::int` })
      .from(sequenceReplies)
      .innerJoin(e, eq(e.id, sequenceReplies.enrollmentId))
      .where(eq(e.sequenceId, id))
      .groupBy(sequenceReplies.position),
    countsBy(db, id),
    db
      .select({ reason: e.stopReason, n: sql<number>`count(*)::int` })
      .from(e)
      .where(and(eq(e.sequenceId, id), eq(e.state, 'stopped')))
      .groupBy(e.stopReason),
    db
      .select({
        id: e.id,
        memberId: members.id,
        name: sql<string>`coalesce(trim(${members.firstName} || ' ' || ${members.lastName}), 'Deleted member')`,
        state: e.state,
        stopReason: e.stopReason,
        nextStep: e.nextStep,
        nextAt: e.nextAt,
        enrolledAt: e.createdAt,
        endedAt: e.endedAt,
      })
      .from(e)
      .leftJoin(members, eq(members.id, e.memberId))
      .where(eq(e.sequenceId, id))
      .orderBy(sql`${e.state} = 'active' desc`, asc(e.nextAt), desc(e.endedAt))
      .limit(50),
  ]);
  const count = (rows: { position: number | null; n: number }[], position: number) =>
    rows.find((r) => r.position === position)?.n ?? 0;
  const { sequenceId: _, ...totals } = counts[0] ?? { sequenceId: id, enrolled: 0, active: 0, finished: 0, stopped: 0 };
  return {
    id: s.id,
    name: s.name,
    state: s.state,
    trigger: triggerOf(s),
    stopOnReply: s.stopOnReply,
    reenroll: s.reenroll,
    steps: steps.map((st) => ({
      wait: st.wait,
      unit: st.unit,
      atMinute: st.atMinute,
      body: st.body,
      sent: count(sent, st.position),
      replies: count(replies, st.position),
    })),
    ...totals,
    stoppedBecause: reasons.map((r) => ({ reason: r.reason!, count: r.n })),
    people,
  };
}

/** A member's sequences (the member's panel): which, where they are in it, and what comes next. */
export function memberSequences(db: TenantDb, memberId: string) {
  const e = sequenceEnrollments;
  return db
    .select({
      enrollmentId: e.id,
      sequenceId: sequences.id,
      name: sequences.name,
      paused: sql<boolean>`${sequences.state} = 'paused'`,
      state: e.state,
      stopReason: e.stopReason,
      nextStep: e.nextStep,
      steps: sql<number>`(select count(*)::int from ${sequenceSteps}
                          where ${sequenceSteps.sequenceId} = ${sequences.id})`,
      nextAt: e.nextAt,
      nextBody: sql<string | null>`(select ${sequenceSteps.body} from ${sequenceSteps}
                                     where ${sequenceSteps.sequenceId} = ${sequences.id}
                                       and ${sequenceSteps.position} = ${e.nextStep})`,
      enrolledAt: e.createdAt,
    })
    .from(e)
    .innerJoin(sequences, eq(sequences.id, e.sequenceId))
    .where(eq(e.memberId, memberId))
    .orderBy(sql`${e.state} = 'active' desc`, desc(e.createdAt))
    .limit(20);
}
