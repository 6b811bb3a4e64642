'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { useState } from 'react';
import { ConfirmDialog } from '../../_components/confirm-dialog';
import { errorMessage } from '../../_components/errors';
import { Alert, Button, Loading, Panel, StatusNotice } from '../../_components/ui';
import { useDialogState } from '../../_components/use-dialog-state';
import { useTRPC } from '../../trpc';
import type { BranchItem } from '../members/types';
import { useCan } from '../viewer-context';
import { BranchDialog } from './branch-dialog';
import { EditDeleteButtons } from '../../_components/edit-delete';

const plural = (n: number) => `${n.toLocaleString()} ${n === 1 ? 'member' : 'members'}`;

/** The branches with their member counts; admins add, edit and delete them (staff see the list). */
export function BranchesManager() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const canManage = useCan('branches.manage');
  const list = useQuery(trpc.branches.list.queryOptions());
  const [status, setStatus] = useState('');
  const dialog = useDialogState<BranchItem>();
  const [deleting, setDeleting] = useState<BranchItem | null>(null);
  const refresh = () => {
    void queryClient.invalidateQueries({ queryKey: trpc.branches.pathKey() });
    void queryClient.invalidateQueries({ queryKey: trpc.members.pathKey() });
  };
  const remove = useMutation(
    trpc.branches.delete.mutationOptions({
      onSuccess: () => {
        setStatus(
          `${deleting?.name ?? 'The branch'} was deleted. Its members are still in your list, without a branch.`,
        );
        setDeleting(null);
        refresh();
      },
    }),
  );

  return (
    <div className="space-y-6">
      <StatusNotice message={status} />
      {canManage && <Button onClick={() => dialog.show(null)}>Add branch</Button>}

      <Panel id="branches" title="Branches">
        {list.isPending ? (
          <Loading label="Loading branches…" />
        ) : list.error ? (
          <Alert>{errorMessage(list.error)}</Alert>
        ) : list.data.length === 0 ? (
          <div className="rounded-xl border border-dashed border-slate-300 p-6 text-center">
            <p className="font-medium text-slate-900">No branches yet</p>
            <p className="mt-1 text-sm text-slate-600">
              {canManage
                ? 'If your church meets in more than one place, add each campus here. ' +
                  'Then give members a branch, or use a branch column when you import them.'
                : 'An admin can add your church’s campuses here.'}
            </p>
            {canManage && (
              <Button className="mt-4" size="sm" onClick={() => dialog.show(null)}>
                Add your first branch
              </Button>
            )}
          </div>
        ) : (
          <ul className="divide-y divide-slate-100" aria-label="Branches">
            {list.data.map((b) => (
              <li
                key={b.id}
                data-testid="branch"
                className="flex flex-col gap-2 py-3 sm:flex-row sm:items-center sm:justify-between"
              >
                <div className="min-w-0">
                  <p className="font-medium text-slate-900">{b.name}</p>
                  <p className="text-sm text-slate-600">
                    {[b.address, b.timezone.replace(/_/g, ' ')].filter(Boolean).join(' · ')}
                  </p>
                  <Link
                    href={`/members?branch=${b.id}`}
                    aria-label={`${plural(b.memberCount)} in ${b.name}`}
                    className="text-sm text-brand-600 underline-offset-2 hover:underline"
                  >
                    {plural(b.memberCount)}
                  </Link>
                </div>
                {canManage && (
                  <div className="flex gap-2">
                    <EditDeleteButtons name={b.name} onEdit={() => dialog.show(b)} onDelete={() => setDeleting(b)} />
                  </div>
                )}
              </li>
            ))}
          </ul>
        )}
      </Panel>

      {canManage && (
        <BranchDialog
          key={dialog.key}
          open={dialog.open}
          branch={dialog.item}
          onClose={dialog.close}
          onSaved={(message) => {
            dialog.close();
            setStatus(message);
            refresh();
          }}
        />
      )}
      <ConfirmDialog
        open={!!deleting}
        title={deleting ? `Delete ${deleting.name}?` : 'Delete branch?'}
        confirmLabel="Delete"
        pending={remove.isPending}
        error={remove.error}
        onCancel={() => {
          setDeleting(null);
          remove.reset();
        }}
        onConfirm={() => deleting && remove.mutate({ id: deleting.id })}
      >
        <p>
          {deleting && deleting.memberCount > 0
            ? `Its ${plural(deleting.memberCount)} stay in your list, without a branch.`
            : 'No members belong to it.'}
        </p>
      </ConfirmDialog>
    </div>
  );
}
