import type { Metadata } from 'next';
import { connection } from 'next/server';
import { Suspense } from 'react';
import { getServices } from '@/server/services';
import { Loading, PageHeading } from '../../_components/ui';
import { Inbox } from './inbox';

export const metadata: Metadata = { title: 'Inbox' };

export default async function InboxPage() {
  await connection(); // per request: the simulate flag comes from this server's configuration
  // Simulated replies need the local signing key, which exists only without a Telnyx account (the local outbox).
  const canSimulate = getServices().messaging.signingKey !== null;
  return (
    <>
      <PageHeading title="Inbox" description="Every text conversation with your members, shared by your whole team." />
      <Suspense fallback={<Loading label="Loading the inbox…" />}>
        <Inbox canSimulate={canSimulate} />
      </Suspense>
    </>
  );
}
