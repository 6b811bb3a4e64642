import { sql, type SQL } from 'drizzle-orm';
import type { TenantDb } from '@/db/tenant';
import type { Tx } from '@/server/members/consent';

/**
 * When a step is due, worked out in PostgreSQL so each member's own clock (their branch's timezone, else the
 * church's) and its daylight-saving changes are PostgreSQL's, not hand-written date arithmetic:
 *   - "wait N hours": N hours after the anchor (the previous step's send, or the enrollment);
 *   - "wait N days": the same local time of day, N days later (18:00 stays 18:00 across a clock change);
 *   - "wait N days, at 09:00": 09:00 local on the anchor's day plus N; a time already past on that day (wait 0,
 *     enrolled at 18:00) moves to the next day.
 */
export function dueAt(anchor: SQL, tz: SQL, step: { wait: SQL; unit: SQL; atMinute: SQL }): SQL {
  const local = sql`(${anchor} at time zone ${tz})`;
  const onDay = (extra: number) => {
    const day = sql`((${local})::date + ${step.wait} + ${extra}::int)`;
    return sql`((${day}::timestamp + make_interval(mins => ${step.atMinute})) at time zone ${tz})`;
  };
  return sql`(case
    when ${step.unit} = 'hours' then ${anchor} + make_interval(hours => ${step.wait})
    when ${step.atMinute} is null then (${local} + make_interval(days => ${step.wait})) at time zone ${tz}
    when ${onDay(0)} >= ${anchor} then ${onDay(0)}
    else ${onDay(1)} end)`;
}

/** A member's clock: their branch's timezone, else the church's (`b` is their branch, left-joined). */
export const memberTimezone = (churchTz: string) => sql`coalesce(b.timezone, ${churchTz})`;

/**
 * Gives every active enrollment waiting to be scheduled (`next_at` null: just enrolled, or a step just sent) the
 * time its next step is due. An enrollment with no next step has finished; one whose member was deleted stops.
 */
export async function scheduleWaiting(db: TenantDb | Tx, churchTz: string) {
  const tz = memberTimezone(churchTz);
  const due = dueAt(sql`e.anchor_at`, tz, { wait: sql`st.wait`, unit: sql`st.unit`, atMinute: sql`st.at_minute` });
  await db.execute(sql`
    update sequence_enrollments e
       set state = 'stopped', stop_reason = 'deleted', ended_at = now()
     where e.state = 'active' and e.member_id is null`);
  await db.execute(sql`
    update sequence_enrollments e
       set state = 'finished', ended_at = now()
     where e.state = 'active' and e.next_at is null
       and not exists (select 1 from sequence_steps st
                        where st.sequence_id = e.sequence_id and st.position = e.next_step)`);
  await db.execute(sql`
    update sequence_enrollments e
       set next_at = ${due}
      from sequence_steps st, members m left join branches b on b.id = m.branch_id
     where e.state = 'active' and e.next_at is null
       and st.sequence_id = e.sequence_id and st.position = e.next_step and m.id = e.member_id`);
}

/**
 * The steps of active enrollments worked out again from their anchors, after the sequence's steps were edited:
 * editing applies to the steps not sent yet.
 */
export async function rescheduleSequence(db: TenantDb | Tx, sequenceId: string) {
  await db.execute(sql`
    update sequence_enrollments set next_at = null where sequence_id = ${sequenceId} and state = 'active'`);
}
