import { and, eq, gt, sql } from 'drizzle-orm';
import { keywordUses, members, type ChurchKeyword, type KeywordOutcome } from '@/db/tenant/schema';
import type { ChurchProfile } from '@/server/church/profile';
import { changeConsent, type Tx } from '@/server/members/consent';
import type { Texter } from '@/server/messaging/inbound-keyword';
import { isStale, type InboundText } from '@/server/messaging/inbound-text';
import { memberMergeValues } from '@/server/messaging/member-merge';
import { mergeFields } from '@/server/messaging/merge-fields';
import { withOptInDisclosure } from '@/server/messaging/disclosure';
import { addTags } from '@/server/members/tags';
import { enrollOnKeyword } from '@/server/sequences/enroll';

/**
 * What one of the church's keywords does, inside the transaction that stored the text (inbound-keyword.ts), so a
 * redelivered webhook does none of it twice:
 *   - someone not opted in (new, or known) becomes subscribed, logged in the consent log with the keyword and the
 *     message; someone already subscribed stays so; both get the keyword's tags and its reply;
 *   - someone who opted out stays opted out (only their own START undoes a STOP) and is told how to opt back in;
 *   - the use is recorded against the message: the thread shows it, the keywords page counts it;
 *   - someone subscribed starts the sequences the keyword (or a tag it adds) triggers (server/sequences/).
 * Returns the reply to queue, or null: the same keyword from the same person, with the same outcome, within ten
 * minutes is not answered twice.
 */
export async function applyChurchKeyword(
  tx: Tx,
  msg: InboundText,
  texter: Texter,
  keyword: ChurchKeyword,
  church: ChurchProfile,
): Promise<string | null> {
  const outcome =
    texter.subscription === 'unsubscribed'
      ? 'opted_out'
      : texter.subscription === 'subscribed' || isStale(msg, texter)
        ? 'already_subscribed'
        : 'joined';
  const repeated = await answeredLately(tx, texter.memberId, keyword.id, outcome);
  await tx.insert(keywordUses).values({
    keywordId: keyword.id,
    word: keyword.word,
    messageId: texter.messageId,
    memberId: texter.memberId,
    outcome,
    newMember: texter.created && outcome === 'joined', // a returning number that opted out is not a new member
  });
  if (outcome === 'opted_out') return repeated ? null : optedOutReply(keyword.word, church);

  if (outcome === 'joined') {
    const who = { id: texter.memberId, phone: msg.from, subscription: texter.subscription };
    const how = {
      source: 'text' as const,
      detail: `keyword ${keyword.word}`,
      providerMessageId: msg.providerMessageId,
    };
    await changeConsent(tx, who, 'subscribed', how);
    if (msg.seq !== undefined)
      await tx.update(members).set({ consentSeq: msg.seq }).where(eq(members.id, texter.memberId));
  }
  if (keyword.addTags.length) await addTags(tx, texter.memberId, keyword.addTags); // may start a tag's sequence
  await enrollOnKeyword(tx, keyword.id, texter.memberId);
  if (repeated) return null;
  const reply = mergeFields(keyword.reply, await memberMergeValues(tx, texter.memberId, church.name, keyword.reply));
  return outcome === 'joined' ? withOptInDisclosure(reply, church) : reply;
}

/**
 * The same person texting the same keyword again within minutes, with the same outcome (impatience, or someone
 * scripting texts to make the church pay for replies), gets no second reply; the use is still recorded.
 */
const REPLY_AGAIN_AFTER = sql`interval '10 minutes'`;
async function answeredLately(tx: Tx, memberId: string, keywordId: string, outcome: KeywordOutcome) {
  const [row] = await tx
    .select({ id: keywordUses.id })
    .from(keywordUses)
    .where(
      and(
        eq(keywordUses.memberId, memberId),
        eq(keywordUses.keywordId, keywordId),
        eq(keywordUses.outcome, outcome),
        gt(keywordUses.createdAt, sql`now() - ${REPLY_AGAIN_AFTER}`),
      ),
    )
    .limit(1);
  return !!row;
}

const optedOutReply = (word: string, church: ChurchProfile) =>
  `${church.name}: you opted out of our texts, so ${word} did not sign you up. ` +
  'To get our texts again, reply START.';
