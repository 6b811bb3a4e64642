import type { Metadata } from 'next';
import { HydrateClient, prefetch, trpc } from '../../_lib/trpc-server';
import { PageHeading } from '../../_components/ui';
import { BranchesManager } from './branches-manager';

export const metadata: Metadata = { title: 'Branches' };

const description =
  'Your church’s campuses or sites. Each member can belong to one, so you can text a branch on its own.';

export default async function BranchesPage() {
  await prefetch(trpc.branches.list.queryOptions());
  return (
    <>
      <PageHeading title="Branches" description={description} />
      <HydrateClient>
        <BranchesManager />
      </HydrateClient>
    </>
  );
}
