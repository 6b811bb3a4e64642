'use client';

import { useQuery } from '@tanstack/react-query';
import { BarChart } from '../../_components/bar-chart';
import { Figure } from '../../_components/figure';
import { errorMessage } from '../../_components/errors';
import { formatDate } from '../../_components/time';
import { useHydrated } from '../../_components/use-browser';
import { Alert, Loading, Panel } from '../../_components/ui';
import { useTRPC } from '../../trpc';
import type { CardWeek } from './types';

const series = [
  { key: 'cards', label: 'Cards', colour: 'bg-brand-600' },
  { key: 'firstVisits', label: 'First visits', colour: 'bg-emerald-500' },
] as const;

/** Weeks start on the church's calendar dates (YYYY-MM-DD); read at noon UTC so no browser timezone shifts them. */
const dayLabel = (day: string, opts: Intl.DateTimeFormatOptions) =>
  formatDate(`${day}T12:00:00Z`, { timeZone: 'UTC', ...opts });

/** Cards sent in over the last twelve weeks, week by week (bars, with a table for screen readers), and in all. */
export function CardWeeks() {
  const trpc = useTRPC();
  const weeks = useQuery(trpc.connectCard.weeks.queryOptions());
  return (
    <Panel id="card-weeks" title="Cards sent in" description="The last 12 weeks, in your church’s timezone.">
      {weeks.isPending ? (
        <Loading label="Loading the weekly counts…" />
      ) : weeks.error ? (
        <Alert>{errorMessage(weeks.error)}</Alert>
      ) : (
        <WeeksChart weeks={weeks.data} />
      )}
    </Panel>
  );
}

/**
 * The server render and hydration write the weeks as ISO dates and the totals unformatted (the server cannot know the
 * reader's language); the browser's own formatting follows at once.
 */
function WeeksChart({ weeks }: { weeks: CardWeek[] }) {
  const hydrated = useHydrated();
  const day = (d: string, opts: Intl.DateTimeFormatOptions) => (hydrated ? dayLabel(d, opts) : d);
  const count = (n: number) => (hydrated ? n.toLocaleString() : String(n));
  const rows = weeks.map((w) => ({
    label: `Week of ${day(w.weekOf, { month: 'short', day: 'numeric', year: 'numeric' })}`,
    shortLabel: day(w.weekOf, { month: 'short', day: 'numeric' }),
    cards: w.cards,
    firstVisits: w.firstVisits,
  }));
  const cards = weeks.reduce((n, w) => n + w.cards, 0);
  const firstVisits = weeks.reduce((n, w) => n + w.firstVisits, 0);
  return (
    <div className="space-y-4">
      <dl className="grid grid-cols-2 gap-3 text-sm sm:max-w-md">
        <Figure label="Cards, 12 weeks" value={count(cards)} testId="card-total" />
        <Figure label="First visits, 12 weeks" value={count(firstVisits)} testId="card-first-visits" />
      </dl>
      <BarChart
        caption="Connect cards sent in per week, last 12 weeks"
        rows={rows}
        series={[...series]}
        rowHeader="Week"
        testId="card-chart"
      />
      {cards === 0 && (
        <p className="text-sm text-slate-500">No cards yet. Once people fill in the card, each week shows here.</p>
      )}
    </div>
  );
}
