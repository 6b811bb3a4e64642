import type { Metadata } from 'next';
import { HydrateClient, prefetch, trpc } from '../../_lib/trpc-server';
import { PageHeading } from '../../_components/ui';
import { nextCursor } from '../first-queries';
import { filtersFromUrl, listInput } from './list-input';
import { MembersManager } from './members-manager';

export const metadata: Metadata = { title: 'Members' };

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

export default async function MembersPage({ searchParams }: Props) {
  const params = await searchParams;
  // What MembersManager asks for first: its filter lists, and the first page for the search and filters in the URL.
  const filters = filtersFromUrl((name) => {
    const value = params[name];
    return typeof value === 'string' ? value : null;
  });
  await prefetch(
    trpc.branches.list.queryOptions(),
    trpc.members.tags.queryOptions(),
    trpc.segments.list.queryOptions(),
    trpc.members.list.infiniteQueryOptions(listInput(filters), { getNextPageParam: nextCursor }),
  );
  return (
    <>
      <PageHeading
        title="Members"
        description="The people your church texts: search, add, edit, and import them from a spreadsheet."
      />
      <HydrateClient>
        <MembersManager />
      </HydrateClient>
    </>
  );
}
