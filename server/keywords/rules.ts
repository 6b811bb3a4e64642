import { keywordForm, keywordOf, withoutSurroundings } from '@/server/messaging/keywords';

/**
 * What a church keyword is, and when a text is one. Pure: the keywords form checks with the same rules.
 *
 * A keyword is one word of letters or numbers ("JOIN", "EASTER2027"), kept in upper case. A text matches when its
 * whole body is that word, in any case, with spaces and punctuation around it ignored ("join!", " Join. ").
 */
export const KEYWORD_PATTERN = /^[\p{L}\p{N}]{2,20}$/u;
export const KEYWORD_SHAPE = 'A keyword is one word of 2 to 20 letters or numbers, like JOIN.';

/** The word as it is stored and compared: surrounding spaces and punctuation dropped, upper case. */
export const keywordWord = (text: string) => withoutSurroundings(text).toUpperCase();

/** The word an inbound text could be a keyword as, or null (a sentence, a number, an emoji) — no lookup needed. */
export function keywordCandidate(text: string): string | null {
  if (text.length > 60) return null;
  const word = keywordWord(text);
  return KEYWORD_PATTERN.test(word) ? word : null;
}

/** Why a church may not use `word`: the carriers' opt-out, opt-in and help words are reserved. Null when it may. */
export function reservedWordRefusal(word: string): string | null {
  const reserved = keywordOf(word) ?? keywordOf(keywordForm(word));
  if (reserved === 'stop') return `${word} is reserved: it is how people opt out, and carriers require it to work.`;
  if (reserved === 'start') return `${word} is reserved: it is how people opt back in after texting STOP.`;
  if (reserved === 'help') return `${word} is reserved: it is how people ask who is texting them.`;
  return null;
}
