import { gte, sql, type Column } from 'drizzle-orm';

/**
 * Counting by calendar day in the church's timezone (the dashboard's chart, a keyword's stats): `day` is a row's date
 * as YYYY-MM-DD there, `inWindow` keeps the last `days` days including today. Its bound is a timestamptz, so the
 * column's index is usable.
 */
export function dayWindow(column: Column, timezone: string, days: number) {
  const since = sql`date_trunc('day', now() at time zone ${timezone}) - make_interval(days => ${days - 1})`;
  return {
    day: sql<string>`to_char(${column} at time zone ${timezone}, 'YYYY-MM-DD')`,
    inWindow: gte(column, sql`(${since}) at time zone ${timezone}`),
  };
}

/** The last `n` calendar days (YYYY-MM-DD) in `timezone`, oldest first, including today. */
export function lastDays(n: number, timezone: string): string[] {
  const fmt = new Intl.DateTimeFormat('en-CA', {
    timeZone: timezone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  });
  const today = fmt.format(new Date());
  const base = new Date(`${today}T12:00:00Z`);
  return Array.from({ length: n }, (_, i) =>
    new Date(base.getTime() - (n - 1 - i) * 86_400_000).toISOString().slice(0, 10),
  );
}
