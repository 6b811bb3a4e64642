'use client';

import { useQuery } from '@tanstack/react-query';
import { errorMessage } from '../../_components/errors';
import { StatCard } from '../../_components/stat-card';
import { Alert, Loading, Panel } from '../../_components/ui';
import { useTRPC } from '../../trpc';
import { MessagesChart } from './messages-chart';
import { NextSteps } from './next-steps';

/** The cards and the chart, refreshed every half minute so a dashboard left open stays roughly current. */
export function DashboardSummary() {
  const trpc = useTRPC();
  const summary = useQuery(trpc.dashboard.summary.queryOptions(undefined, { refetchInterval: 30_000 }));

  if (summary.isPending) return <Loading label="Loading your church's numbers…" />;
  if (summary.error) return <Alert>{errorMessage(summary.error)}</Alert>;
  const s = summary.data;

  return (
    <div className="space-y-6">
      <NextSteps members={s.members} sent={s.sent30d} />
      <section aria-labelledby="at-a-glance">
        <h2 id="at-a-glance" className="sr-only">
          At a glance
        </h2>
        <dl className="grid grid-cols-2 gap-3 sm:gap-4 lg:grid-cols-5">
          <StatCard
            id="members"
            label="Members"
            value={s.members}
            detail={`${s.subscribed} subscribed · ${s.newThisMonth} new in 30 days`}
            href="/members"
          />
          <StatCard
            id="unread"
            label="Unread conversations"
            value={s.unreadThreads}
            detail={s.unreadThreads ? 'Waiting for a reply' : 'All caught up'}
            href="/inbox"
          />
          <StatCard id="sent" label="Sent, 30 days" value={s.sent30d} detail="Texts that left Steeple" />
          <StatCard id="received" label="Received, 30 days" value={s.received30d} detail="Texts from members" />
          <StatCard
            id="scheduled"
            label="Scheduled broadcasts"
            value={s.scheduledBroadcasts}
            detail={s.scheduledBroadcasts ? 'Waiting to go out' : 'None waiting'}
            href="/broadcasts"
          />
        </dl>
      </section>
      <Panel id="messages-per-day" title="Messages per day" description="The last 30 days, in your church's timezone.">
        <MessagesChart days={s.days} />
      </Panel>
    </div>
  );
}
