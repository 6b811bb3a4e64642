import { randomUUID } from 'node:crypto';
import { and, eq, isNotNull, sql } from 'drizzle-orm';
import { connectCardSubmissions, conversations, members, messages } from '@/db/tenant/schema';
import { requireAllowance } from '@/server/billing/allowance';
import { Invalid, LimitReached, NotFound } from '@/server/domain-errors';
import { log } from '@/server/log';
import { changeConsent, logConsent, REMEMBERED_OPT_OUT, startingState, type Tx } from '@/server/members/consent';
import { MAX_NOTES } from '@/server/members/rules';
import { addTags } from '@/server/members/tags';
import { enrollOnConnectCard, waitingToSchedule } from '@/server/sequences/enroll';
import { wakeSequences } from '@/server/sequences/jobs';
import { notifyConnectCard, type Wake } from '@/server/notifications/outbox';
import { wakeNotifications } from '@/server/notifications/wake';
import { withOptInDisclosure } from '@/server/messaging/disclosure';
import { enqueueSend, writeThenRun } from '@/server/messaging/jobs';
import { memberMergeValues } from '@/server/messaging/member-merge';
import { mergeFields } from '@/server/messaging/merge-fields';
import { textableNumber } from '@/server/messaging/phone';
import { countSegments } from '@/server/messaging/segments';
import { reachesUsCarriers, senderFor } from '@/server/registration/gate';
import type { Services } from '@/server/services';
import type { cardChurch } from './church';
import { checkFormToken } from './form-token';
import type { ConnectCardSubmission } from './inputs';
import { cardSettings } from './settings';

/**
 * A connect card sent in, in one transaction of the church's database keyed by its form token (a double tap counts
 * once): the member is made or updated (matched by phone); agreeing to texts subscribes someone not yet opted in,
 * logged as a form opt-in with the sender's address (someone who opted out stays out: only their own START undoes a
 * STOP); the card's tags are added; a prayer request goes into the member's notes; the welcome text is queued once per
 * person (answering someone who just asked, it is not held for quiet hours). A bot (the hidden field filled in) is
 * thanked and nothing is kept.
 */

type Deps = Pick<Services, 'access' | 'config' | 'connections' | 'messaging' | 'profiles' | 'registry' | 'throttle'>;
type Church = NonNullable<Awaited<ReturnType<typeof cardChurch>>>;
type Settings = Awaited<ReturnType<typeof cardSettings>>;

export const NOT_AVAILABLE = 'This page is not available.';

export async function submitCard(deps: Deps, church: Church, input: ConnectCardSubmission, clientAddress: string) {
  // The checks that cost no database come first, and the address's own limit before any church's.
  const token = checkFormToken(deps.config.STEEPLE_SECRET_KEY, church.slug, input.token);
  if (token === 'invalid' || token === 'expired')
    throw new Invalid('This form has expired. Reload the page and send it again.');
  if (token === 'too_fast') throw new Invalid('That was quick! Check your details, then press Send again.');
  await deps.throttle.connectCardAddress(church.tenantId, clientAddress);
  // A card switched off is as absent as an unknown one: nothing below may answer differently for it.
  const settings = await deps.connections.withTenant(church.tenantId, cardSettings);
  if (!settings.enabled) throw new NotFound(NOT_AVAILABLE);
  if (input.website) {
    log.info('connect card: hidden field filled in, treated as a bot', { tenantId: church.tenantId, clientAddress });
    return { firstName: input.firstName };
  }
  const { country, timezone } = await deps.profiles.get(church.tenantId);
  const phone = textableNumber(input.phone, country);
  if ('refused' in phone)
    throw new Invalid(
      phone.refused === 'extension'
        ? 'Enter a mobile number without an extension: texts cannot reach one.'
        : 'Enter a mobile number we can text, like (201) 555-0123.',
      'phone',
    );
  await deps.throttle.connectCardChurch(church.tenantId);
  // A read-only church (its subscription lapsed) still keeps the cards, but texts nobody; nor does a number US
  // carriers have not registered yet text US phones (registration/gate.ts).
  const us = reachesUsCarriers(phone.e164);
  const number = senderFor(await deps.messaging.numbers.sendingNumbers(church.tenantId), null, { us });
  const canText = !!number && (number.registered || !us) && !(await deps.access.get(church.tenantId)).readOnly;
  const welcomeId = settings.welcomeText && canText ? randomUUID() : null;
  // A trial's daily allowance covers the welcome as it covers every text; without room the card is still kept.
  const allowed = async (tx: Tx, segments: number) =>
    requireAllowance(deps, tx, church.tenantId, segments).then(
      () => true,
      (err) => {
        if (!LimitReached.is(err)) throw err;
        log.info('connect card: welcome not sent, the trial allowance is used up', { tenantId: church.tenantId });
        return false;
      },
    );
  const context = { church, clientAddress, welcomeId, allowed, timezone };
  const write = () =>
    deps.connections.withTenant(church.tenantId, (db) =>
      db.transaction(async (tx) => {
        const notify = await record(tx, { ...input, phone: phone.e164 }, settings, context);
        return { notify, enrolled: await waitingToSchedule(tx) }; // the card (or a tag it added) started a sequence
      }),
    );
  // The welcome's send job is queued before the write (a safety net) and moved forward after it (jobs.ts).
  const { enrolled, notify } = !welcomeId
    ? await write()
    : await writeThenRun((at) => enqueueSend(deps.registry, church.tenantId, welcomeId, at), new Date(), write);
  await wakeSequences(deps, church.tenantId, enrolled);
  await wakeNotifications(deps.registry, church.tenantId, notify); // the team members who asked to hear of cards
  return { firstName: input.firstName };
}

type Context = {
  church: Church;
  clientAddress: string;
  welcomeId: string | null;
  /** The church's, for the day of a first visit. */
  timezone: string;
  allowed: (tx: Tx, segments: number) => Promise<boolean>;
};

/** Returns the notifications it owes the team (none for a form sent twice: done the first time). */
async function record(tx: Tx, card: ConnectCardSubmission, settings: Settings, ctx: Context): Promise<Wake[]> {
  // Two sends of one form at once: the second waits here for the first, then finds it done.
  await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${`connect-card:${card.token}`}, 0))`);
  const [seen] = await tx
    .select({ id: connectCardSubmissions.id })
    .from(connectCardSubmissions)
    .where(eq(connectCardSubmissions.formToken, card.token));
  if (seen) return []; // the same form sent twice: done the first time
  const how = { source: 'form' as const, detail: 'connect card', clientAddress: ctx.clientAddress };
  const { member, created } = await upsertMember(tx, card, how);
  // A new member already starts in the right state (upsertMember); a known one who agrees now is subscribed now.
  const agreesNow = card.consent && !created && member.subscription === 'not_opted_in';
  if (agreesNow) await changeConsent(tx, member, 'subscribed', how);
  const subscribed = agreesNow || member.subscription === 'subscribed';

  const firstVisit = card.firstVisit === 'yes';
  const tags = [...settings.tags, ...(firstVisit && settings.firstVisitTag ? [settings.firstVisitTag] : [])];
  if (tags.length) await addTags(tx, member.id, tags);
  if (firstVisit) await markFirstVisit(tx, member.id, ctx.timezone);
  if (card.prayer && settings.prayerField) await addPrayerRequest(tx, member.id, card.prayer);
  await enrollOnConnectCard(tx, member.id, firstVisit); // the card's sequences, for someone subscribed

  // Welcomed once: someone who agreed on this card and is subscribed, never welcomed before, within the allowance.
  const welcome =
    card.consent && subscribed && ctx.welcomeId && !(await welcomedBefore(tx, member.id))
      ? await welcomeText(tx, member.id, settings.welcomeText!, ctx.church.name)
      : null;
  const welcomed = !!welcome && (await ctx.allowed(tx, countSegments(welcome).segments));
  if (welcomed) await queueWelcome(tx, ctx.welcomeId!, member, welcome);
  const [submission] = await tx
    .insert(connectCardSubmissions)
    .values({
      formToken: card.token,
      memberId: member.id,
      newMember: created,
      firstVisit,
      consented: card.consent,
      welcomeMessageId: welcomed ? ctx.welcomeId : null,
      clientAddress: ctx.clientAddress,
    })
    .returning({ id: connectCardSubmissions.id });
  return notifyConnectCard(tx, {
    submissionId: submission!.id,
    memberId: member.id,
    firstVisit,
    consented: card.consent,
  });
}

/** Matched by phone. A new member starts opted in when they agreed (unless the number's last word was STOP). */
async function upsertMember(tx: Tx, card: ConnectCardSubmission, how: Parameters<typeof logConsent>[2]) {
  const [inserted] = await tx
    .insert(members)
    .values({
      firstName: card.firstName,
      lastName: card.lastName,
      email: card.email ?? null,
      phone: card.phone,
      subscription: startingState(card.phone, card.consent ? 'subscribed' : 'not_opted_in'),
      subscriptionSource: 'form',
    })
    .onConflictDoNothing({ target: members.phone })
    .returning({ id: members.id, phone: members.phone, subscription: members.subscription });
  if (inserted) {
    const { subscription: state } = inserted;
    // Agreed on the card, or kept opted out (the number's last word was STOP), as the log says.
    const why = state === 'unsubscribed' ? REMEMBERED_OPT_OUT : how;
    if (state !== 'not_opted_in')
      await logConsent(tx, { memberId: inserted.id, phone: card.phone, previous: null, state }, why);
    return { member: inserted, created: true };
  }
  // Anyone may type any number, so a card never overwrites what the church knows: it fills in only what is missing
  // (a name for someone who texted in first, a missing last name or email).
  const placeholder = sql`${members.firstName} = 'New contact' and ${members.lastName} = ''`;
  const [member] = await tx
    .update(members)
    .set({
      firstName: sql`case when ${placeholder} then ${card.firstName} else ${members.firstName} end`,
      lastName: sql`case when ${members.lastName} = '' then ${card.lastName} else ${members.lastName} end`,
      email: sql`coalesce(${members.email}, ${card.email ?? null})`,
      updatedAt: sql`now()`,
    })
    .where(eq(members.phone, card.phone))
    .returning({ id: members.id, phone: members.phone, subscription: members.subscription });
  return { member: member!, created: false };
}

/**
 * Appended to the member's notes, dated, so earlier notes and requests stay. The notes stay within what an admin may
 * save (MAX_NOTES, counted as the form counts), so a long history never blocks their next edit: when they are nearly
 * full, the request is shortened to fit (and logged), never what is already there.
 */
async function addPrayerRequest(tx: Tx, memberId: string, prayer: string) {
  const [row] = await tx.select({ notes: members.notes }).from(members).where(eq(members.id, memberId)).for('update');
  const before = row?.notes ? `${row.notes}\n\n` : '';
  const entry = `${new Date().toISOString().slice(0, 10)} (connect card) prayer request: ${prayer}`;
  const room = MAX_NOTES - before.length;
  if (room < entry.length) log.warn('connect card: prayer request shortened to fit the notes', { memberId });
  if (room <= 0) return;
  const notes = before + (entry.length <= room ? entry : `${entry.slice(0, room - 1)}…`);
  await tx
    .update(members)
    .set({ notes, updatedAt: sql`now()` })
    .where(eq(members.id, memberId));
}

/** Today in the church's timezone, unless a first visit is already recorded (a second card says "first" again). */
async function markFirstVisit(tx: Tx, memberId: string, timezone: string) {
  await tx
    .update(members)
    .set({ firstVisitOn: sql`coalesce(${members.firstVisitOn}, (now() at time zone ${timezone})::date)` })
    .where(eq(members.id, memberId));
}

async function welcomedBefore(tx: Tx, memberId: string) {
  const [row] = await tx
    .select({ id: connectCardSubmissions.id })
    .from(connectCardSubmissions)
    .where(and(eq(connectCardSubmissions.memberId, memberId), isNotNull(connectCardSubmissions.welcomeMessageId)))
    .limit(1);
  return !!row;
}

/** The welcome, merge fields filled in: the first text after opting in, so it carries the disclosure carriers want. */
async function welcomeText(tx: Tx, memberId: string, text: string, church: string) {
  return withOptInDisclosure(mergeFields(text, await memberMergeValues(tx, memberId, church, text)), { name: church });
}

async function queueWelcome(tx: Tx, id: string, member: { id: string; phone: string }, body: string) {
  await tx
    .insert(conversations)
    .values({ memberId: member.id })
    .onConflictDoNothing({ target: conversations.memberId });
  const [conversation] = await tx
    .update(conversations)
    .set({ lastMessageAt: sql`now()`, lastMessagePreview: body.slice(0, 140) })
    .where(eq(conversations.memberId, member.id))
    .returning({ id: conversations.id });
  await tx.insert(messages).values({
    id,
    conversationId: conversation!.id,
    direction: 'outbound',
    kind: 'conversation', // checked against their consent as it is sent, like any text but an automatic reply
    body,
    segments: countSegments(body).segments,
    status: 'queued',
    toNumber: member.phone,
  });
}
