'use client';

import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { ConfirmDialog } from '../../_components/confirm-dialog';
import { errorMessage } from '../../_components/errors';
import { useCustomFields } from '../../_components/use-merge-check';
import { useDialogState } from '../../_components/use-dialog-state';
import { Alert, Button, Loading, Panel, StatusNotice } from '../../_components/ui';
import { useTRPC } from '../../trpc';
import { useCan } from '../viewer-context';
import { CustomFieldDialog } from './custom-field-dialog';
import { CustomFieldRow, type CustomFieldItem } from './custom-field-row';

/**
 * The church's own member fields (a baptism date, a ministry team): kept on each member, filled in as merge fields,
 * used in audiences. Admins and the owner define them; staff see the list. Not the shared ListManager: on a page of
 * panels, the "Add" button and what was done belong inside this one.
 */
export function CustomFields() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const canManage = useCan('customFields.manage');
  const list = useCustomFields();
  const [status, setStatus] = useState('');
  const dialog = useDialogState<CustomFieldItem>();
  const [deleting, setDeleting] = useState<CustomFieldItem | null>(null);
  const changed = () => void queryClient.invalidateQueries({ queryKey: trpc.customFields.pathKey() });
  const removal = useMutation(
    trpc.customFields.delete.mutationOptions({
      onSuccess: () => {
        setStatus(`${deleting?.label ?? 'The field'} was deleted.`);
        setDeleting(null);
        changed();
      },
    }),
  );
  const fields = list.data ?? [];

  return (
    <Panel
      id="member-fields"
      title="Member fields"
      description={
        'What else your church keeps about each person, like a baptism date or a ministry team. Each is on the ' +
        'member form and can be used in texts as a merge field.' +
        (canManage ? '' : ' Only admins and the owner add or change them.')
      }
    >
      <div className="space-y-4">
        <StatusNotice message={status} />
        {canManage && (
          <Button size="sm" onClick={() => dialog.show(null)}>
            Add field
          </Button>
        )}
        {list.isPending ? (
          <Loading label="Loading member fields…" />
        ) : list.error ? (
          <Alert>{errorMessage(list.error)}</Alert>
        ) : fields.length === 0 ? (
          <p className="text-sm text-slate-600">No member fields yet.</p>
        ) : (
          <ul className="divide-y divide-slate-100" aria-label="Member fields">
            {fields.map((f) => (
              <CustomFieldRow key={f.id} field={f} canManage={canManage} onEdit={dialog.show} onDelete={setDeleting} />
            ))}
          </ul>
        )}
      </div>
      {canManage && (
        <CustomFieldDialog
          key={dialog.key}
          open={dialog.open}
          field={dialog.item}
          onClose={dialog.close}
          onSaved={(message) => {
            dialog.close();
            setStatus(message);
            changed();
          }}
        />
      )}
      <ConfirmDialog
        open={!!deleting}
        title={`Delete ${deleting?.label ?? 'field'}?`}
        confirmLabel="Delete"
        pending={removal.isPending}
        error={removal.error}
        onCancel={() => {
          setDeleting(null);
          removal.reset();
        }}
        onConfirm={() => deleting && removal.mutate({ id: deleting.id })}
      >
        <p>
          Every member’s value for it is deleted too, and texts can no longer use{' '}
          <code>{deleting ? `{${deleting.key}}` : 'it'}</code>. This cannot be undone.
        </p>
      </ConfirmDialog>
    </Panel>
  );
}
