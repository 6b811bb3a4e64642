import { LimitReached } from '@/server/domain-errors';
import { and, eq, inArray, ne, sql } from 'drizzle-orm';
import type { TenantDb } from '@/db/tenant';
import { messages } from '@/db/tenant/schema';
import type { Tx } from '@/server/members/consent';
import type { Services } from '@/server/services';

/** The parts of Services this module uses. */
type Deps = Pick<Services, 'access' | 'config' | 'profiles'>;

/**
 * A free trial texts within a daily allowance (TRIAL_DAILY_SEGMENTS, 500 segments by default), shared by the inbox
 * and broadcasts and counted from midnight to midnight in the church's own timezone: enough to try everything, too
 * little to make a trial a free bulk-texting service. Paying churches, and servers without billing (nobody to pay),
 * have none. Automatic replies (STOP, START, HELP confirmations) are never counted or held back.
 */
export type Allowance =
  | { limited: false }
  | { limited: true; limit: number; used: number; remaining: number; resetsAt: Date; timezone: string };

type Db = TenantDb | Tx;

export async function allowanceOf(services: Deps, db: Db, tenantId: string): Promise<Allowance> {
  const timezone = await allowanceZone(services, tenantId);
  return timezone ? usedToday(services, db, timezone) : { limited: false };
}

/**
 * Refuse a send of `segments` that today's allowance cannot cover, saying when it resets. Called inside the transaction
 * that writes the message: the lock makes simultaneous sends (a batch of ten, say) count one after another. A church
 * without an allowance takes no lock and counts nothing; the registry is read (cached) before the lock is taken.
 */
export async function requireAllowance(services: Deps, tx: Db, tenantId: string, segments: number) {
  const timezone = await allowanceZone(services, tenantId);
  if (!timezone) return;
  await tx.execute(sql`select pg_advisory_xact_lock(hashtext('steeple:trial-allowance'))`);
  const allowance = await usedToday(services, tx, timezone);
  if (segments > allowance.remaining) throw new LimitReached(allowanceMessage(allowance, segments));
}

/** The timezone of the church's day when it has an allowance (in its trial, or read-only after it); null when not. */
async function allowanceZone(services: Deps, tenantId: string): Promise<string | null> {
  const access = await services.access.get(tenantId);
  // trialDaysLeft is set only while billing is on and the church is in its trial; read-only is a trial run out.
  if (access.trialDaysLeft === null && !access.readOnly) return null;
  return (await services.profiles.get(tenantId)).timezone;
}

/** Segments sent since the church's local midnight, against the limit. */
async function usedToday(services: Deps, db: Db, timezone: string): Promise<Extract<Allowance, { limited: true }>> {
  // The church's own day: local midnight to local midnight (23 or 25 hours long on the days the clocks change).
  const today = sql`date_trunc('day', now() at time zone ${timezone})`;
  const midnight = sql`(${today} at time zone ${timezone})`;
  const [row] = await db
    .select({
      used: sql<number>`coalesce(sum(${messages.segments}), 0)::int`,
      resetsAt: sql<string>`((${today} + interval '1 day') at time zone ${timezone})::text`,
    })
    .from(messages)
    .where(
      and(
        eq(messages.direction, 'outbound'),
        ne(messages.kind, 'auto'),
        inArray(messages.status, ['queued', 'sending', 'sent', 'delivered']), // what failed never left
        sql`${messages.createdAt} >= ${midnight}`,
      ),
    );
  const limit = services.config.TRIAL_DAILY_SEGMENTS;
  const used = row?.used ?? 0;
  return {
    limited: true,
    limit,
    used,
    remaining: Math.max(0, limit - used),
    resetsAt: new Date(row!.resetsAt),
    timezone,
  };
}

function allowanceMessage(a: Extract<Allowance, { limited: true }>, segments: number): string {
  const resets = a.resetsAt.toLocaleString('en-US', {
    timeZone: a.timezone,
    hour: 'numeric',
    minute: '2-digit',
    weekday: 'short',
    timeZoneName: 'short',
  });
  const left =
    a.remaining === 0
      ? 'today’s are used up'
      : `${a.remaining.toLocaleString('en-US')} are left today and this needs ${segments.toLocaleString('en-US')}`;
  return (
    `During the free trial a church can send ${a.limit.toLocaleString('en-US')} text segments a day; ${left}. ` +
    `The allowance resets ${resets}. Choose a plan in Settings → Billing to lift it.`
  );
}

/**
 * Whether a broadcast of `recipients` × its segments fits what is left of the allowance on the day it goes out:
 * null when it fits (or there is no allowance), otherwise the reason to show. `at`: when it is scheduled.
 */
export async function broadcastRefusal(
  services: Deps,
  db: Db,
  tenantId: string,
  segments: number,
  at: Date = new Date(),
): Promise<string | null> {
  const allowance = await allowanceOf(services, db, tenantId);
  if (!allowance.limited) return null;
  const left = at < allowance.resetsAt ? allowance.remaining : allowance.limit; // a later day starts afresh
  return segments > left ? allowanceMessage({ ...allowance, remaining: left }, segments) : null;
}
