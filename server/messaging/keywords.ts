import { formatPhone } from './phone';
import type { ChurchProfile } from '@/server/church/profile';

/**
 * Carrier keywords (CTIA, and Telnyx's own opt-out handling): the whole message, any case, surrounding spaces and
 * punctuation ignored ("Stop!", " stop. ", "Opt-out"). Opt-out words unsubscribe, opt-in words subscribe, help words
 * ask who is texting; each gets one automatic reply.
 */
const OPT_OUT = new Set(['STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT', 'OPTOUT', 'REVOKE']);
const OPT_IN = new Set(['START', 'UNSTOP', 'YES']);
const HELP = new Set(['HELP', 'INFO']);

export type Keyword = 'stop' | 'start' | 'help';

/** The words Steeple answers, as a carrier registration declares them (opt-in, opt-out, help). */
export const KEYWORD_WORDS: Record<Keyword, string[]> = { start: [...OPT_IN], stop: [...OPT_OUT], help: [...HELP] };

/** The text without the spaces, punctuation and symbols around it ("“Stop!” " → "Stop"); all keywords use it. */
export const withoutSurroundings = (text: string) => text.replace(/^[\p{P}\p{S}\s]+|[\p{P}\p{S}\s]+$/gu, '');

/** The message as a keyword is compared: upper case, punctuation and spaces around and inside taken out. */
export function keywordForm(text: string): string {
  return withoutSurroundings(text)
    .replace(/[\s\-_]+/g, '') // "OPT OUT", "opt-out" and "OPTOUT" are one word
    .toUpperCase();
}

export function keywordOf(text: string): Keyword | null {
  // A keyword is a word, not a paragraph that happens to start with one; the spaces around it are not part of it.
  const trimmed = text.trim();
  if (trimmed.length > 40) return null;
  const word = keywordForm(trimmed);
  if (OPT_OUT.has(word)) return 'stop';
  if (OPT_IN.has(word)) return 'start';
  if (HELP.has(word)) return 'help';
  return null;
}

export function keywordReply(keyword: Keyword, church: ChurchProfile): string {
  const phone = church.contactPhone && formatPhone(church.contactPhone, church.country);
  const contact = [phone, church.contactEmail].filter(Boolean).join(' or ');
  switch (keyword) {
    case 'stop':
      return `${church.name}: you are unsubscribed and will receive no more messages. Reply START to resubscribe.`;
    case 'start':
      return (
        `${church.name}: you are subscribed. Msg frequency varies. Msg & data rates may apply. ` +
        'Reply STOP to unsubscribe, HELP for help.'
      );
    case 'help':
      return (
        `${church.name}${contact ? `: contact us at ${contact}` : ''}. ` +
        'Reply STOP to unsubscribe. Msg & data rates may apply.'
      );
  }
}
