import type { Metadata } from 'next';
import Link from 'next/link';
import { can } from '@/server/auth/permissions';
import { HydrateClient, prefetch } from '../../../_lib/trpc-server';
import { requireViewer } from '../../../_lib/viewer';
import { PageHeading } from '../../../_components/ui';
import { AdminsOnly } from '../admins-only';
import { textLink } from '../labels';
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
        <Link href="/automations" className={textLink}>
          ← All automations
        </Link>
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
