'use client';

import { useQuery, useQueryClient } from '@tanstack/react-query';
import { ListManager } from '../../_components/list-manager';
import { useTRPC } from '../../trpc';
import { useCan } from '../viewer-context';
import { TemplateDialog } from './template-dialog';
import { TemplateRow } from './template-row';

/** The church's saved messages; admins and the owner add, edit and delete them (staff see the list). */
export function TemplatesManager() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const canManage = useCan('templates.manage');
  return (
    <ListManager
      noun="template"
      title="Your templates"
      list={useQuery(trpc.templates.list.queryOptions())}
      canManage={canManage}
      nameOf={(t) => t.name}
      empty={{
        manager:
          'Save the texts you send often, like a welcome or a Sunday reminder, so anyone on the team can insert ' +
          'them in a couple of taps, with each person’s name filled in.',
        viewer:
          'An admin can save texts here that you send often, like a welcome or a Sunday reminder, for anyone on the ' +
          'team to insert.',
      }}
      renderItem={(t, { edit, remove }) => (
        <TemplateRow key={t.id} template={t} canManage={canManage} onEdit={edit} onDelete={remove} />
      )}
      renderDialog={(d) => (
        <TemplateDialog key={d.key} open={d.open} template={d.item} onClose={d.onClose} onSaved={d.onSaved} />
      )}
      remove={trpc.templates.delete.mutationOptions()}
      deleteNote={() =>
        'It will no longer be offered when anyone writes a text. Messages already sent with it keep their words.'
      }
      onChanged={() => void queryClient.invalidateQueries({ queryKey: trpc.templates.pathKey() })}
    />
  );
}
