import type { Metadata } from 'next';
import { HydrateClient, prefetch, trpc } from '../../_lib/trpc-server';
import { PageHeading } from '../../_components/ui';
import { branchParam, membersInput, nextCursor } from '../first-queries';
import { MembersManager } from './members-manager';

export const metadata: Metadata = { title: 'Members' };

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

export default async function MembersPage({ searchParams }: Props) {
  const { branch } = await searchParams;
  // What MembersManager asks for first: its filter lists, and the first page for the branch in the URL (if any).
  const filters = {
    search: '',
    branchId: branchParam(typeof branch === 'string' ? branch : null),
    tag: '',
    subscription: '' as const,
  };
  await prefetch(
    trpc.branches.list.queryOptions(),
    trpc.members.tags.queryOptions(),
    trpc.members.list.infiniteQueryOptions(membersInput(filters), { getNextPageParam: nextCursor }),
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
