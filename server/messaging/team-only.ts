import { and, eq, sql, type SQL } from 'drizzle-orm';
import type { TenantDb } from '@/db/tenant';
import { members } from '@/db/tenant/schema';
import { Precondition } from '@/server/domain-errors';

/**
 * Until the owner's email is verified, a church texts only its own team: members whose number is an admin's own mobile
 * (Account → Your mobile number). Replies to someone's own text (STOP, HELP, START, a keyword's answer) are always
 * sent: carriers require the first three, and none of them reaches a stranger. Checked when a text is written (a clear
 * refusal) and again when it is sent (sender.ts), which covers broadcasts, automations and connect-card welcomes.
 */

/** True while the church's owner has not verified their email. */
const ownerUnverified = sql`not exists (
  select 1 from admins o where o.role = 'owner' and o.email_verified_at is not null)`;

/** True when `phone` (an E.164 column or value) is one of the team's own mobiles. */
const teamPhone = (phone: SQL) => sql`exists (select 1 from admins t where t.phone = ${phone})`;

/** Held back: the owner is unverified and `phone` is not the team's. */
export const heldForVerification = (phone: SQL) => sql`(${ownerUnverified} and not ${teamPhone(phone)})`;

export const TEAM_ONLY =
  'Until the owner verifies their email, your church can text only your team’s own phones. ' +
  'Open the link in the email we sent, or resend it from the banner at the top of the page.';
/** Where the refusal sends the writer: their own mobile, which makes them a texter's team. */
export const TEAM_ONLY_LINK = '/account#mobile';
export const TEAM_ONLY_NOT_SENT =
  'Not sent: until the owner verifies their email, texts go only to your team’s phones.';

/** Where the owner stands, for the banner: verified, and whose email it is. */
export async function verificationOf(db: TenantDb) {
  const [owner] = await db.execute<{ name: string; email: string; verified: boolean }>(
    sql`select name, email, email_verified_at is not null as verified from admins
         where role = 'owner' order by email_verified_at is null, created_at limit 1`,
  );
  return { verified: owner?.verified ?? false, ownerName: owner?.name ?? '', ownerEmail: owner?.email ?? '' };
}

/** A broadcast to `audience` (a condition on members): refused with TEAM_ONLY while it would hold anyone back. */
export async function requireAudienceTextable(db: TenantDb, audience: SQL | undefined) {
  const [row] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(members)
    .where(and(audience, eq(members.subscription, 'subscribed'), heldForVerification(sql`${members.phone}`)));
  const n = row?.n ?? 0;
  if (n > 0)
    throw new Precondition(
      `${TEAM_ONLY} This audience includes ${n === 1 ? '1 person' : `${n} people`} outside your team.`,
    );
}
