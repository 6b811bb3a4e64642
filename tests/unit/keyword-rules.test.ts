import { describe, expect, it } from 'vitest';
import { createKeywordInput } from '@/server/keywords/inputs';
import { keywordCandidate, keywordWord, reservedWordRefusal } from '@/server/keywords/rules';

describe('church keywords: what a keyword is and when a text is one', () => {
  it.each([
    ['join', 'JOIN'],
    [' Join! ', 'JOIN'],
    ['“join”', 'JOIN'],
    ['JOIN 🙏', 'JOIN'],
    ['easter2027.', 'EASTER2027'],
    ['Ünïcode', 'ÜNÏCODE'],
  ])('"%s" could be the keyword %s', (text, word) => {
    expect(keywordCandidate(text)).toBe(word);
  });

  it.each(['join us', 'j', '12', 'ok?'.repeat(30), '', '   ', '🙏', 'opt-in', 'a_b', 'x'.repeat(21)])(
    '"%s" is not a keyword (no lookup is made)',
    (text) => {
      const word = keywordCandidate(text);
      // "12" is a word of digits and may be a keyword; everything else here is not one word of 2-20.
      if (text === '12') expect(word).toBe('12');
      else expect(word).toBeNull();
    },
  );

  it('keeps inner characters: only the surroundings are trimmed', () => {
    expect(keywordWord('--Join--')).toBe('JOIN');
    expect(keywordWord('jo-in')).toBe('JO-IN');
  });

  it('reserves every carrier word, however it is written', () => {
    for (const w of ['STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT', 'OPTOUT', 'REVOKE', 'START', 'YES'])
      expect(reservedWordRefusal(w), w).toMatch(/is reserved/);
    for (const w of ['UNSTOP', 'HELP', 'INFO']) expect(reservedWordRefusal(w), w).toMatch(/is reserved/);
    expect(reservedWordRefusal('JOIN')).toBeNull();
    expect(reservedWordRefusal('STOPS')).toBeNull();
  });

  it('the create input upper-cases the word and refuses reserved and malformed ones with their message', () => {
    expect(createKeywordInput.parse({ keyword: ' join! ', reply: 'Hi' })).toEqual({ keyword: 'JOIN', reply: 'Hi' });
    const issues = (input: unknown) => createKeywordInput.safeParse(input).error?.issues.map((i) => i.message) ?? [];
    expect(issues({ keyword: 'stop', reply: 'Hi' })).toEqual([
      'STOP is reserved: it is how people opt out, and carriers require it to work.',
    ]);
    expect(issues({ keyword: 'join us', reply: 'Hi' })).toEqual([
      'A keyword is one word of 2 to 20 letters or numbers, like JOIN.',
    ]);
    expect(issues({ keyword: 'JOIN', reply: ' ' })).toEqual(['Write the reply people get when they text the keyword']);
    // Merge-field names depend on the church's custom fields: the server checks them (tests/audiences.test.ts).
    expect(issues({ keyword: 'JOIN', reply: 'Hi {nickname}' })).toEqual([]);
  });
});
