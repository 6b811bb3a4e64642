'use client';

import { useQuery } from '@tanstack/react-query';
import { LocalTime } from '../../_components/local-time';
import { formatDate } from '../../_components/time';
import { useTRPC } from '../../trpc';

/**
 * The church's timezone (Settings), or undefined until it has loaded. A sequence's "at 10:00" is each member's own
 * clock (their branch's timezone, else the church's), so its times read best on the church's clock, whatever the
 * reader's browser says.
 */
export function useChurchTimezone(): string | undefined {
  const trpc = useTRPC();
  const profile = useQuery(trpc.church.profile.queryOptions(undefined, { staleTime: 5 * 60_000 }));
  return profile.data?.church.timezone;
}

/** "Tue, Dec 9, 10:00 AM" on the church's clock (the reader's own until the timezone is known). */
export function ChurchTime({ value, timezone }: { value: Date | string; timezone: string | undefined }) {
  const format = (v: Date | string) =>
    formatDate(v, {
      weekday: 'short',
      month: 'short',
      day: 'numeric',
      hour: 'numeric',
      minute: '2-digit',
      ...(new Date(v).getFullYear() !== new Date().getFullYear() && { year: 'numeric' }),
      timeZone: timezone,
    });
  const full = (v: Date | string) => formatDate(v, { dateStyle: 'full', timeStyle: 'long', timeZone: timezone });
  return <LocalTime value={value} format={format} title={full} />;
}

/** "Times are in America/New_York.": said once beside a list of them. */
export function TimezoneNote({ timezone }: { timezone: string | undefined }) {
  if (!timezone) return null;
  return <p className="text-xs text-slate-500">Times are your church’s ({timezone.replace(/_/g, ' ')}).</p>;
}
