'use client';

import { useQuery } from '@tanstack/react-query';
import { ErrorNotice } from '../../_components/error-notice';
import { Loading } from '../../_components/ui';
import { useTRPC } from '../../trpc';
import { SequenceForm } from './sequence-form';

/** The form, filled in with the sequence as saved (read once: a refetch must not reset what is being typed). */
export function EditSequence({ id }: { id: string }) {
  const trpc = useTRPC();
  const sequence = useQuery(
    trpc.sequences.get.queryOptions({ id }, { refetchOnWindowFocus: false, refetchOnReconnect: false }),
  );
  if (sequence.isPending) return <Loading label="Loading the sequence…" />;
  if (sequence.error) return <ErrorNotice error={sequence.error} />;
  return <SequenceForm sequence={sequence.data} />;
}
