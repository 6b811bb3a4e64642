import type { Metadata } from 'next';
import { HydrateClient, prefetch, trpc } from '../../_lib/trpc-server';
import { PageHeading } from '../../_components/ui';
import { ConnectCardManager } from './connect-card-manager';

export const metadata: Metadata = { title: 'Connect card' };

const description =
  'A public form people fill in on their phone, from a QR code in the bulletin or on screen, to join your list.';

export default async function ConnectCardPage() {
  await prefetch(trpc.connectCard.get.queryOptions(), trpc.connectCard.weeks.queryOptions());
  return (
    <>
      <PageHeading title="Connect card" description={description} />
      <HydrateClient>
        <ConnectCardManager />
      </HydrateClient>
    </>
  );
}
