import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { can } from '@/server/auth/permissions';
import { HydrateClient, prefetch, trpc } from '../../../../_lib/trpc-server';
import { requireViewer } from '../../../../_lib/viewer';
import { BackLink, PageHeading } from '../../../../_components/ui';
import { AdminsOnly } from '../../admins-only';
import { isId } from '../../../inbox/display';
import { EditSequence } from '../../edit-sequence';
import { formQueries } from '../../form-queries';

export const metadata: Metadata = { title: 'Edit sequence' };

type Props = { params: Promise<{ id: string }> };

export default async function EditSequencePage({ params }: Props) {
  const { id } = await params;
  if (!isId(id)) notFound();
  const viewer = await requireViewer();
  const canManage = can(viewer.role, 'sequences.manage');
  if (canManage) await prefetch(trpc.sequences.get.queryOptions({ id }), ...formQueries());
  return (
    <>
      <p className="mb-3 text-sm">
        <BackLink href={`/automations/${id}`}>Back to the sequence</BackLink>
      </p>
      <PageHeading title="Edit sequence" />
      {canManage ? (
        <HydrateClient>
          <EditSequence id={id} />
        </HydrateClient>
      ) : (
        <AdminsOnly title="Admins change sequences" />
      )}
    </>
  );
}
