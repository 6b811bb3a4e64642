import { describe, expect, it } from 'vitest';
import { formatPhone, normalisePhone, textableNumber } from '@/server/messaging/phone';

describe('normalisePhone', () => {
  it.each([
    ['US national with punctuation', '(201) 555-0123', 'US', '+12015550123'],
    ['US digits only', '2015550123', 'US', '+12015550123'],
    ['US with a leading 1', '1 201 555 0123', 'US', '+12015550123'],
    ['lower-case country', '2015550123', 'us', '+12015550123'],
    ['surrounding spaces', ' +1-201-555-0123 ', 'US', '+12015550123'],
    ['toll free', '+1 800 555 0199', 'US', '+18005550199'],
    ['UK mobile with trunk 0', '07911 123456', 'GB', '+447911123456'],
    ['UK written internationally with 00', '0044 7911 123456', 'GB', '+447911123456'],
    ['US exit code 011 to the UK', '011 44 7911 123456', 'US', '+447911123456'],
    // A + number is read as written, whatever the church's country.
    ['+1 number for a UK church', '+1 201 555 0123', 'GB', '+12015550123'],
    ['+44 number for a US church', '+447911123456', 'US', '+447911123456'],
    ['+ number with an unknown country', '+12015550123', 'XX', '+12015550123'],
    ['an extension is dropped', '201 555 0123 ext. 5', 'US', '+12015550123'],
  ])('%s: %j in %s → %s', (_name, input, country, e164) => {
    expect(normalisePhone(input, country)).toBe(e164);
  });

  it.each([
    ['empty', '', 'US'],
    ['letters', 'abc', 'US'],
    ['too short (seven digits)', '555-0123', 'US'],
    ['one digit too many', '20155501234', 'US'],
    ['national number with an unknown country', '2015550123', 'XX'],
    ['national number with no country', '2015550123', ''],
  ])('%s: %j in %j is refused', (_name, input, country) => {
    expect(normalisePhone(input, country)).toBeNull();
  });
});

describe('formatPhone', () => {
  it.each([
    ['national in its own country', '+12015550123', 'US', '(201) 555-0123'],
    ['the country in any case', '+12015550123', 'us', '(201) 555-0123'],
    ['international elsewhere', '+12015550123', 'GB', '+1 201 555 0123'],
    ['a London number for a UK church', '+442079460000', 'GB', '020 7946 0000'],
    ['a London number for a US church', '+442079460000', 'US', '+44 20 7946 0000'],
    // The rule is the country, not the calling code: +1 416 is Canada, so a US church sees it international.
    ['a Canadian number for a US church', '+14165550123', 'US', '+1 416 555 0123'],
    // +44 7911 is Guernsey's in libphonenumber's metadata, so it is not national for a UK church either.
    ['a Guernsey mobile for a UK church', '+447911123456', 'GB', '+44 7911 123456'],
    ['what is not a number is shown as stored', 'garbage', 'US', 'garbage'],
  ])('%s: %s → %s', (_name, e164, country, shown) => {
    expect(formatPhone(e164, country)).toBe(shown);
  });
});

describe('textableNumber', () => {
  it.each([
    ['a valid number', '(201) 555-0123', { e164: '+12015550123' }],
    ['ext.', '201 555 0123 ext. 5', { refused: 'extension' }],
    ['x', '201-555-0123 x12', { refused: 'extension' }],
    ['too short', '555-01', { refused: 'invalid' }],
    ['not a number', 'call the office', { refused: 'invalid' }],
  ])('%s: %j', (_name, input, expected) => {
    expect(textableNumber(input, 'US')).toEqual(expected);
  });
});
