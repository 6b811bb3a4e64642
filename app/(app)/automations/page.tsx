import type { Metadata } from 'next';
import { HydrateClient, prefetch, trpc } from '../../_lib/trpc-server';
import { PageHeading } from '../../_components/ui';
import { SequencesList } from './sequences-list';

export const metadata: Metadata = { title: 'Automations' };

const description =
  'Sequences: follow-up texts that send themselves, like a welcome today and a note from the pastor in two days.';

export default async function AutomationsPage() {
  // The list, and the keywords and date fields its triggers name.
  await prefetch(
    trpc.sequences.list.queryOptions(),
    trpc.keywords.list.queryOptions(),
    trpc.customFields.list.queryOptions(),
  );
  return (
    <>
      <PageHeading title="Automations" description={description} />
      <HydrateClient>
        <SequencesList />
      </HydrateClient>
    </>
  );
}
