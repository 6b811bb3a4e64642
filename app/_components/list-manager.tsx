'use client';

import { useMutation, type UseMutationOptions, type UseQueryResult } from '@tanstack/react-query';
import { useState, type ReactNode } from 'react';
import { ConfirmDialog } from './confirm-dialog';
import { errorMessage } from './errors';
import { Alert, Button, Loading, Panel, StatusNotice } from './ui';
import { useDialogState } from './use-dialog-state';

type Item = { id: string };

/** What a dialog for adding (item null) or editing one item is given. */
export type ItemDialogProps<T> = {
  key: number;
  open: boolean;
  item: T | null;
  onClose: () => void;
  onSaved: (message: string) => void;
};

/**
 * A church's list of things an admin keeps (keywords, templates, segments, member fields): the list in a panel with
 * its empty state, an "Add" button and an add/edit dialog for those allowed, a delete confirmation, and a status line
 * saying what was done.
 * Everyone sees the list; `canManage` (the server's permission table, through useCan) decides the rest.
 */
export function ListManager<T extends Item, E, R, ME>({
  noun,
  title,
  list,
  canManage,
  nameOf,
  empty,
  renderItem,
  renderDialog,
  remove,
  deleteNote,
  onChanged,
  children,
  panel,
}: {
  /** "keyword", "template": the buttons and messages are made from it. */
  noun: string;
  title: string;
  list: UseQueryResult<T[], E>;
  canManage: boolean;
  nameOf: (item: T) => string;
  /** What the empty list says; `title` defaults to "No keywords yet". */
  empty: { title?: string; manager: string; viewer: string };
  renderItem: (item: T, actions: { edit: (item: T) => void; remove: (item: T) => void }) => ReactNode;
  renderDialog: (props: ItemDialogProps<T>) => ReactNode;
  /** The delete procedure's mutation options (`trpc.x.delete.mutationOptions()`). */
  remove: UseMutationOptions<R, ME, { id: string }>;
  deleteNote: (item: T | null) => ReactNode;
  /** After an add, edit or delete: refetch what shows the list. */
  onChanged: () => void;
  /** Shown above the "Add" button (an explanation, say). */
  children?: ReactNode;
  /** When the list is one panel among others on its page: that panel's id and description, the "Add" inside it. */
  panel?: { id: string; description?: string };
}) {
  const [status, setStatus] = useState('');
  const dialog = useDialogState<T>();
  const [deleting, setDeleting] = useState<T | null>(null);
  const removal = useMutation({
    ...remove,
    onSuccess: () => {
      setStatus(`${deleting ? nameOf(deleting) : `The ${noun}`} was deleted.`);
      setDeleting(null);
      onChanged();
    },
  });
  const items = list.data ?? [];
  const plural = `${noun}s`;
  const capitalised = (s: string) => s[0]!.toUpperCase() + s.slice(1);
  const add = canManage && (
    <Button size={panel ? 'sm' : 'md'} onClick={() => dialog.show(null)}>
      Add {noun}
    </Button>
  );

  const content = list.isPending ? (
    <Loading label={`Loading ${panel ? title.toLowerCase() : plural}…`} />
  ) : list.error ? (
    <Alert>{errorMessage(list.error)}</Alert>
  ) : items.length === 0 ? (
    <div className="rounded-xl border border-dashed border-slate-300 p-6 text-center">
      <p className="font-medium text-slate-900">{empty.title ?? `No ${plural} yet`}</p>
      <p className="mt-1 text-sm text-slate-600">{canManage ? empty.manager : empty.viewer}</p>
      {canManage && (
        <Button className="mt-4" size="sm" onClick={() => dialog.show(null)}>
          Add your first {noun}
        </Button>
      )}
    </div>
  ) : (
    <ul
      className={panel ? 'divide-y divide-slate-100' : '-my-4 divide-y divide-slate-100'}
      aria-label={panel ? title : capitalised(plural)}
    >
      {items.map((item) => renderItem(item, { edit: dialog.show, remove: setDeleting }))}
    </ul>
  );

  const dialogs = (
    <>
      {canManage &&
        renderDialog({
          key: dialog.key,
          open: dialog.open,
          item: dialog.item,
          onClose: dialog.close,
          onSaved: (message) => {
            dialog.close();
            setStatus(message);
            onChanged();
          },
        })}
      <ConfirmDialog
        open={!!deleting}
        title={deleting ? `Delete ${nameOf(deleting)}?` : `Delete ${noun}?`}
        confirmLabel="Delete"
        pending={removal.isPending}
        error={removal.error}
        onCancel={() => {
          setDeleting(null);
          removal.reset();
        }}
        onConfirm={() => deleting && removal.mutate({ id: deleting.id })}
      >
        <p>{deleteNote(deleting)}</p>
      </ConfirmDialog>
    </>
  );

  // One section of a page of panels (Settings): the status and "Add" inside the panel.
  if (panel)
    return (
      <Panel id={panel.id} title={title} description={panel.description}>
        <div className="space-y-4">
          <StatusNotice message={status} />
          {children}
          {add}
          {content}
        </div>
        {dialogs}
      </Panel>
    );
  return (
    <div className="space-y-6">
      <StatusNotice message={status} />
      {children}
      {add}
      <Panel id={plural} title={title}>
        {content}
      </Panel>
      {dialogs}
    </div>
  );
}
