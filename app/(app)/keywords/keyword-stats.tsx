'use client';

import { useQuery } from '@tanstack/react-query';
import { BarChart } from '../../_components/bar-chart';
import { Figure } from '../../_components/figure';
import { errorMessage } from '../../_components/errors';
import { formatDate } from '../../_components/time';
import { Alert, Loading } from '../../_components/ui';
import { useTRPC } from '../../trpc';

const series = [
  { key: 'uses', label: 'Uses', colour: 'bg-brand-600' },
  { key: 'newMembers', label: 'New members', colour: 'bg-emerald-500' },
] as const;

const OUTCOMES = [
  { key: 'joined', label: 'Joined' },
  { key: 'already_subscribed', label: 'Already subscribed' },
  { key: 'opted_out', label: 'Had opted out' },
] as const;

/** Days arrive as the church's calendar dates (YYYY-MM-DD); read at noon UTC so no browser timezone shifts the date. */
const dayLabel = (day: string, opts: Intl.DateTimeFormatOptions) =>
  formatDate(`${day}T12:00:00Z`, { timeZone: 'UTC', ...opts });

const count = (n: number | undefined) => (n ?? 0).toLocaleString();

/** One keyword's last 30 days: uses and new members per day (bars, with a table for screen readers), and all time. */
export function KeywordStats({ id, word }: { id: string; word: string }) {
  const trpc = useTRPC();
  const stats = useQuery(trpc.keywords.stats.queryOptions({ id }));
  if (stats.isPending) return <Loading label={`Loading how ${word} is doing…`} />;
  if (stats.error) return <Alert>{errorMessage(stats.error)}</Alert>;
  const { days, uses30d, newMembers30d, allTime } = stats.data;
  const rows = days.map((d) => ({
    label: dayLabel(d.day, { weekday: 'short', month: 'short', day: 'numeric' }),
    shortLabel: dayLabel(d.day, { month: 'short', day: 'numeric' }),
    uses: d.uses,
    newMembers: d.newMembers,
  }));
  return (
    <div className="space-y-4" data-testid="keyword-stats">
      <dl className="grid grid-cols-2 gap-3 text-sm sm:grid-cols-3 lg:grid-cols-5">
        <Figure label="Uses, 30 days" value={count(uses30d)} testId="stats-uses" />
        <Figure label="New members, 30 days" value={count(newMembers30d)} testId="stats-new-members" />
        {OUTCOMES.map((o) => (
          <Figure key={o.key} label={`${o.label}, all time`} value={count(allTime[o.key])} />
        ))}
      </dl>
      <BarChart
        caption={`Texts of ${word} per day, last 30 days`}
        rows={rows}
        series={[...series]}
        testId="keyword-chart"
      />
      {uses30d === 0 && <p className="text-sm text-slate-500">Nobody has texted {word} in the last 30 days.</p>}
    </div>
  );
}
