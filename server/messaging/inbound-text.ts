import type { InboundPicture } from '@/server/media/inbound';
import type { Wake } from '@/server/notifications/outbox';

/**
 * An inbound text as the church's database stores it, whichever way it is stored (inbound-plain.ts, one statement;
 * inbound-keyword.ts, a transaction). Every write is keyed by the provider's message id, so a replayed or
 * concurrently duplicated webhook has exactly one effect.
 */

/**
 * `receivedAt`: when it reached us (the registry's record), which can be well before a delayed delivery. `seq`: its
 * arrival number (the registry's id), so a keyword delivered out of order never undoes a newer one.
 */
export type InboundText = {
  providerMessageId: string;
  from: string;
  to: string;
  text: string;
  receivedAt?: Date;
  seq?: number;
  media?: InboundPicture[];
};
export type InboundResult = {
  duplicate: boolean;
  messageId: string;
  conversationId: string;
  memberId: string;
  followUps: string[];
  /** Someone may have joined a sequence (a keyword, or a tag it added): the church's runner is woken. */
  enrolled?: boolean;
  /** Whose notification jobs to wake: the team members owed a notification of it (server/notifications/). */
  notify?: Wake[];
  /** Its pictures still to fetch into our store (server/media/jobs.ts). */
  pictures?: string[];
};

/** When the text reached us; a delayed delivery keeps its place in the thread. */
export const arrival = (msg: InboundText) => msg.receivedAt ?? new Date();

/** What the inbox shows of a thread's latest message; a picture sent without words shows as one. */
export const preview = (text: string, picture = false) =>
  !text && picture ? PICTURE_PREVIEW : text.length > 140 ? `${text.slice(0, 139)}…` : text;
export const PICTURE_PREVIEW = '📷 Picture';

/** A keyword older than the last one of theirs applied (delivered out of order) changes nothing. */
export const isStale = (msg: InboundText, member: { consentSeq: number | null }) =>
  msg.seq !== undefined && member.consentSeq !== null && msg.seq < member.consentSeq;
