import { describe, expect, it } from 'vitest';
import { accessOf, accessWith } from '@/server/billing/access';
import type { BillingAccount } from '@/db/registry/schema';

const NOW = Date.parse('2026-03-10T12:00:00.000Z');
const DAY = 86_400_000;
const account = (status: BillingAccount['status'], trialEndsAt: Date | number) => ({
  status,
  trialEndsAt: new Date(trialEndsAt),
});

const FULL = { readOnly: false, banner: null, trialDaysLeft: null };
const READ_ONLY = { readOnly: true, banner: 'read_only', trialDaysLeft: null };

describe('accessOf', () => {
  it('no account row never locks a church out', () => {
    expect(accessOf(undefined, NOW)).toEqual(FULL);
  });

  it.each([
    ['trialing', NOW + 10 * DAY, { readOnly: false, banner: null, trialDaysLeft: 10 }],
    ['trialing', NOW - DAY, { readOnly: true, banner: 'read_only', trialDaysLeft: 0 }],
    // Checkout started, first payment pending: the trial still holds, and still ends.
    ['incomplete', NOW + 3 * DAY, { readOnly: false, banner: null, trialDaysLeft: 3 }],
    ['incomplete', NOW - DAY, { readOnly: true, banner: 'read_only', trialDaysLeft: 0 }],
    // Paying: the trial date no longer matters either way.
    ['active', NOW + 10 * DAY, FULL],
    ['active', NOW - 100 * DAY, FULL],
    ['past_due', NOW - 100 * DAY, { readOnly: false, banner: 'past_due', trialDaysLeft: null }],
    ['past_due', NOW + 10 * DAY, { readOnly: false, banner: 'past_due', trialDaysLeft: null }],
    // Everything else is read-only, even within what was the trial.
    ['canceled', NOW + 10 * DAY, READ_ONLY],
    ['unpaid', NOW - DAY, READ_ONLY],
    ['incomplete_expired', NOW + 10 * DAY, READ_ONLY],
    ['paused', NOW + 10 * DAY, READ_ONLY],
  ] as const)('%s, trial ending %d', (status, trialEndsAt, access) => {
    expect(accessOf(account(status, trialEndsAt), NOW)).toEqual(access);
  });

  it.each([
    ['ends exactly now: over', 0, { readOnly: true, banner: 'read_only', trialDaysLeft: 0 }],
    ['one millisecond left: a day left', 1, { readOnly: false, banner: null, trialDaysLeft: 1 }],
    ['exactly one day left', DAY, { readOnly: false, banner: null, trialDaysLeft: 1 }],
    ['a day and a millisecond: two days', DAY + 1, { readOnly: false, banner: null, trialDaysLeft: 2 }],
    ['fourteen days', 14 * DAY, { readOnly: false, banner: null, trialDaysLeft: 14 }],
  ])('the last moments of a trial: %s', (_name, left, access) => {
    expect(accessOf(account('trialing', NOW + left), NOW)).toEqual(access);
  });

  it('takes the trial end as text too (a row read as JSON)', () => {
    const row = { status: 'trialing' as const, trialEndsAt: '2026-03-12T00:00:00.000Z' as unknown as Date };
    expect(accessOf(row, NOW)).toEqual({ readOnly: false, banner: null, trialDaysLeft: 2 });
  });
});

describe('accessWith', () => {
  const over = account('canceled', 0);

  it('with billing on, is accessOf', () => {
    expect(accessWith(true, over)).toEqual(READ_ONLY);
    expect(accessWith(true, account('past_due', 0))).toEqual({
      readOnly: false,
      banner: 'past_due',
      trialDaysLeft: null,
    });
  });

  it('with billing off, nothing is locked and nothing counts down', () => {
    expect(accessWith(false, over)).toEqual(FULL);
    expect(accessWith(false, account('trialing', Date.now() + 5 * DAY))).toEqual(FULL);
    expect(accessWith(false, undefined)).toEqual(FULL);
  });
});
