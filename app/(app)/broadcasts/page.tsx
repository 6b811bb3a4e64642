import type { Metadata } from 'next';
import { can } from '@/server/auth/permissions';
import { HydrateClient, prefetch, trpc } from '../../_lib/trpc-server';
import { requireViewer } from '../../_lib/viewer';
import { PageHeading } from '../../_components/ui';
import { broadcastsInput, firstPreviewInput, nextCursor } from '../first-queries';
import { Broadcasts } from './broadcasts';

export const metadata: Metadata = { title: 'Broadcasts' };

const description =
  'One text to many members: everyone, a branch, a tag, a saved segment or an audience you build. Only members who ' +
  'opted in receive it.';

export default async function BroadcastsPage() {
  const viewer = await requireViewer();
  await prefetch(
    trpc.broadcasts.list.infiniteQueryOptions(broadcastsInput, { getNextPageParam: nextCursor }),
    // Repeating broadcasts (everyone sees them), and the church's today for the compose form's repeat.
    trpc.broadcasts.series.queryOptions(),
    // The compose form (admins and the owner): its first recipient count and the trial's allowance.
    ...(can(viewer.role, 'broadcasts.manage')
      ? [trpc.broadcasts.preview.queryOptions(firstPreviewInput), trpc.billing.allowance.queryOptions()]
      : []),
  );
  return (
    <>
      <PageHeading title="Broadcasts" description={description} />
      <HydrateClient>
        <Broadcasts />
      </HydrateClient>
    </>
  );
}
