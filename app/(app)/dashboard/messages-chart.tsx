import { BarChart } from '../../_components/bar-chart';
import { formatDate } from '../../_components/time';
import type { RouterOutputs } from '../../_lib/router-types';

type Day = RouterOutputs['dashboard']['summary']['days'][number];

const series = [
  { key: 'sent', label: 'Sent', colour: 'bg-brand-600' },
  { key: 'received', label: 'Received', colour: 'bg-emerald-500' },
  { key: 'failed', label: 'Failed', colour: 'bg-red-500' },
] as const;

/** Days arrive as the church's calendar dates (YYYY-MM-DD); read at noon UTC so no browser timezone shifts the date. */
const dayLabel = (day: string, opts: Intl.DateTimeFormatOptions) =>
  formatDate(`${day}T12:00:00Z`, { timeZone: 'UTC', ...opts });

export function MessagesChart({ days }: { days: Day[] }) {
  const rows = days.map((d) => ({
    label: dayLabel(d.day, { weekday: 'short', month: 'short', day: 'numeric' }),
    shortLabel: dayLabel(d.day, { month: 'short', day: 'numeric' }),
    sent: d.sent,
    received: d.received,
    failed: d.failed,
  }));
  const total = days.reduce((n, d) => n + d.sent + d.received + d.failed, 0);
  return (
    <>
      <BarChart caption="Messages per day, last 30 days" rows={rows} series={[...series]} testId="messages-chart" />
      {total === 0 && (
        <p className="mt-3 text-sm text-slate-500">
          No texts yet. Once you send or receive messages, each day shows here.
        </p>
      )}
    </>
  );
}
