import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { HydrateClient, prefetch, trpc } from '../../../_lib/trpc-server';
import { isId } from '../../inbox/display';
import { SequenceView } from '../sequence-view';
import { BackLink } from '../../../_components/ui';

export const metadata: Metadata = { title: 'Sequence' };

type Props = { params: Promise<{ id: string }> };

/** One sequence: how it is doing step by step, who is going through it, and (for admins) pause, edit, enroll. */
export default async function SequencePage({ params }: Props) {
  const { id } = await params;
  if (!isId(id)) notFound();
  await prefetch(
    trpc.sequences.get.queryOptions({ id }),
    trpc.keywords.list.queryOptions(),
    trpc.customFields.list.queryOptions(),
    trpc.church.profile.queryOptions(),
  );
  return (
    <>
      <p className="mb-3 text-sm">
        <BackLink href="/automations">All automations</BackLink>
      </p>
      <HydrateClient>
        <SequenceView id={id} />
      </HydrateClient>
    </>
  );
}
