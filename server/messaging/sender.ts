import { and, eq, sql } from 'drizzle-orm';
import { RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { TenantDb } from '@/db/tenant';
import { conversations, members, messages } from '@/db/tenant/schema';
import { log } from '@/server/log';
import { NOT_SENT_UNREGISTERED, reachesUsCarriers, senderFor } from '@/server/registration/gate';
import { carrierOutcome, STEEPLE_CODES } from './carrier-outcomes';
import { carrierOptOut } from './delivery-status';
import { PermanentSendError, TransientSendError, type MessagingProvider } from './provider';
import type { InboundQueue } from './inbound-queue';
import type { NumberRouter } from './routing';
import { heldForVerification, TEAM_ONLY_NOT_SENT } from './team-only';

/**
 * Sends one queued message. The message row is the lock: it moves queued → sending in one statement before the
 * provider is called, so however many jobs race for it, one sends it. A message found stuck in "sending" (its
 * worker died mid-call) is marked failed rather than resent: we cannot know whether it left, and a church must
 * never text someone twice.
 */
export type SenderDeps = {
  provider: MessagingProvider;
  numbers: NumberRouter;
  sendRate: RateLimiterAbstract;
  inbound: Pick<InboundQueue, 'optOutPending'>;
  /** A picture's signed link, for the provider to fetch it (media/signed-links.ts). */
  pictureUrl: (key: string) => string;
};
/** `in_flight`: another worker holds the message in "sending" (or died doing so less than 10 minutes ago). */
export type SendOutcome = 'sent' | 'failed' | 'skipped' | 'in_flight';

const STUCK_AFTER = '10 minutes';
const PICTURE_GONE = 'Not sent: its picture is no longer available.';
export const NOT_SUBSCRIBED = 'Not sent: this person has unsubscribed (they replied STOP).';
const NOT_OPTED_IN = 'Not sent: this person has not opted in to broadcasts or automated texts.';

type Claimed = {
  id: string;
  kind: string;
  body: string;
  phone: string;
  subscription: string;
  church_number: string | null;
  /** Held back until the owner verifies their email (team-only.ts). */
  team_only: boolean;
  /** Its pictures' store keys, in order (null where one is gone); empty for a plain text. */
  pictures: (string | null)[];
};

export async function sendOne(
  deps: SenderDeps,
  db: TenantDb,
  tenantId: string,
  messageId: string,
  opts: { finalAttempt: boolean; turnTaken?: boolean },
): Promise<SendOutcome> {
  // Everything that can fail for reasons of our own happens before the claim, so a claimed message is only ever
  // left in "sending" by a crash.
  const numbers = await deps.numbers.sendingNumbers(tenantId);
  const stopWaiting = await optOutWaiting(deps, db, tenantId, messageId);
  if (!opts.turnTaken) await waitForTurn(deps.sendRate, tenantId); // `turnTaken`: the caller took a slot itself
  const [claimed] = await db.execute<Claimed>(sql`
    update messages m set status = 'sending', status_at = now()
      from conversations c join members p on p.id = c.member_id
     where m.id = ${messageId} and m.status = 'queued' and m.direction = 'outbound' and c.id = m.conversation_id
     returning m.id, m.kind, m.body, p.phone, p.subscription, c.church_number,
               ${heldForVerification(sql`p.phone`)} as team_only,
               array(select d.store_key from message_media mm join media d on d.id = mm.media_id
                      where mm.message_id = m.id order by mm.position) as pictures`);
  if (!claimed) return settleUnclaimed(db, messageId);

  // Opt-out is checked at the moment of sending, not when queued: a STOP that arrived since always wins — also one
  // still waiting in the registry for this church's database (its inbound texts are delivered in order, later).
  if (claimed.kind !== 'auto') {
    if (claimed.subscription === 'unsubscribed' || stopWaiting)
      return fail(db, messageId, NOT_SUBSCRIBED, STEEPLE_CODES.unsubscribed);
    // Broadcasts and sequences go only to people who agreed; the inbox may answer someone who texted first.
    if (claimed.subscription === 'not_opted_in' && (claimed.kind === 'broadcast' || claimed.kind === 'sequence'))
      return fail(db, messageId, NOT_OPTED_IN, STEEPLE_CODES.notOptedIn);
  }
  // Until the owner verifies their email only the team's phones are texted (team-only.ts); replies always go.
  if (claimed.kind !== 'auto' && claimed.team_only)
    return fail(db, messageId, TEAM_ONLY_NOT_SENT, STEEPLE_CODES.teamOnly);
  const us = reachesUsCarriers(claimed.phone);
  const number = senderFor(numbers, claimed.church_number, { us });
  if (!number) return fail(db, messageId, 'Not sent: the church has no sending number yet (Settings → Phone numbers).');
  // US carriers block texts from unregistered numbers: refused here, whoever queued it (registration/gate.ts).
  if (us && !number.registered) return fail(db, messageId, NOT_SENT_UNREGISTERED, STEEPLE_CODES.unregistered);
  const from = number.e164;
  // A picture without its file (not ready; never so for one the team attached): the words alone would be a different
  // message, so none is sent.
  if (claimed.pictures.some((key) => !key)) return fail(db, messageId, PICTURE_GONE);
  const mediaUrls = (claimed.pictures as string[]).map(deps.pictureUrl);

  try {
    const { providerMessageId } = await deps.provider.send({ from, to: claimed.phone, text: claimed.body, mediaUrls });
    await db
      .update(messages)
      .set({
        status: 'sent',
        providerMessageId,
        fromNumber: from,
        toNumber: claimed.phone,
        error: null,
        statusAt: sql`now()`,
      })
      .where(and(eq(messages.id, messageId), eq(messages.status, 'sending')));
    return 'sent';
  } catch (err) {
    if (TransientSendError.is(err) && !opts.finalAttempt) {
      await db
        .update(messages)
        .set({ status: 'queued', statusAt: sql`now()` })
        .where(eq(messages.id, messageId));
      throw err; // the job is retried later, with backoff
    }
    log.warn('message not sent', { tenantId, messageId, err });
    if (!PermanentSendError.is(err)) return fail(db, messageId, 'Not sent: the texting provider could not be reached');
    return refused(db, messageId, err);
  }
}

/** A STOP from the recipient still waiting in the registry for this church's database (asked before the claim). */
async function optOutWaiting(deps: SenderDeps, db: TenantDb, tenantId: string, messageId: string) {
  const [to] = await db
    .select({ phone: members.phone })
    .from(messages)
    .innerJoin(conversations, eq(conversations.id, messages.conversationId))
    .innerJoin(members, eq(members.id, conversations.memberId))
    .where(and(eq(messages.id, messageId), eq(messages.status, 'queued')));
  return !!to && (await deps.inbound.optOutPending(tenantId, to.phone));
}

export const WORKSPACE_CLOSED = 'Not sent: the workspace was closed.';

/** A message that never left (still queued) is marked failed with `error`; one already settled is left alone. */
export async function failIfQueued(db: TenantDb, messageId: string, error: string, errorCode: string | null = null) {
  await db
    .update(messages)
    .set({ status: 'failed', error, errorCode, statusAt: sql`now()` })
    .where(and(eq(messages.id, messageId), eq(messages.status, 'queued')));
}

async function fail(db: TenantDb, messageId: string, error: string, errorCode: string | null = null) {
  await db
    .update(messages)
    .set({ status: 'failed', error, errorCode, statusAt: sql`now()` })
    .where(eq(messages.id, messageId));
  return 'failed' as const;
}

/** The provider refused the text. A carrier opt-out (they texted STOP to it) also unsubscribes the member. */
async function refused(db: TenantDb, messageId: string, err: InstanceType<typeof PermanentSendError>) {
  await db.transaction(async (tx) => {
    const [row] = await tx
      .update(messages)
      .set({ status: 'failed', error: `Not sent: ${err.message}`, errorCode: err.code, statusAt: sql`now()` })
      .where(eq(messages.id, messageId))
      .returning({ conversationId: messages.conversationId, createdAt: messages.createdAt });
    if (row && carrierOutcome(err.code).kind === 'opted_out') await carrierOptOut(tx, row, null);
  });
  return 'failed' as const;
}

/**
 * The message was not ours to send. Already settled: nothing to do. Stuck in "sending" for longer than any send
 * takes: failed, never resent. Still "sending" more recently: `in_flight`, and the caller looks again later, so a
 * worker that died mid-call does not leave the message in "sending" for ever.
 */
export async function settleUnclaimed(db: TenantDb, messageId: string): Promise<SendOutcome> {
  const [stuck] = await db
    .update(messages)
    .set({
      status: 'failed',
      error: 'Not sent: interrupted while sending, and not retried so it cannot arrive twice.',
      statusAt: sql`now()`,
    })
    .where(
      and(
        eq(messages.id, messageId),
        eq(messages.status, 'sending'),
        sql`${messages.statusAt} < now() - ${STUCK_AFTER}::interval`,
      ),
    )
    .returning({ id: messages.id });
  if (stuck) return 'failed';
  const [row] = await db.select({ status: messages.status }).from(messages).where(eq(messages.id, messageId));
  return row?.status === 'sending' ? 'in_flight' : 'skipped';
}

/** The per-church sending rate, shared by every worker: wait for a slot rather than fail. */
async function waitForTurn(limiter: RateLimiterAbstract, tenantId: string) {
  for (;;) {
    try {
      await limiter.consume(tenantId);
      return;
    } catch (err) {
      if (!(err instanceof RateLimiterRes)) throw err;
      await new Promise((r) => setTimeout(r, Math.max(20, err.msBeforeNext)));
    }
  }
}
