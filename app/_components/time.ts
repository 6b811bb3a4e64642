/**
 * Dates as the person reading them expects, in the browser's own timezone. Data can arrive with the page, so a page
 * shows them through <LocalTime> (local-time.tsx), which writes them only once hydrated: server and browser renders
 * never disagree.
 */
const sameDay = (a: Date, b: Date) => a.toDateString() === b.toDateString();

const formatters = new Map<string, Intl.DateTimeFormat>();
/**
 * `toLocaleString(undefined, opts)` through one Intl.DateTimeFormat per set of options: building a formatter costs
 * far more than using one, and a list or a chart formats dozens of dates as it renders.
 */
export function formatDate(value: Date | string, opts: Intl.DateTimeFormatOptions): string {
  const key = JSON.stringify(opts);
  let formatter = formatters.get(key);
  if (!formatter) formatters.set(key, (formatter = new Intl.DateTimeFormat(undefined, opts)));
  return formatter.format(new Date(value));
}

/** "3 Nov 2025" (in the reader's language): when something was added or sent. */
export const shortDate = (d: Date | string) => formatDate(d, { day: 'numeric', month: 'short', year: 'numeric' });
/** "November 3, 2025": billing dates. */
export const longDate = (d: Date | string) => formatDate(d, { month: 'long', day: 'numeric', year: 'numeric' });

/** Short, for lists: "3:04 PM" today, "Mon 3:04 PM" this week, "Nov 3" this year, "Nov 3, 2025" before. */
export function shortWhen(value: Date | string, now = new Date()): string {
  const d = new Date(value);
  const time = formatDate(d, { hour: 'numeric', minute: '2-digit' });
  if (sameDay(d, now)) return time;
  const days = (now.getTime() - d.getTime()) / 86_400_000;
  if (days > 0 && days < 6) return `${formatDate(d, { weekday: 'short' })} ${time}`;
  if (d.getFullYear() === now.getFullYear()) return formatDate(d, { month: 'short', day: 'numeric' });
  return formatDate(d, { month: 'short', day: 'numeric', year: 'numeric' });
}

/**
 * Full, for titles, confirmations and anything scheduled: "Mon, Nov 3, 2025, 3:04 PM EST". With its timezone, because
 * a team may sit in several and a broadcast goes out at one moment for all of them. `timeZone`: a church's clock
 * instead of the reader's (the activity log), so every reader sees the same time.
 */
export function fullWhen(value: Date | string, timeZone?: string): string {
  return formatDate(value, {
    timeZone, // the reader's own when not given
    weekday: 'short',
    month: 'short',
    day: 'numeric',
    year: 'numeric',
    hour: 'numeric',
    minute: '2-digit',
    timeZoneName: 'short',
  });
}

/** The value a datetime-local input shows for `d` in local time, to the second: "2025-11-03T15:04:05". */
export function toLocalInput(d: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  const date = `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
  const time = `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
  return `${date}T${time}`;
}

/**
 * A datetime-local value read as local time (the ECMAScript rule for date-times without an offset), or null when
 * empty or not a date. Parsed by hand so no engine quirk can read it as UTC.
 */
export function fromLocalInput(value: string): Date | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?$/.exec(value);
  if (!m) return null;
  const [, y, mo, d, h, mi, s] = m;
  const date = new Date(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s ?? 0));
  return Number.isNaN(date.getTime()) ? null : date;
}
