'use client';

import { useQuery } from '@tanstack/react-query';
import { useTRPC } from '../trpc';
import { LocalTime } from './local-time';
import { formatDate } from './time';

/**
 * A trial's daily texting allowance, shown beside every way to send once a fifth of it is used: what is left, and
 * when it comes back. Nothing at all for a church without one (paying, or billing off).
 */
export function AllowanceNotice() {
  const trpc = useTRPC();
  const { data } = useQuery(trpc.billing.allowance.queryOptions(undefined, { refetchInterval: 30_000 }));
  if (!data?.limited || data.used < data.limit / 5) return null;
  const resets = <LocalTime value={data.resetsAt} format={resetTime} />;
  const used = data.remaining === 0;
  const colours = used ? 'bg-amber-50 text-amber-900 ring-amber-200' : 'bg-slate-50 text-slate-700 ring-slate-200';
  return (
    <p
      role={used ? 'alert' : undefined}
      data-testid="allowance-notice"
      className={`rounded-lg px-3 py-2 text-sm ring-1 ${colours}`}
    >
      {used ? (
        <>
          Your free trial’s {data.limit.toLocaleString()} text segments for today are used up. Sending resumes {resets},
          or choose a plan in Settings → Billing.
        </>
      ) : (
        <>
          Free trial: {data.remaining.toLocaleString()} of {data.limit.toLocaleString()} text segments left today
          (resets {resets}).
        </>
      )}
    </p>
  );
}

const resetTime = (d: Date | string) => formatDate(d, { weekday: 'short', hour: 'numeric', minute: '2-digit' });
