import { and, desc, eq, isNull, or, sql } from 'drizzle-orm';
import type { TenantDb } from '@/db/tenant';
import { admins, consentEvents, members, type ConsentEvent, type Subscription } from '@/db/tenant/schema';
import { stopEnrollments } from '@/server/sequences/enroll';

/**
 * A member's consent to be texted is theirs. It changes only through `changeConsent`, which writes the consent log
 * beside the member in the same transaction, and the rules below say who may change it how:
 *   - their own texts: an opt-out word unsubscribes, an opt-in word (or, later, a keyword or a form) subscribes;
 *   - an admin may record that someone agreed (saying how: a paper card, in person) for someone not yet opted in,
 *     and may record that someone asked to stop; an admin can never re-subscribe someone who opted out;
 *   - an import may add people as subscribed or unsubscribed, and unsubscribe, but never re-subscribes anyone.
 */
export type Tx = Parameters<Parameters<TenantDb['transaction']>[0]>[0];
type Db = TenantDb | Tx;

export type ConsentHow = {
  source: ConsentEvent['source'];
  detail?: string | null;
  providerMessageId?: string | null;
  adminId?: string | null;
  /** Where a form was sent from (the connect card). */
  clientAddress?: string | null;
};

/** The member column that says how consent last changed, for lists and filters. */
const SOURCE_COLUMN = { text: 'keyword', import: 'import', form: 'form', admin: 'admin', system: 'system' } as const;

/** Move one member to `state` and log it; nothing happens (and false is returned) when they are already there. */
export async function changeConsent(
  db: Db,
  member: { id: string; phone: string; subscription: Subscription },
  state: Subscription,
  how: ConsentHow,
) {
  if (member.subscription === state) return false;
  await db
    .update(members)
    .set({
      subscription: state,
      subscriptionSource: SOURCE_COLUMN[how.source],
      subscriptionChangedAt: sql`now()`,
      updatedAt: sql`now()`,
    })
    .where(eq(members.id, member.id));
  await logConsent(db, { memberId: member.id, phone: member.phone, previous: member.subscription, state }, how);
  if (state === 'unsubscribed') await stopEnrollments(db, member.id, 'opted_out'); // their sequences end here
  return true;
}

/** One row of the consent log (also used when a member is created already subscribed or unsubscribed). */
export async function logConsent(
  db: Db,
  who: { memberId: string; phone: string; previous: Subscription | null; state: Subscription },
  how: ConsentHow,
) {
  await db.insert(consentEvents).values({
    memberId: who.memberId,
    phone: who.phone,
    previous: who.previous,
    state: who.state,
    source: how.source,
    detail: how.detail?.slice(0, 500) ?? null,
    providerMessageId: how.providerMessageId ?? null,
    adminId: how.adminId ?? null,
    clientAddress: how.clientAddress ?? null,
  });
}

/** How a member added for a number whose last word was STOP is logged: kept opted out, by Steeple. */
export const REMEMBERED_OPT_OUT = { source: 'system', detail: 'This number opted out before' } as const;

export const OPTED_OUT_LOCK =
  'opted out by texting STOP (or asked to stop). Only they can opt back in, by texting START to your number.';

/** Why an admin may not move a member from `current` to `next`, or null when they may. */
export function adminConsentRefusal(current: Subscription, next: Subscription, firstName: string): string | null {
  if (next === current) return null;
  if (next === 'subscribed' && current === 'unsubscribed') return `${firstName} ${OPTED_OUT_LOCK}`;
  if (next === 'not_opted_in')
    return 'Consent cannot be set back to “not opted in”. Record that they asked to stop instead.';
  return null;
}

/** The state a phone number's consent was last recorded in (it outlives a deleted member), or null. */
export async function lastConsentOf(db: Db, phone: string): Promise<Subscription | null> {
  const [last] = await db
    .select({ state: consentEvents.state })
    .from(consentEvents)
    .where(eq(consentEvents.phone, phone))
    .orderBy(desc(consentEvents.createdAt))
    .limit(1);
  return last?.state ?? null;
}

/**
 * SQL for the state a member created for `phone` starts in: `wanted`, unless the number's last recorded word was an
 * opt-out (its member was deleted since) — then it stays opted out. Written once for both ways SQL is written here:
 * `tag` is drizzle's `sql` (startingState) or a postgres.js client (the one-statement insert of inbound-plain.ts).
 */
export const startingStateWith = <T>(
  tag: (strings: TemplateStringsArray, ...values: string[]) => T,
  phone: string,
  wanted: Subscription,
) =>
  tag`(case when exists (select 1
                           from (select state from consent_events where phone = ${phone}
                                  order by created_at desc limit 1) last
                          where last.state = 'unsubscribed')
        then 'unsubscribed' else ${wanted} end)::subscription`;

export const startingState = (phone: string, wanted: Subscription) => startingStateWith(sql, phone, wanted);

/** A member's consent history (their number's), newest first, with the admin's name where an admin recorded it. */
export function consentHistory(db: TenantDb, memberId: string) {
  return (
    db
      .select({
        id: consentEvents.id,
        previous: consentEvents.previous,
        state: consentEvents.state,
        source: consentEvents.source,
        detail: consentEvents.detail,
        providerMessageId: consentEvents.providerMessageId,
        adminName: admins.name,
        createdAt: consentEvents.createdAt,
      })
      .from(consentEvents)
      .leftJoin(admins, eq(admins.id, consentEvents.adminId))
      // Their own rows, and their number's from before a deletion (a STOP outlives the member it was recorded on).
      .where(
        or(
          eq(consentEvents.memberId, memberId),
          and(
            isNull(consentEvents.memberId),
            eq(consentEvents.phone, sql`(select ${members.phone} from ${members} where ${members.id} = ${memberId})`),
          ),
        ),
      )
      .orderBy(desc(consentEvents.createdAt), desc(consentEvents.id))
      .limit(200)
  );
}
