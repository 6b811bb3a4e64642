import { and, eq, inArray, sql, type SQL } from 'drizzle-orm';
import { sequenceEnrollments } from '@/db/tenant/schema';
import type { TenantDb } from '@/db/tenant';
import type { SequenceTrigger, StopReason } from '@/db/tenant/enums';
import type { Tx } from '@/server/members/consent';
import { memberTimezone } from './schedule';

/**
 * Who joins a sequence, and when they leave it. One rule for every trigger (the tag trigger's copy is in the
 * migration, drizzle/tenant/0012_sequences.sql, as it runs inside PostgreSQL):
 *   - only subscribed members: a sequence texts people, as a broadcast does;
 *   - at most one active enrollment per member and sequence (a unique index);
 *   - someone who went through it before is enrolled again only when the sequence says so (`reenroll`);
 *   - a date trigger enrolls once a year (`occurrence`, also unique).
 * Enrollments start unscheduled; the runner works out when the first step is due (schedule.ts).
 */
type Db = TenantDb | Tx;

async function enrollMatching(
  db: Db,
  source: SequenceTrigger,
  sequencesWhere: SQL,
  membersWhere: SQL,
  enrolledBy: string | null = null,
) {
  const rows = await db.execute<{ id: string }>(sql`
    insert into sequence_enrollments (sequence_id, member_id, source, enrolled_by)
    select s.id, m.id, ${source}, ${enrolledBy}::uuid
      from sequences s join members m on ${membersWhere}
     where ${sequencesWhere} and m.subscription = 'subscribed'
       and (s.reenroll or not exists (select 1 from sequence_enrollments e
                                       where e.sequence_id = s.id and e.member_id = m.id))
    on conflict do nothing
    returning id`);
  return rows.length;
}

/** Someone texted a keyword (and is subscribed now): the active sequences it starts. */
export const enrollOnKeyword = (tx: Tx, keywordId: string, memberId: string) =>
  enrollMatching(
    tx,
    'keyword',
    sql`s.state = 'active' and s.trigger = 'keyword' and s.keyword_id = ${keywordId}`,
    sql`m.id = ${memberId}`,
  );

/** Someone sent the connect card and is subscribed: the card's sequences (first-time guests only, where so set). */
export const enrollOnConnectCard = (tx: Tx, memberId: string, firstVisit: boolean) =>
  enrollMatching(
    tx,
    'connect_card',
    sql`s.state = 'active' and s.trigger = 'connect_card' and (not s.first_visit_only or ${firstVisit})`,
    sql`m.id = ${memberId}`,
  );

/** An admin enrolls the members `who` selects (ids); paused sequences too (their steps wait for the resume). */
export const enrollByHand = (db: Db, sequenceId: string, who: SQL, adminId: string) =>
  enrollMatching(db, 'manual', sql`s.id = ${sequenceId}`, sql`m.id in (${who})`, adminId);

/**
 * A date every year (a birthday, an anniversary: a date member field): members whose day it is today, in their own
 * timezone, join once this year, anchored at the sequence's local time that day. 29 February counts on 28 February
 * in other years.
 */
export async function enrollOnDates(db: Db, churchTz: string) {
  const tz = memberTimezone(churchTz);
  const rows = await db.execute<{ id: string }>(sql`
    insert into sequence_enrollments (sequence_id, member_id, source, occurrence, anchor_at)
    select s.id, m.id, 'date', to_char(d.today, 'YYYY'),
           (d.today::timestamp + make_interval(mins => s.at_minute)) at time zone d.tz
      from sequences s
      join member_field_values v on v.field_id = s.field_id and v.date_value is not null
      join members m on m.id = v.member_id
      left join branches b on b.id = m.branch_id
      cross join lateral (select ${tz} as tz) z
      cross join lateral (select z.tz, (now() at time zone z.tz)::date as today) d
     where s.state = 'active' and s.trigger = 'date' and m.subscription = 'subscribed'
       and (to_char(v.date_value, 'MM-DD') = to_char(d.today, 'MM-DD')
            or (to_char(v.date_value, 'MM-DD') = '02-29' and to_char(d.today, 'MM-DD') = '02-28'
                and to_char(d.today + 1, 'MM-DD') = '03-01'))
    on conflict do nothing
    returning id`);
  return rows.length;
}

/** Enrollments waiting for the runner to schedule them: a write that may have enrolled someone asks, to wake it. */
export async function waitingToSchedule(db: Db) {
  const [row] = await db.execute<{ waiting: boolean }>(sql`
    select exists (select 1 from sequence_enrollments where state = 'active' and next_at is null) as waiting`);
  return !!row?.waiting;
}

/**
 * Members' active enrollments end (they opted out). A reply ends those of sequences that stop on a reply, in the
 * statement that stores it (messaging/inbound-plain.ts).
 */
export async function stopEnrollments(db: Db, memberIds: string | string[], reason: StopReason) {
  const ids = typeof memberIds === 'string' ? [memberIds] : memberIds;
  if (ids.length === 0) return;
  await db
    .update(sequenceEnrollments)
    .set({ state: 'stopped', stopReason: reason, endedAt: sql`now()` })
    .where(and(inArray(sequenceEnrollments.memberId, ids), eq(sequenceEnrollments.state, 'active')));
}
