import * as rrule from 'rrule';
import type { Options, Weekday as RRuleWeekday } from 'rrule';
import { WEEKDAYS, weekdayNames, type Weekday } from './series-days';
import type { RepeatInput } from './series-inputs';

// rrule ships CommonJS as `main` and ES modules as `module` with no `exports` map: bundlers (Next, vitest) take the
// named export, while Node's own ES module loader (tsx: the worker, `npm start`, the benches) sees only `default`.
const { RRule } = (rrule as unknown as { default?: typeof rrule }).default ?? rrule;
type RRule = InstanceType<typeof RRule>;

/**
 * A repeating broadcast's dates, through the rrule package. The rule is stored as RFC 5545 text: DTSTART with the
 * church's TZID (the first day and the local time of day) and an RRULE whose UNTIL is the end of the last day there,
 * in UTC as the RFC requires beside a TZID.
 *
 * rrule works out the dates on the local wall clock ("floating" times). Turning each into an instant is done here
 * with Intl, not by rrule's own TZID support: that converts through the server process's timezone, and near a clock
 * change it reads the offset at the wrong instant (a Sunday 03:30 in New York on the day clocks go forward came out
 * at 04:30). So 17:00 stays 17:00 local across daylight saving, whatever timezone the server runs in.
 *
 * Known limits, accepted: a date is known by its UTC instant once worked out (skips and made broadcasts store
 * instants), so a timezone-database update that moves a zone's offsets mid-series could shift a date by an hour
 * and leave a skip no longer matching its date. A church that changes its timezone keeps its existing series on the
 * zone in their rule (the list names that zone); only new series take the new one.
 */

const DAY_MS = 86_400_000;

/** The RFC 5545 text for a repeat chosen in the form, in the church's timezone. */
export function buildRule(r: RepeatInput, timezone: string): string {
  const [hh, mm] = r.time.split(':') as [string, string];
  const start = `${r.startDate.replaceAll('-', '')}T${hh}${mm}00`;
  const lastMoment = instantOf(wallDate(r.endDate, 23 * 60 + 59, 59), timezone);
  const byDay =
    r.frequency === 'weekly'
      ? `FREQ=WEEKLY;BYDAY=${WEEKDAYS.filter((d) => r.weekdays.includes(d)).join(',')}`
      : `FREQ=MONTHLY;${monthDayPart(r.monthDay ?? 1)}`;
  return `DTSTART;TZID=${timezone}:${start}\nRRULE:${byDay};UNTIL=${untilText(lastMoment)}`;
}

/**
 * Days 29 to 31 fall back to the month's last day in shorter months: "the 31st, or the last day" is the latest of 28
 * to 31 that the month has (BYSETPOS=-1). BYMONTHDAY=31 alone would skip February, April, June, September and November.
 */
function monthDayPart(day: number): string {
  if (day <= 28) return `BYMONTHDAY=${day}`;
  const days = Array.from({ length: day - 27 }, (_, i) => 28 + i);
  return `BYMONTHDAY=${days.join(',')};BYSETPOS=-1`;
}

type Parsed = {
  timezone: string;
  /** The rule on the wall clock: dates whose UTC fields are the church's local date and time. */
  floating: RRule;
  options: Partial<Options>;
  until: Date;
};

const parsedCache = new Map<string, Parsed>();

/** The stored text, parsed once per process (rules never change once written). */
function parse(rule: string): Parsed {
  const seen = parsedCache.get(rule);
  if (seen) return seen;
  const options = RRule.parseString(rule);
  const timezone = options.tzid;
  if (!timezone || !options.dtstart || !options.until) throw new Error('a series rule needs DTSTART;TZID and UNTIL');
  const floating = new RRule({ ...options, tzid: null, until: wallOf(options.until, timezone) });
  const parsed = { timezone, floating, options, until: options.until };
  if (parsedCache.size > 1_000) parsedCache.clear();
  parsedCache.set(rule, parsed);
  return parsed;
}

/** The timezone a rule's times are in. */
export const timezoneOf = (rule: string) => parse(rule).timezone;

/**
 * Up to `limit` instants of the rule strictly after `after`, in order, leaving out those `skip` says. Rules end
 * within a year, so walking from the start is cheap.
 */
export function occurrencesAfter(rule: string, after: Date, limit: number, skip?: (at: Date) => boolean): Date[] {
  const { floating, timezone } = parse(rule);
  const out: Date[] = [];
  if (limit <= 0) return out;
  // A day either side of the wall clock covers any timezone's offset.
  const from = wallOf(after, timezone).getTime() - DAY_MS;
  floating.all((wall) => {
    if (wall.getTime() < from) return true;
    const at = instantOf(wall, timezone);
    if (at > after && !skip?.(at)) out.push(at);
    return out.length < limit;
  });
  return out;
}

/** Every instant of the rule (at most a year's worth). */
export const allOccurrences = (rule: string) => occurrencesAfter(rule, new Date(0), 1_000);

/** Whether `at` is one of the rule's instants. */
export function isOccurrence(rule: string, at: Date): boolean {
  const [found] = occurrencesAfter(rule, new Date(at.getTime() - 1), 1);
  return found?.getTime() === at.getTime();
}

/**
 * The rule in words, as the broadcasts page shows it: "Every Saturday at 17:00 until 30 Jun 2027", "Monthly on the
 * 31st (or the month's last day) at 09:30 until 1 Mar 2027". `until: false` leaves the end out (a broadcast's badge).
 */
export function describeRule(rule: string, opts: { until?: boolean } = {}): string {
  const { options, timezone, until } = parse(rule);
  const start = options.dtstart!;
  const time = `${pad(start.getUTCHours())}:${pad(start.getUTCMinutes())}`;
  const days = (options.bymonthday ? [options.bymonthday].flat() : []) as number[];
  const when =
    options.freq === RRule.MONTHLY
      ? `Monthly on the ${ordinal(Math.max(...days))}${days.length > 1 ? ' (or the month’s last day)' : ''}`
      : weeklyWords(weekdaysOf(options.byweekday));
  const end = opts.until === false ? '' : ` until ${dayLabel(until, timezone)}`;
  return `${when} at ${time}${end}`;
}

function weekdaysOf(by: Options['byweekday'] | undefined): Weekday[] {
  const list = (by == null ? [] : [by].flat()) as (number | string | RRuleWeekday)[];
  const index = (d: number | string | RRuleWeekday) =>
    typeof d === 'number' ? d : typeof d === 'string' ? WEEKDAYS.indexOf(d as Weekday) : d.weekday;
  return WEEKDAYS.filter((_, i) => list.some((d) => index(d) === i));
}

function weeklyWords(days: Weekday[]): string {
  if (days.length === 7) return 'Every day';
  const names = days.map((d) => weekdayNames[d]);
  const listed = names.length > 1 ? `${names.slice(0, -1).join(', ')} and ${names.at(-1)}` : names[0];
  return `Every ${listed}`;
}

function ordinal(n: number): string {
  const tens = n % 100;
  const suffix = tens >= 11 && tens <= 13 ? 'th' : (['th', 'st', 'nd', 'rd'][n % 10] ?? 'th');
  return `${n}${suffix}`;
}

// ---- Wall clock and instants, through Intl (the server's own timezone never matters). ----

const pad = (n: number) => String(n).padStart(2, '0');

const partsFormatters = new Map<string, Intl.DateTimeFormat>();
function partsIn(at: Date, timezone: string): Record<string, string> {
  let f = partsFormatters.get(timezone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: timezone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    partsFormatters.set(timezone, f);
  }
  return Object.fromEntries(f.formatToParts(at).map((p) => [p.type, p.value]));
}

/** The local date and time at `at` in `timezone`, as a Date whose UTC fields are those (rrule's floating time). */
function wallOf(at: Date, timezone: string): Date {
  const p = partsIn(at, timezone);
  return new Date(Date.UTC(+p.year!, +p.month! - 1, +p.day!, +p.hour!, +p.minute!, +p.second!));
}

/** How far `timezone`'s clock is ahead of UTC at `at`, in ms. */
const offsetAt = (at: number, timezone: string) =>
  wallOf(new Date(at), timezone).getTime() - Math.floor(at / 1000) * 1000;

/**
 * The instant when the wall clock in `timezone` reads `wall`. A time the clocks skip (02:30 as they go forward) is
 * read with the offset before the change, so it lands an hour later (03:30); a time they pass twice (01:30 as they
 * go back) is the first of the two.
 */
export function instantOf(wall: Date, timezone: string): Date {
  const w = wall.getTime();
  // Offsets on either side of any change near this wall time (none is more than 14 hours from UTC).
  const before = offsetAt(w - 14 * 3_600_000, timezone);
  const after = offsetAt(w + 14 * 3_600_000, timezone);
  const fits = [before, after].map((o) => w - o).filter((t) => offsetAt(t, timezone) === w - t);
  return new Date(fits.length > 0 ? Math.min(...fits) : w - before);
}

/** The wall-clock Date for a calendar date ("2027-06-30") and a minute and second of that day. */
export function wallDate(date: string, minuteOfDay: number, second = 0): Date {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d, Math.floor(minuteOfDay / 60), minuteOfDay % 60, second));
}

/** Today's date in `timezone`, "2026-07-15". */
export const todayIn = (timezone: string, now = new Date()) => wallOf(now, timezone).toISOString().slice(0, 10);

/** The calendar date `days` after `date` ("2026-07-15" + 365). */
export const addDays = (date: string, days: number) =>
  new Date(wallDate(date, 0).getTime() + days * DAY_MS).toISOString().slice(0, 10);

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

/** "30 Jun 2027": the day `at` falls on in `timezone`. */
export function dayLabel(at: Date, timezone: string): string {
  const w = wallOf(at, timezone);
  return `${w.getUTCDate()} ${MONTHS[w.getUTCMonth()]} ${w.getUTCFullYear()}`;
}

/** "Sat 3 Jul 2027, 17:00": an occurrence in the church's time (the same words on server and page). */
export function occurrenceLabel(at: Date, timezone: string): string {
  const w = wallOf(at, timezone);
  return `${DAYS[w.getUTCDay()]} ${dayLabel(at, timezone)}, ${pad(w.getUTCHours())}:${pad(w.getUTCMinutes())}`;
}

/** The UNTIL text for an instant: "20270701T035959Z". */
function untilText(at: Date): string {
  return at
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z')
    .replace(/[-:]/g, '');
}
