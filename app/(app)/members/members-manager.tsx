'use client';

import { keepPreviousData, useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { ConfirmDialog } from '../../_components/confirm-dialog';
import { errorMessage } from '../../_components/errors';
import { Alert, Button, Loading, Panel, StatusNotice } from '../../_components/ui';
import { useDialogState } from '../../_components/use-dialog-state';
import { useUrlState, useUrlText } from '../../_components/use-url-state';
import { useTRPC } from '../../trpc';
import { nextCursor } from '../first-queries';
import { useCan } from '../viewer-context';
import { ExportButton } from './export-button';
import { ImportPanel } from './import-panel';
import { MemberDialog } from './member-dialog';
import { filterParams, filtersFromUrl, listInput, noFilters, type Filters } from './list-input';
import { MemberFilters } from './member-filters';
import { MemberCards } from './member-cards';
import { MembersTable } from './members-table';
import { fullName, type MemberItem } from './types';
import { LoadMore } from '../../_components/load-more';

/**
 * The members page: search and filters, the table a page at a time, add/edit in a dialog, delete, and the CSV
 * import.
 */
export function MembersManager() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const canImport = useCan('members.import');
  const canExport = useCan('members.export');
  const canDelete = useCan('members.delete');
  // The filters are the URL's (list-input.ts): a refresh or a shared link keeps them.
  const searchBox = useUrlText('q');
  const search = searchBox.settled;
  const [others, setOthers] = useUrlState(filtersFromUrl, filterParams);
  const filters: Filters = { ...others, search: searchBox.text };
  const setFilters = ({ search: text, ...rest }: Filters) => {
    if (text !== searchBox.text) searchBox.setText(text);
    setOthers({ ...rest, search: others.search });
  };
  const [status, setStatus] = useState('');
  const dialog = useDialogState<MemberItem>();
  const [deleting, setDeleting] = useState<MemberItem | null>(null);
  const [importing, setImporting] = useState(false);

  const branches = useQuery(trpc.branches.list.queryOptions());
  const tags = useQuery(trpc.members.tags.queryOptions());
  const segments = useQuery(trpc.segments.list.queryOptions());
  const list = useInfiniteQuery(
    trpc.members.list.infiniteQueryOptions(listInput(filters, search), {
      getNextPageParam: nextCursor,
      placeholderData: keepPreviousData,
    }),
  );
  const refresh = () => {
    void queryClient.invalidateQueries({ queryKey: trpc.members.pathKey() });
    void queryClient.invalidateQueries({ queryKey: trpc.branches.list.queryKey() });
  };
  const remove = useMutation(
    trpc.members.delete.mutationOptions({
      onSuccess: () => {
        setStatus(`${deleting ? fullName(deleting) : 'The member'} was deleted.`);
        setDeleting(null);
        refresh();
      },
    }),
  );

  const items = list.data?.pages.flatMap((p) => p.items) ?? [];
  const total = list.data?.pages[0]?.total ?? 0;
  const filtered = !!(search || filters.branchId || filters.tag || filters.subscription || filters.segmentId);

  return (
    <div className="space-y-6">
      <StatusNotice message={status} />
      <div className="flex flex-wrap gap-2">
        <Button onClick={() => dialog.show(null)}>Add member</Button>
        {canImport && (
          <Button
            variant="secondary"
            onClick={() => setImporting((v) => !v)}
            aria-expanded={importing}
            aria-controls="import"
          >
            Import CSV
          </Button>
        )}
        {canExport && <ExportButton />}
      </div>
      {importing && <ImportPanel onClose={() => setImporting(false)} />}

      <Panel id="members" title="Members">
        <div className="space-y-4">
          <MemberFilters
            value={filters}
            onChange={setFilters}
            branches={branches.data ?? []}
            tags={tags.data ?? []}
            segments={segments.data ?? []}
          />
          {list.isPending ? (
            <Loading label="Loading members…" />
          ) : list.error ? (
            <Alert>{errorMessage(list.error)}</Alert>
          ) : items.length === 0 ? (
            <EmptyState
              filtered={filtered}
              canImport={canImport}
              onAdd={() => dialog.show(null)}
              onImport={() => setImporting(true)}
              onClear={() => setFilters(noFilters)}
            />
          ) : (
            <>
              <p className="text-sm text-slate-600" aria-live="polite">
                Showing {items.length.toLocaleString()} of {total.toLocaleString()} {filtered ? 'matching ' : ''}
                {total === 1 ? 'member' : 'members'}
              </p>
              {/* A table from a tablet up; on a phone, a card per member, so no column is cut off. */}
              <div className="hidden md:block">
                <MembersTable items={items} canDelete={canDelete} onEdit={dialog.show} onDelete={setDeleting} />
              </div>
              <div className="md:hidden">
                <MemberCards items={items} canDelete={canDelete} onEdit={dialog.show} onDelete={setDeleting} />
              </div>
              <LoadMore list={list} block size="md" />
            </>
          )}
        </div>
      </Panel>

      <MemberDialog
        key={dialog.key}
        open={dialog.open}
        member={dialog.item}
        branches={branches.data ?? []}
        onClose={dialog.close}
        onSaved={(message) => {
          dialog.close();
          setStatus(message);
          refresh();
        }}
      />
      <ConfirmDialog
        open={!!deleting}
        title={deleting ? `Delete ${fullName(deleting)}?` : 'Delete member?'}
        confirmLabel="Delete"
        pending={remove.isPending}
        error={remove.error}
        onCancel={() => {
          setDeleting(null);
          remove.reset();
        }}
        onConfirm={() => deleting && remove.mutate({ id: deleting.id })}
      >
        <p>Their conversation and every message in it are deleted too. This cannot be undone.</p>
      </ConfirmDialog>
    </div>
  );
}

function EmptyState({
  filtered,
  canImport,
  onAdd,
  onImport,
  onClear,
}: {
  filtered: boolean;
  canImport: boolean;
  onAdd: () => void;
  onImport: () => void;
  onClear: () => void;
}) {
  if (filtered) {
    return (
      <div className="rounded-xl border border-dashed border-slate-300 p-6 text-center">
        <p className="text-sm text-slate-700">No members match your search and filters.</p>
        <Button className="mt-3" variant="secondary" size="sm" onClick={onClear}>
          Clear search and filters
        </Button>
      </div>
    );
  }
  return (
    <div className="rounded-xl border border-dashed border-slate-300 p-6 text-center">
      <p className="font-medium text-slate-900">No members yet</p>
      <p className="mt-1 text-sm text-slate-600">
        {canImport
          ? 'Add the people you text one by one, or import them all at once from a CSV file exported from your ' +
            'spreadsheet or church management system.'
          : 'Add the people you text, one by one. An admin can also import them from a CSV file.'}
      </p>
      <div className="mt-4 flex flex-wrap justify-center gap-2">
        <Button size="sm" onClick={onAdd}>
          Add your first member
        </Button>
        {canImport && (
          <Button size="sm" variant="secondary" onClick={onImport}>
            Import a CSV file
          </Button>
        )}
      </div>
    </div>
  );
}
