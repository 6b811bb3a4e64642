import { describe, expect, it } from 'vitest';
import {
  addDays,
  allOccurrences,
  buildRule,
  describeRule,
  instantOf,
  isOccurrence,
  occurrenceLabel,
  occurrencesAfter,
  todayIn,
  wallDate,
} from '@/server/messaging/recurrence';
import { repeatInput, seriesInput, type RepeatInput } from '@/server/messaging/series-inputs';

const NY = 'America/New_York';
const weekly = (over: Partial<RepeatInput> = {}): RepeatInput => ({
  frequency: 'weekly',
  weekdays: ['SA'],
  monthDay: null,
  time: '17:00',
  startDate: '2027-03-01',
  endDate: '2027-06-30',
  ...over,
});
const iso = (ds: Date[]) => ds.map((d) => d.toISOString());

describe('recurrence: rules from the form', () => {
  it('writes RFC 5545 text: DTSTART with the TZID, UNTIL at the end of the last local day in UTC', () => {
    expect(buildRule(weekly(), NY)).toBe(
      'DTSTART;TZID=America/New_York:20270301T170000\nRRULE:FREQ=WEEKLY;BYDAY=SA;UNTIL=20270701T035959Z',
    );
    // Days in the week's order, whatever order they were ticked in.
    expect(buildRule(weekly({ weekdays: ['SU', 'MO', 'WE'], time: '09:05' }), 'Europe/London')).toBe(
      'DTSTART;TZID=Europe/London:20270301T090500\nRRULE:FREQ=WEEKLY;BYDAY=MO,WE,SU;UNTIL=20270630T225959Z',
    );
    expect(buildRule(weekly({ frequency: 'monthly', monthDay: 15, weekdays: [] }), 'UTC')).toContain(
      'RRULE:FREQ=MONTHLY;BYMONTHDAY=15;UNTIL=20270630T235959Z',
    );
    expect(buildRule(weekly({ frequency: 'monthly', monthDay: 30, weekdays: [] }), 'UTC')).toContain(
      'RRULE:FREQ=MONTHLY;BYMONTHDAY=28,29,30;BYSETPOS=-1;',
    );
  });

  it('a weekly 17:00 in New York stays 17:00 local across the March clock change (22:00Z, then 21:00Z)', () => {
    const rule = buildRule(weekly({ startDate: '2027-03-01', endDate: '2027-03-31' }), NY);
    // Clocks go forward on Sunday 14 March 2027: 17:00 EST is 22:00Z, 17:00 EDT is 21:00Z.
    expect(iso(allOccurrences(rule))).toEqual([
      '2027-03-06T22:00:00.000Z',
      '2027-03-13T22:00:00.000Z',
      '2027-03-20T21:00:00.000Z',
      '2027-03-27T21:00:00.000Z',
    ]);
    // And back in November (Sunday 7 November 2027).
    const autumn = buildRule(weekly({ startDate: '2027-10-25', endDate: '2027-11-14' }), NY);
    expect(iso(allOccurrences(autumn))).toEqual([
      '2027-10-30T21:00:00.000Z',
      '2027-11-06T21:00:00.000Z',
      '2027-11-13T22:00:00.000Z',
    ]);
  });

  it('times near the change itself: a skipped 02:30 is 03:30, a repeated 01:30 is the first, 03:30 is EDT', () => {
    const sunday = (time: string) =>
      allOccurrences(buildRule(weekly({ weekdays: ['SU'], time, startDate: '2027-03-14', endDate: '2027-03-14' }), NY));
    expect(iso(sunday('03:30'))).toEqual(['2027-03-14T07:30:00.000Z']); // 03:30 EDT
    expect(iso(sunday('02:30'))).toEqual(['2027-03-14T07:30:00.000Z']); // does not exist: 03:30 EDT
    expect(iso(sunday('01:30'))).toEqual(['2027-03-14T06:30:00.000Z']); // 01:30 EST
    expect(instantOf(wallDate('2027-11-07', 90), NY).toISOString()).toBe('2027-11-07T05:30:00.000Z'); // 01:30 EDT
    expect(instantOf(wallDate('2027-07-01', 0), 'Asia/Kolkata').toISOString()).toBe('2027-06-30T18:30:00.000Z');
  });

  it('monthly on the 31st goes on the last day of shorter months; the 15th is the 15th', () => {
    const rule = buildRule(
      weekly({ frequency: 'monthly', monthDay: 31, weekdays: [], time: '09:00', endDate: '2027-07-31' }),
      'UTC',
    );
    expect(iso(allOccurrences(rule)).map((d) => d.slice(0, 10))).toEqual([
      '2027-03-31',
      '2027-04-30',
      '2027-05-31',
      '2027-06-30',
      '2027-07-31',
    ]);
    const leap = buildRule(
      weekly({ frequency: 'monthly', monthDay: 30, startDate: '2028-01-01', endDate: '2028-03-31' }),
      'UTC',
    );
    expect(iso(allOccurrences(leap)).map((d) => d.slice(0, 10))).toEqual(['2028-01-30', '2028-02-29', '2028-03-30']);
    const fifteenth = buildRule(weekly({ frequency: 'monthly', monthDay: 15, endDate: '2027-05-20' }), NY);
    expect(iso(allOccurrences(fifteenth))).toEqual([
      '2027-03-15T21:00:00.000Z',
      '2027-04-15T21:00:00.000Z',
      '2027-05-15T21:00:00.000Z',
    ]);
  });

  it('next occurrences: strictly after a moment, leaving out skipped ones, never past the end', () => {
    const rule = buildRule(weekly({ weekdays: ['TU', 'SA'], endDate: '2027-03-20' }), NY);
    const all = allOccurrences(rule);
    expect(all).toHaveLength(6); // Tue 2, Sat 6, Tue 9, Sat 13, Tue 16, Sat 20
    expect(occurrencesAfter(rule, all[1]!, 2)).toEqual([all[2], all[3]]);
    expect(occurrencesAfter(rule, new Date(all[1]!.getTime() - 1), 1)).toEqual([all[1]]);
    const skipped = new Set([all[2]!.getTime()]);
    expect(occurrencesAfter(rule, all[1]!, 2, (d) => skipped.has(d.getTime()))).toEqual([all[3], all[4]]);
    expect(occurrencesAfter(rule, all[5]!, 3)).toEqual([]);
    expect(isOccurrence(rule, all[3]!)).toBe(true);
    expect(isOccurrence(rule, new Date(all[3]!.getTime() + 60_000))).toBe(false);
    // The last day counts to its end, local time.
    const lateOnTheLastDay = buildRule(weekly({ time: '23:30', endDate: '2027-03-06' }), NY);
    expect(iso(allOccurrences(lateOnTheLastDay))).toEqual(['2027-03-07T04:30:00.000Z']);
  });

  it('says the rule in words, and each date in the church’s time', () => {
    expect(describeRule(buildRule(weekly(), NY))).toBe('Every Saturday at 17:00 until 30 Jun 2027');
    expect(describeRule(buildRule(weekly(), NY), { until: false })).toBe('Every Saturday at 17:00');
    expect(describeRule(buildRule(weekly({ weekdays: ['FR', 'MO', 'WE'] }), NY))).toBe(
      'Every Monday, Wednesday and Friday at 17:00 until 30 Jun 2027',
    );
    expect(describeRule(buildRule(weekly({ weekdays: ['SA', 'SU'], time: '08:30' }), NY))).toBe(
      'Every Saturday and Sunday at 08:30 until 30 Jun 2027',
    );
    expect(describeRule(buildRule(weekly({ weekdays: ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'] }), NY))).toMatch(
      /^Every day at 17:00/,
    );
    const monthly = (monthDay: number) =>
      describeRule(buildRule(weekly({ frequency: 'monthly', monthDay }), NY), { until: false });
    expect([1, 2, 3, 4, 11, 12, 13, 21, 22, 23].map(monthly)).toEqual(
      ['1st', '2nd', '3rd', '4th', '11th', '12th', '13th', '21st', '22nd', '23rd'].map(
        (d) => `Monthly on the ${d} at 17:00`,
      ),
    );
    expect(monthly(31)).toBe('Monthly on the 31st (or the month’s last day) at 17:00');
    expect(occurrenceLabel(new Date('2027-07-03T21:00:00Z'), NY)).toBe('Sat 3 Jul 2027, 17:00');
    expect(occurrenceLabel(new Date('2027-07-03T21:00:00Z'), 'Asia/Tokyo')).toBe('Sun 4 Jul 2027, 06:00');
  });

  it('today and a year on, in the church’s timezone', () => {
    const at = new Date('2027-03-01T03:00:00Z'); // still 28 February in New York
    expect(todayIn(NY, at)).toBe('2027-02-28');
    expect(todayIn('Europe/Berlin', at)).toBe('2027-03-01');
    expect(addDays('2027-02-28', 365)).toBe('2028-02-28');
    expect(addDays('2028-02-28', 1)).toBe('2028-02-29');
  });
});

describe('repeat inputs', () => {
  const issues = (input: unknown) =>
    Object.fromEntries((repeatInput.safeParse(input).error?.issues ?? []).map((i) => [String(i.path[0]), i.message]));

  it('weekly needs a day, monthly a day 1–31, a time, a start and an end not before it', () => {
    expect(repeatInput.safeParse(weekly()).success).toBe(true);
    expect(issues(weekly({ weekdays: [] }))).toEqual({ weekdays: 'Choose at least one day of the week' });
    expect(issues(weekly({ weekdays: ['SA', 'SA'] }))).toEqual({ weekdays: 'Choose each day once' });
    expect(issues({ ...weekly(), frequency: 'monthly' })).toEqual({ monthDay: 'Choose a day of the month, 1 to 31' });
    expect(issues({ ...weekly(), frequency: 'monthly', monthDay: 32 })).toEqual({
      monthDay: 'Choose a day of the month, 1 to 31',
    });
    expect(issues({ ...weekly(), frequency: 'monthly', monthDay: 0 })).toHaveProperty('monthDay');
    expect(issues(weekly({ time: '25:00' }))).toEqual({ time: 'Choose a time, like 17:00' });
    expect(issues(weekly({ time: '5pm' }))).toEqual({ time: 'Choose a time, like 17:00' });
    expect(issues(weekly({ endDate: '2027-02-28' }))).toEqual({ endDate: 'End on or after the first date' });
    expect(issues(weekly({ endDate: '2027-06-31' }))).toEqual({
      endDate: 'Choose the date it ends (at most a year ahead)',
    });
    expect(issues({ ...weekly(), endDate: undefined })).toEqual({
      endDate: 'Choose the date it ends (at most a year ahead)',
    });
    expect(issues({ ...weekly(), frequency: 'daily' })).toEqual({ frequency: 'Choose weekly or monthly' });
  });

  it('a series is a broadcast’s message and audience with its repeat, flat', () => {
    const ok = seriesInput.safeParse({ body: ' See you tomorrow ', audience: { type: 'all' }, ...weekly() });
    expect(ok.success && ok.data.body).toBe('See you tomorrow');
    // Words may be left out beside a picture (the server asks for one or the other), but not run past 1,600.
    const bad = seriesInput.safeParse({
      body: 'x'.repeat(1601),
      audience: { type: 'all' },
      ...weekly({ weekdays: [] }),
    });
    expect(bad.error?.issues.map((i) => i.path[0]).sort()).toEqual(['body', 'weekdays']);
    const picture = seriesInput.safeParse({
      body: '',
      mediaId: crypto.randomUUID(),
      audience: { type: 'all' },
      ...weekly(),
    });
    expect(picture.success).toBe(true);
  });
});
