import type { Metadata } from 'next';
import { HydrateClient, prefetch, trpc } from '../../_lib/trpc-server';
import { PageHeading } from '../../_components/ui';
import { KeywordsManager } from './keywords-manager';

export const metadata: Metadata = { title: 'Keywords' };

const description =
  'People text JOIN (or any keyword you add) to your number: they are subscribed, get its tags, and get its reply.';

export default async function KeywordsPage() {
  await prefetch(trpc.keywords.list.queryOptions());
  return (
    <>
      <PageHeading title="Keywords" description={description} />
      <HydrateClient>
        <KeywordsManager />
      </HydrateClient>
    </>
  );
}
