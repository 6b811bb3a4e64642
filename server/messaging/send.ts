import { randomUUID } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import { unsubscribedNotice } from '@/server/members/consent-words';
import type { ChurchScope } from '@/db/tenant';
import { branches, conversations, members, messageMedia, messages } from '@/db/tenant/schema';
import { requireAllowance } from '@/server/billing/allowance';
import { Invalid, NeedsConfirmation, NotFound, Precondition } from '@/server/domain-errors';
import { CHECKLIST_PATH, NOT_REGISTERED, reachesUsCarriers, senderFor } from '@/server/registration/gate';
import type { Services } from '@/server/services';
import { startConversation } from './conversations';
import { heldForVerification, TEAM_ONLY, TEAM_ONLY_LINK } from './team-only';
import { PICTURE_PREVIEW } from './inbound-text';
import { enqueueSend, writeThenRun } from './jobs';
import { clockOf } from './clock';
import { mergeFields, mergeValuesOf } from './merge-fields';
import { quietHoursOf, quietUntil } from './quiet-hours';
import { billedMessages } from './segments';
import { requireSendablePicture, requireWordsOrPicture } from '@/server/media/pictures';
import { customValuesFor, requireKnownFields } from '@/server/custom-fields/merge';

/**
 * Texting one member from the inbox, merge fields filled in for them; inside their quiet hours only once the writer
 * confirms (`duringQuietHours`). The message is stored as queued and its job
 * queued with it (writeThenRun); the job sends it (retried, rate limited, once: see jobs.ts and sender.ts).
 */

type Deps = Pick<Services, 'access' | 'config' | 'messaging' | 'profiles' | 'registry'>;

export async function sendToMember(
  deps: Deps,
  { db, tenantId }: ChurchScope,
  input: { memberId: string; body: string; mediaId?: string | null; duringQuietHours?: boolean },
  sentBy: string,
) {
  requireWordsOrPicture(input.body, input.mediaId);
  const [church, row] = await recipientChecks(deps, { db, tenantId }, input.memberId, input.duringQuietHours);
  const { member } = row;
  const picture = input.mediaId ? await requireSendablePicture(db, input.mediaId) : null;
  // Merge fields are filled in now, for this member: the thread shows, and the count charges, what they receive.
  await requireKnownFields(db, input.body);
  const body = mergeFields(input.body, {
    ...mergeValuesOf({ ...member, branchName: row.branchName, churchName: church.name }),
    ...(await customValuesFor(db, member.id, input.body)),
  });
  if (!body.trim() && !picture)
    throw new Invalid(`For ${member.firstName} the merge fields leave nothing: add a fallback.`, 'body');
  const segments = billedMessages(body, !!picture);
  const conversationId = await startConversation(db, member.id);
  const id = randomUUID();
  const enqueue = (runAt: Date) => enqueueSend(deps.registry, tenantId, id, runAt);
  const message = await writeThenRun(enqueue, new Date(), () =>
    db.transaction(async (tx) => {
      await requireAllowance(deps, tx, tenantId, segments); // a trial's daily allowance
      const [m] = await tx
        .insert(messages)
        .values({
          id,
          conversationId,
          direction: 'outbound',
          kind: 'conversation',
          body,
          segments,
          status: 'queued',
          toNumber: member.phone,
          sentBy,
        })
        .returning();
      if (picture) await tx.insert(messageMedia).values({ messageId: id, mediaId: picture.id });
      await tx
        .update(conversations)
        .set({
          lastMessageAt: sql`now()`,
          lastMessagePreview: body ? body.slice(0, 140) : PICTURE_PREVIEW,
          unreadCount: 0,
          closedAt: null,
        })
        .where(eq(conversations.id, conversationId));
      return m!;
    }),
  );
  return { ...message, conversationId };
}

/**
 * Who a text to one member goes to, with what it needs (their branch's name, for merge fields), and the checks every
 * personal text passes: they have not opted out, the church has a number, and inside their quiet hours the writer
 * has confirmed.
 */
export async function recipientChecks(
  deps: Pick<Deps, 'messaging' | 'profiles'>,
  { db, tenantId }: ChurchScope,
  memberId: string,
  duringQuietHours = false,
) {
  const [church, quiet] = await Promise.all([deps.profiles.get(tenantId), quietHoursOf(db)]);
  // The branch's name comes with the member (the merge fields need nothing more), and their clock (quiet hours).
  const tz = sql`coalesce(${branches.timezone}, ${church.timezone})`;
  const [row] = await db
    .select({
      member: members,
      branchName: branches.name,
      quiet: sql<boolean>`${quietUntil(quiet, tz, sql`now()`)} is not null`,
      localTime: sql<string>`to_char(now() at time zone ${tz}, 'HH24:MI')`,
      // Only the team's phones until the owner's email is verified (team-only.ts), asked in the same statement.
      teamOnly: sql<boolean>`${heldForVerification(sql`${members.phone}`)}`,
    })
    .from(members)
    .leftJoin(branches, eq(branches.id, members.branchId))
    .where(eq(members.id, memberId));
  if (!row) throw new NotFound('That member does not exist.');
  const { member } = row;
  // Someone not opted in (say they texted in first) may be answered one to one; someone who opted out may not.
  if (member.subscription === 'unsubscribed') throw new Precondition(unsubscribedNotice(member));
  if (row.teamOnly) throw new Precondition(TEAM_ONLY, TEAM_ONLY_LINK);
  await requireSendingNumber(deps, tenantId, { toUs: reachesUsCarriers(member.phone) });
  if (row.quiet && !duringQuietHours)
    throw new NeedsConfirmation(
      `It is ${row.localTime} for ${member.firstName}, inside your quiet hours ` +
        `(${clockOf(quiet.startMinute)} to ${clockOf(quiet.endMinute)}). Send it anyway?`,
    );
  return [church, row] as const;
}

/**
 * A number the text can leave from (registration/gate.ts), or a clear refusal naming where to add one; `toUs`: the
 * text goes through US carriers, so the number must be registered with them first.
 */
export async function requireSendingNumber(
  deps: Pick<Services, 'messaging'>,
  tenantId: string,
  { missing = 'Add a sending phone number in Settings before texting.', toUs = false } = {},
) {
  const number = senderFor(await deps.messaging.numbers.sendingNumbers(tenantId), null, { us: toUs });
  if (!number) throw new Precondition(missing, '/settings#phone-numbers');
  if (toUs && !number.registered) throw new Precondition(NOT_REGISTERED, CHECKLIST_PATH);
  return number.e164;
}
