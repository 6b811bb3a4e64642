'use client';

import { useQuery, useQueryClient } from '@tanstack/react-query';
import { ListManager } from '../../_components/list-manager';
import { useTRPC } from '../../trpc';
import { useCan } from '../viewer-context';
import { SegmentDialog } from './segment-dialog';
import { SegmentRow } from './segment-row';

/** The church's saved audiences; admins and the owner add, edit and delete them (staff see and use them). */
export function SegmentsManager() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const canManage = useCan('segments.manage');
  return (
    <ListManager
      noun="segment"
      title="Your segments"
      list={useQuery(trpc.segments.list.queryOptions())}
      canManage={canManage}
      nameOf={(s) => s.name}
      empty={{
        manager:
          'Save the audiences you text often, like “Youth parents” or “Guests this month”, to send a broadcast to ' +
          'them or see who is in them in a click.',
        viewer: 'An admin can save audiences here, like “Youth parents”, for anyone on the team to see who is in them.',
      }}
      renderItem={(s, { edit, remove }) => (
        <SegmentRow key={s.id} segment={s} words={s.summary} canManage={canManage} onEdit={edit} onDelete={remove} />
      )}
      renderDialog={(d) => (
        <SegmentDialog key={d.key} open={d.open} segment={d.item} onClose={d.onClose} onSaved={d.onSaved} />
      )}
      remove={trpc.segments.delete.mutationOptions()}
      deleteNote={() =>
        'Members stay as they are. Broadcasts already sent to it keep their own copy of its conditions.'
      }
      onChanged={() => void queryClient.invalidateQueries({ queryKey: trpc.segments.pathKey() })}
    />
  );
}
