import { describe, expect, it } from 'vitest';
import { carrierCode, carrierOutcome, STEEPLE_CODES } from '@/server/messaging/carrier-outcomes';

describe('carrierOutcome', () => {
  it.each([
    ['40300', 'opted_out', false],
    ['40001', 'not_mobile', false],
    ['40012', 'invalid_number', false],
    ['40003', 'spam', false],
    ['40017', 'spam', false],
    ['40009', 'content', false],
    ['40010', 'unregistered', false],
    ['40329', 'unregistered', false],
    ['40013', 'sender', false],
    ['40006', 'temporary', true],
    ['40011', 'carrier_limit', true],
    ['40018', 'carrier_limit', true],
  ] as const)('Telnyx %s is %s (send again: %s)', (code, kind, retry) => {
    const outcome = carrierOutcome(code, 'whatever the carrier said');
    expect(outcome).toMatchObject({ kind, retry });
    expect(outcome.reason).not.toBe('whatever the carrier said'); // our own plain words for a known code
  });

  it('an unknown or missing code keeps the carrier’s words (without "Not sent:"), and may be tried again', () => {
    expect(carrierOutcome('49999', 'Handset off')).toEqual({ kind: 'unknown', reason: 'Handset off', retry: true });
    expect(carrierOutcome(null, 'Not sent: the texting provider could not be reached')).toEqual({
      kind: 'unknown',
      reason: 'the texting provider could not be reached',
      retry: true,
    });
    expect(carrierOutcome(undefined, null)).toEqual({ kind: 'unknown', reason: 'Not delivered', retry: true });
  });

  it("Steeple's own refusals are never sent again, except those the church can fix (number, owner's email)", () => {
    const { unregistered, teamOnly, ...final } = STEEPLE_CODES;
    for (const code of Object.values(final)) expect(carrierOutcome(code).retry, code).toBe(false);
    expect(carrierOutcome(STEEPLE_CODES.unsubscribed).kind).toBe('opted_out');
    expect(carrierOutcome(unregistered)).toMatchObject({ kind: 'unregistered', retry: true });
    expect(carrierOutcome(teamOnly)).toMatchObject({ kind: 'team_only', retry: true });
  });
});

describe('carrierCode', () => {
  it('reads the first code given, as text, whether Telnyx sent a string or a number', () => {
    expect(carrierCode([{ code: '40300' }])).toBe('40300');
    expect(carrierCode([{ code: null }, { code: 40001 }])).toBe('40001');
    expect(carrierCode([{}])).toBeNull();
    expect(carrierCode(undefined)).toBeNull();
    expect(carrierCode([{ code: 'x'.repeat(50) }])).toHaveLength(20);
  });
});
