import type { Metadata } from 'next';
import { can } from '@/server/auth/permissions';
import { HydrateClient, prefetch, trpc } from '../../_lib/trpc-server';
import { requireViewer } from '../../_lib/viewer';
import { NotAllowed } from '../not-allowed';
import { PageHeading } from '../../_components/ui';
import { nextCursor } from '../first-queries';
import { ActivityLog } from './activity-log';
import { activityInput, filtersFromUrl } from './input';

export const metadata: Metadata = { title: 'Activity' };
const WHAT = 'sign-ins, the team, broadcasts, exports, numbers, settings, billing and security.';

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

export default async function ActivityPage({ searchParams }: Props) {
  const viewer = await requireViewer();
  if (!can(viewer.role, 'activity.view')) {
    return <NotAllowed title="Activity" who="Only your church's owner and admins can see the activity log." />;
  }
  const params = await searchParams;
  const filters = filtersFromUrl((name) => {
    const value = params[name];
    return typeof value === 'string' ? value : null;
  });
  await prefetch(
    trpc.church.profile.queryOptions(),
    trpc.church.admins.queryOptions(),
    trpc.activity.list.infiniteQueryOptions(activityInput(filters), { getNextPageParam: nextCursor }),
  );
  return (
    <>
      <PageHeading title="Activity" description={`Who did what in ${viewer.churchName}, and when: ${WHAT}`} />
      <HydrateClient>
        <ActivityLog />
      </HydrateClient>
    </>
  );
}
