import type { ChurchProfile } from '@/server/church/profile';

/**
 * Carrier keywords (CTIA): the whole message, any case, surrounding spaces and punctuation ignored. STOP and friends
 * unsubscribe, START and friends resubscribe, HELP asks who is texting; each gets one automatic reply.
 */
const STOP = new Set(['STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT']);
const START = new Set(['START', 'UNSTOP', 'YES']);
const HELP = new Set(['HELP', 'INFO']);

export type Keyword = 'stop' | 'start' | 'help';

export function keywordOf(text: string): Keyword | null {
  const word = text.trim().replace(/[.!?]+$/, '').toUpperCase();
  if (STOP.has(word)) return 'stop';
  if (START.has(word)) return 'start';
  if (HELP.has(word)) return 'help';
  return null;
}

export function keywordReply(keyword: Keyword, church: ChurchProfile): string {
  const contact = [church.contactPhone, church.contactEmail].filter(Boolean).join(' or ');
  switch (keyword) {
    case 'stop':
      return `${church.name}: you are unsubscribed and will receive no more messages. Reply START to resubscribe.`;
    case 'start':
      return `${church.name}: you are subscribed again. Reply STOP to unsubscribe, HELP for help.`;
    case 'help':
      return `${church.name}${contact ? `: contact us at ${contact}` : ''}. Reply STOP to unsubscribe. Msg & data rates may apply.`;
  }
}
