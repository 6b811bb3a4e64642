import type { Metadata } from 'next';
import { HydrateClient, prefetch, trpc } from '../../_lib/trpc-server';
import { PageHeading } from '../../_components/ui';
import { TemplatesManager } from './templates-manager';

export const metadata: Metadata = { title: 'Templates' };

const description =
  'Saved messages your team can insert from the inbox, broadcasts and keyword replies, with merge fields filled in ' +
  'for each person.';

export default async function TemplatesPage() {
  await prefetch(trpc.templates.list.queryOptions());
  return (
    <>
      <PageHeading title="Templates" description={description} />
      <HydrateClient>
        <TemplatesManager />
      </HydrateClient>
    </>
  );
}
