import { describe, expect, it } from 'vitest';
import { keptTrialEnd } from '@/server/billing/checkout';
import { priceLabel } from '@/server/billing/plan';

const HOUR = 3_600_000;
const NOW = Date.parse('2026-03-10T12:00:00.000Z');
const monthly = { interval: 'month' as const, interval_count: 1 };

describe('priceLabel', () => {
  it.each([
    [{ unit_amount: 2900, currency: 'usd', recurring: monthly }, '$29.00 per month'],
    [
      { unit_amount: 29000, currency: 'eur', recurring: { interval: 'year' as const, interval_count: 1 } },
      '€290.00 per year',
    ],
    [
      { unit_amount: 7500, currency: 'usd', recurring: { interval: 'month' as const, interval_count: 3 } },
      '$75.00 every 3 months',
    ],
    // Zero-decimal currencies are counted in whole units.
    [{ unit_amount: 3000, currency: 'jpy', recurring: monthly }, '¥3,000 per month'],
    [{ unit_amount: 4900, currency: 'usd', recurring: null }, '$49.00'],
    // Tiered or usage-based: no single amount to show.
    [{ unit_amount: null, currency: 'usd', recurring: monthly }, null],
  ])('%j → %s', (price, label) => {
    expect(priceLabel(price)).toBe(label);
  });
});

describe('keptTrialEnd', () => {
  const trial = (status: 'trialing' | 'incomplete' | 'canceled' | 'active', leftMs: number) => ({
    status,
    trialEndsAt: new Date(NOW + leftMs),
  });

  it('keeps a trial with at least 48 hours (and a margin) left, to its own end', () => {
    expect(keptTrialEnd(trial('trialing', 10 * 24 * HOUR), NOW)).toEqual(new Date(NOW + 10 * 24 * HOUR));
    expect(keptTrialEnd(trial('incomplete', 49 * HOUR), NOW)).toEqual(new Date(NOW + 49 * HOUR));
    expect(keptTrialEnd(trial('trialing', 48 * HOUR + 10 * 60_000), NOW)).toEqual(new Date(NOW + 48 * HOUR + 600_000));
  });

  it('keeps none when Stripe would refuse it, the trial is over, or there is no trial', () => {
    expect(keptTrialEnd(trial('trialing', 48 * HOUR + 10 * 60_000 - 1), NOW)).toBeNull();
    expect(keptTrialEnd(trial('trialing', 47 * HOUR), NOW)).toBeNull();
    expect(keptTrialEnd(trial('trialing', -HOUR), NOW)).toBeNull();
    expect(keptTrialEnd(trial('canceled', 10 * 24 * HOUR), NOW)).toBeNull();
    expect(keptTrialEnd(trial('active', 10 * 24 * HOUR), NOW)).toBeNull();
    expect(keptTrialEnd(undefined, NOW)).toBeNull();
  });
});
