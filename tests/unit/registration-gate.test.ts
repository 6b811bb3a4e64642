import { describe, expect, it } from 'vitest';
import { reachesUsCarriers, senderFor } from '@/server/registration/gate';
import { registrationDetails } from '@/server/registration/inputs';
import { registrationForm } from '../support/registration-form';

describe('reachesUsCarriers', () => {
  it.each([
    ['+16155550142', true], // Nashville
    ['+17875550142', true], // Puerto Rico, on US carriers
    ['+14165550142', false], // Toronto: +1, but Canada's carriers ask for no 10DLC
    ['+442079460958', false],
    ['+1999', true], // +1 and no country to be told: treated as US
  ])('%s → %s', (e164, us) => expect(reachesUsCarriers(e164)).toBe(us));
});

describe('senderFor', () => {
  const local = { e164: '+16155550100', registered: false };
  const tollFree = { e164: '+18885550100', registered: true };
  const both = [local, tollFree];

  it("keeps the conversation's own number when it may send", () => {
    expect(senderFor(both, tollFree.e164, { us: true })).toBe(tollFree);
    expect(senderFor(both, local.e164, { us: false })).toBe(local);
  });
  it('to a US phone, falls back to a registered number rather than one carriers would block', () => {
    expect(senderFor(both, local.e164, { us: true })).toBe(tollFree);
    expect(senderFor(both, null, { us: true })).toBe(tollFree);
  });
  it('gives an unregistered number only when there is no other (the caller refuses it), and nothing for none', () => {
    expect(senderFor([local], null, { us: true })).toBe(local);
    expect(senderFor([], null, { us: true })).toBeUndefined();
  });
});

describe('registrationDetails', () => {
  it('accepts a complete form, normalising what people type', () => {
    const parsed = registrationDetails.parse(
      registrationForm({ ein: '12 345-6789', state: 'tn', postalCode: '37203-1234', optoutKeywords: 'stop, end' }),
    );
    expect(parsed).toMatchObject({
      ein: '123456789',
      state: 'TN',
      postalCode: '37203',
      website: 'https://gracenashville.org',
      contactPhone: '+16155550142',
      optoutKeywords: 'STOP,END',
    });
  });
  it.each([
    ['ein', '123', 'An EIN is nine digits, like 12-3456789'],
    ['state', 'ZZ', 'Use the two-letter state code, like TN'],
    ['optoutKeywords', 'END', 'STOP must be an opt-out keyword'],
    ['helpMessage', 'Call us at (615) 555-0142 any time.', 'Say how to stop, like “Reply STOP to unsubscribe”'],
    ['website', 'not a site', 'Enter your website, like gracechurch.org'],
  ])('refuses %s %j: %s', (field, value, message) => {
    const result = registrationDetails.safeParse(registrationForm({ [field]: value }));
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => [i.path.join('.'), i.message])).toContainEqual([field, message]);
  });
  it('takes two to five sample messages', () => {
    expect(
      registrationDetails.safeParse(registrationForm({ samples: ['Only one sample message here.'] })).success,
    ).toBe(false);
  });
});
