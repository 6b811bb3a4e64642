'use client';

import { useQueryClient } from '@tanstack/react-query';
import { ListManager } from '../../_components/list-manager';
import { useCustomFields } from '../../_components/use-merge-check';
import { useTRPC } from '../../trpc';
import { useCan } from '../viewer-context';
import { CustomFieldDialog } from './custom-field-dialog';
import { CustomFieldRow } from './custom-field-row';

/**
 * The church's own member fields (a baptism date, a ministry team): kept on each member, filled in as merge fields,
 * used in audiences. Admins and the owner define them; staff see the list. One panel of the Settings page.
 */
export function CustomFields() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const canManage = useCan('customFields.manage');
  return (
    <ListManager
      noun="field"
      title="Member fields"
      panel={{
        id: 'member-fields',
        description:
          'What else your church keeps about each person, like a baptism date or a ministry team. Each is on the ' +
          'member form and can be used in texts as a merge field.' +
          (canManage ? '' : ' Only admins and the owner add or change them.'),
      }}
      list={useCustomFields()}
      canManage={canManage}
      nameOf={(f) => f.label}
      empty={{
        title: 'No member fields yet.',
        manager: 'Add what your church keeps about each person, then fill it in on the member.',
        viewer: 'An admin can add them here.',
      }}
      renderItem={(f, { edit, remove }) => (
        <CustomFieldRow key={f.id} field={f} canManage={canManage} onEdit={edit} onDelete={remove} />
      )}
      renderDialog={(d) => (
        <CustomFieldDialog key={d.key} open={d.open} field={d.item} onClose={d.onClose} onSaved={d.onSaved} />
      )}
      remove={trpc.customFields.delete.mutationOptions()}
      deleteNote={(f) => (
        <>
          Every member’s value for it is deleted too, and texts can no longer use <code>{f ? `{${f.key}}` : 'it'}</code>
          . This cannot be undone.
        </>
      )}
      onChanged={() => void queryClient.invalidateQueries({ queryKey: trpc.customFields.pathKey() })}
    />
  );
}
