import { describe, expect, it } from 'vitest';
import type { ChurchProfile } from '@/server/church/profile';
import { keywordForm, keywordOf, keywordReply } from '@/server/messaging/keywords';
import { countSegments } from '@/server/messaging/segments';

describe('keywordOf', () => {
  it.each([
    ['STOP', 'stop'],
    ['STOPALL', 'stop'],
    ['UNSUBSCRIBE', 'stop'],
    ['CANCEL', 'stop'],
    ['END', 'stop'],
    ['QUIT', 'stop'],
    ['OPTOUT', 'stop'],
    ['REVOKE', 'stop'],
    ['START', 'start'],
    ['UNSTOP', 'start'],
    ['YES', 'start'],
    ['HELP', 'help'],
    ['INFO', 'help'],
  ] as const)('%s is %s', (word, keyword) => {
    expect(keywordOf(word)).toBe(keyword);
  });

  it.each([
    ['lower case', 'stop', 'stop'],
    ['mixed case', 'sToP', 'stop'],
    ['surrounding spaces', '  stop  ', 'stop'],
    ['newline after', 'stop\n', 'stop'],
    ['no-break space after', 'STOP\u00a0', 'stop'],
    ['trailing punctuation', 'Stop!', 'stop'],
    ['punctuation both sides', ' stop. ', 'stop'],
    ['inverted exclamation', '¡STOP!', 'stop'],
    ['quoted', '"stop"', 'stop'],
    ['in parentheses', '(stop)', 'stop'],
    ['a hashtag', '#stop', 'stop'],
    ['a smiley after', 'stop:)', 'stop'],
    ['an emoji after', 'STOP 😀', 'stop'],
    ['an emoji before', '😀stop', 'stop'],
    ['opt-out hyphenated', 'Opt-out', 'stop'],
    ['opt out two words', 'opt out', 'stop'],
    ['opt_out underscored', 'OPT_OUT', 'stop'],
    ['stop all two words', 'stop all', 'stop'],
    ['yes with punctuation', 'yes!!', 'start'],
    ['info with a question mark', 'info?', 'help'],
  ] as const)('%s: %j is %s', (_name, text, keyword) => {
    expect(keywordOf(text)).toBe(keyword);
  });

  it.each([
    ['empty', ''],
    ['only punctuation', '?!'],
    ['a sentence starting with one', 'stop by at 5'],
    ['a sentence ending with one', 'please stop'],
    ['two keywords', 'stop stop'],
    ['a keyword and a word', 'HELP ME'],
    ['a longer word', 'helpful'],
    ['past tense', 'STOPPED'],
    ['punctuation inside', 'stop.please'],
    ['Y is not YES', 'Y'],
    ['SUBSCRIBE is not an opt-in word', 'subscribe'],
    ['OPT IN is not an opt-in word', 'opt in'],
    ['an accented look-alike', 'Stöp'],
    ['full-width letters', 'ｓｔｏｐ'],
    ['a zero-width space inside the form', 'STOP\u200b'],
  ])('%s: %j is no keyword', (_name, text) => {
    expect(keywordOf(text)).toBeNull();
  });

  it('a message over 40 characters is never a keyword, whatever it reduces to', () => {
    expect(keywordOf('stop' + '!'.repeat(36))).toBe('stop'); // 40 characters
    expect(keywordOf('stop' + '!'.repeat(37))).toBeNull(); // 41
  });

  // CTIA: the opt-out word alone opts out, however much white space a phone or a person put around it.
  it.each([
    ['spaces after', 'STOP' + ' '.repeat(37)],
    ['spaces before', ' '.repeat(100) + 'STOP'],
    ['newlines and tabs around', '\n\t'.repeat(40) + 'stop\r\n'],
    ['no-break spaces around', '\u00a0'.repeat(50) + 'Stop!' + '\u00a0'.repeat(50)],
  ])('a keyword with white space around it is still one (%s)', (_name, text) => {
    expect(text.length).toBeGreaterThan(40);
    expect(keywordOf(text)).toBe('stop');
  });

  it('white space inside still counts towards the 40 characters', () => {
    expect(keywordOf(`  s${' '.repeat(35)}top  `)).toBe('stop'); // 39 once trimmed
    expect(keywordOf(`  s${' '.repeat(40)}top  `)).toBeNull(); // 44 once trimmed
  });
});

describe('keywordForm', () => {
  it.each([
    [' Opt-Out! ', 'OPTOUT'],
    ['s t o p', 'STOP'],
    ['...help...', 'HELP'],
    ['stop.please', 'STOP.PLEASE'], // punctuation inside a word is kept, so it matches nothing
    ['', ''],
  ])('%j → %j', (text, form) => {
    expect(keywordForm(text)).toBe(form);
  });
});

describe('keywordReply', () => {
  const church = (over: Partial<ChurchProfile> = {}): ChurchProfile => ({
    name: 'Grace Chapel',
    timezone: 'America/New_York',
    country: 'US',
    contactPhone: '+12015550123',
    contactEmail: 'office@grace.example',
    slug: 'grace-chapel',
    ...over,
  });

  it('stop confirms and says how to come back', () => {
    expect(keywordReply('stop', church())).toBe(
      'Grace Chapel: you are unsubscribed and will receive no more messages. Reply START to resubscribe.',
    );
  });

  it('start carries the carrier disclosures', () => {
    expect(keywordReply('start', church())).toBe(
      'Grace Chapel: you are subscribed. Msg frequency varies. Msg & data rates may apply. ' +
        'Reply STOP to unsubscribe, HELP for help.',
    );
  });

  it('help names every contact the church has, and none when it has none', () => {
    expect(keywordReply('help', church())).toBe(
      'Grace Chapel: contact us at (201) 555-0123 or office@grace.example. ' +
        'Reply STOP to unsubscribe. Msg & data rates may apply.',
    );
    expect(keywordReply('help', church({ contactPhone: null }))).toBe(
      'Grace Chapel: contact us at office@grace.example. Reply STOP to unsubscribe. Msg & data rates may apply.',
    );
    expect(keywordReply('help', church({ contactPhone: '', contactEmail: null }))).toBe(
      'Grace Chapel. Reply STOP to unsubscribe. Msg & data rates may apply.',
    );
  });

  // A stray curly quote would make every reply UCS-2 and double its cost.
  it.each(['stop', 'start', 'help'] as const)('the %s reply is one GSM-7 segment for a plain name', (keyword) => {
    expect(countSegments(keywordReply(keyword, church()))).toMatchObject({ encoding: 'GSM-7', segments: 1 });
  });
});
