import type { Metadata } from 'next';
import { can } from '@/server/auth/permissions';
import { HydrateClient, prefetch, trpc } from '../../_lib/trpc-server';
import { requireViewer } from '../../_lib/viewer';
import { BackLink, PageHeading } from '../../_components/ui';
import { GetReady } from './get-ready';

export const metadata: Metadata = { title: 'Get ready to text' };

const description =
  'US carriers block texts from numbers they do not know. Tell them who your church is and what it texts, once, ' +
  'and your number can text anyone in the US.';

/** The owner's checklist and form for registering the church's numbers with US carriers (10DLC, toll-free). */
export default async function GetReadyPage() {
  const viewer = await requireViewer();
  // Only the owner may read the registration (it carries the church's EIN); nobody else asks for it.
  if (can(viewer.role, 'registration.manage')) await prefetch(trpc.registration.get.queryOptions());

  return (
    <>
      <PageHeading title="Get ready to text" description={description} />
      <HydrateClient>
        <GetReady />
      </HydrateClient>
      <p className="mt-6 text-sm">
        <BackLink href="/settings">Back to Settings</BackLink>
      </p>
    </>
  );
}
