import type { Metadata } from 'next';
import { HydrateClient, prefetch, trpc } from '../../_lib/trpc-server';
import { PageHeading } from '../../_components/ui';
import { SegmentsManager } from './segments-manager';

export const metadata: Metadata = { title: 'Segments' };

const description =
  'Saved audiences: members by branch, tags, a recent first visit, subscription and your own fields. Send a ' +
  'broadcast to one, or see who is in it.';

export default async function SegmentsPage() {
  // The list and what its words name (branches, fields); the builder's tags come when a dialog opens.
  await prefetch(
    trpc.segments.list.queryOptions(),
    trpc.branches.list.queryOptions(),
    trpc.customFields.list.queryOptions(),
  );
  return (
    <>
      <PageHeading title="Segments" description={description} />
      <HydrateClient>
        <SegmentsManager />
      </HydrateClient>
    </>
  );
}
