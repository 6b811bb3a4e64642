'use client';

import { useQuery } from '@tanstack/react-query';
import { useId } from 'react';
import { SelectField } from '../../_components/fields';
import { useTRPC } from '../../trpc';
import { unreadBadgeInput, type InboxFilters } from '../first-queries';

/** Whose threads, open or closed, unread only: the inbox list's three filters, side by side from a phone up. */
export function InboxFilterFields({
  filters,
  onChange,
}: {
  filters: InboxFilters;
  onChange: (next: InboxFilters) => void;
}) {
  const id = useId();
  // The menu's unread count (the same query, kept fresh by the list): how many "Unread only" would show.
  const unread = useQuery(useTRPC().conversations.list.queryOptions(unreadBadgeInput)).data?.unreadThreads ?? 0;
  const set = (part: Partial<InboxFilters>) => onChange({ ...filters, ...part });
  return (
    <div className="grid grid-cols-2 gap-2">
      <SelectField
        id={`${id}-assigned`}
        label="Show"
        value={filters.assigned}
        onChange={(e) => set({ assigned: e.target.value as InboxFilters['assigned'] })}
      >
        <option value="all">Everyone’s</option>
        <option value="mine">Assigned to me</option>
        <option value="unassigned">Unassigned</option>
      </SelectField>
      <SelectField
        id={`${id}-state`}
        label="Status"
        value={filters.state}
        onChange={(e) => set({ state: e.target.value as InboxFilters['state'] })}
      >
        <option value="open">Open</option>
        <option value="closed">Closed</option>
      </SelectField>
      <label
        htmlFor={`${id}-unread`}
        className="col-span-2 flex min-h-11 items-center gap-2 py-1 text-sm text-slate-600 md:min-h-0"
      >
        <input
          id={`${id}-unread`}
          type="checkbox"
          checked={filters.unreadOnly}
          onChange={(e) => set({ unreadOnly: e.target.checked })}
          className="size-5 rounded border-slate-300"
        />
        Unread only{unread > 0 ? ` (${unread})` : ''}
      </label>
    </div>
  );
}
