import type { Metadata } from 'next';
import { can } from '@/server/auth/permissions';
import { HydrateClient, prefetch } from '../../../_lib/trpc-server';
import { requireViewer } from '../../../_lib/viewer';
import { BackLink, PageHeading } from '../../../_components/ui';
import { AdminsOnly } from '../admins-only';
import { SequenceForm } from '../sequence-form';
import { formQueries } from '../form-queries';

export const metadata: Metadata = { title: 'New sequence' };

const description = 'What starts it, then each text and how long to wait before it.';

export default async function NewSequencePage() {
  const viewer = await requireViewer();
  const canManage = can(viewer.role, 'sequences.manage');
  if (canManage) await prefetch(...formQueries());
  return (
    <>
      <p className="mb-3 text-sm">
        <BackLink href="/automations">All automations</BackLink>
      </p>
      <PageHeading title="New sequence" description={description} />
      {canManage ? (
        <HydrateClient>
          <SequenceForm sequence={null} />
        </HydrateClient>
      ) : (
        <AdminsOnly title="Admins build sequences" />
      )}
    </>
  );
}
