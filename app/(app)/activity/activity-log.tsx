'use client';

import { keepPreviousData, useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { ACTIVITY_GROUP_LABELS, ACTIVITY_GROUPS } from '@/db/tenant/enums';
import { errorMessage } from '../../_components/errors';
import { SelectField } from '../../_components/fields';
import { useUrlState } from '../../_components/use-url-state';
import { LoadMore } from '../../_components/load-more';
import { LocalTime } from '../../_components/local-time';
import { fullWhen } from '../../_components/time';
import { Alert, Loading, Panel } from '../../_components/ui';
import { useTRPC } from '../../trpc';
import { useChurchTimezone } from '../automations/church-time';
import { nextCursor } from '../first-queries';
import { describeActivity } from './describe';
import { activityInput, filtersFromUrl, type ActivityFilters } from './input';

/** "Tue, Mar 31, 2026, 10:04 AM EDT": the church's clock, its zone named, so every reader sees the same time. */
const when = (timezone: string | undefined) => (v: Date | string) => fullWhen(v, timezone);

/** The log: what and who to show (kept in the URL), newest first, a page at a time. */
export function ActivityLog() {
  const trpc = useTRPC();
  // Kept in the URL (`?group=&person=`): a reload or a shared link shows the same list.
  const [filters, setFilters] = useUrlState<ActivityFilters>(filtersFromUrl, (f) => ({
    group: f.group,
    person: f.person,
  }));
  const choose = (change: ActivityFilters) => setFilters({ ...filters, ...change });
  const timezone = useChurchTimezone();
  const team = useQuery(trpc.church.admins.queryOptions());
  const list = useInfiniteQuery(
    trpc.activity.list.infiniteQueryOptions(activityInput(filters), {
      getNextPageParam: nextCursor,
      placeholderData: keepPreviousData,
    }),
  );
  const items = list.data?.pages.flatMap((p) => p.items) ?? [];
  const filtered = !!(filters.group || filters.person);

  return (
    <Panel
      title="What happened"
      description="Newest first. Kept for a year. The address is where the person was when they did it."
    >
      <div className="grid gap-3 sm:grid-cols-2">
        <SelectField
          id="activity-group"
          label="What"
          value={filters.group ?? ''}
          onChange={(e) => choose({ group: (e.target.value || undefined) as ActivityFilters['group'] })}
        >
          <option value="">Everything</option>
          {ACTIVITY_GROUPS.map((g) => (
            <option key={g} value={g}>
              {ACTIVITY_GROUP_LABELS[g]}
            </option>
          ))}
        </SelectField>
        <SelectField
          id="activity-person"
          label="Who"
          value={filters.person ?? ''}
          onChange={(e) => choose({ person: e.target.value || undefined })}
        >
          <option value="">Everyone</option>
          {(team.data ?? []).map((p) => (
            <option key={p.id} value={p.id}>
              {p.name}
            </option>
          ))}
        </SelectField>
      </div>
      <div className="mt-4">
        {list.isPending ? (
          <Loading label="Loading activity…" />
        ) : list.error && !list.data ? (
          <Alert>{errorMessage(list.error)}</Alert>
        ) : items.length === 0 ? (
          <p className="text-sm text-slate-600">
            {filtered ? 'Nothing matches these filters.' : 'Nothing has happened yet.'}
          </p>
        ) : (
          <>
            <ul aria-label="Activity" className="divide-y divide-slate-100">
              {items.map((item) => (
                <li key={item.id} className="py-3">
                  <p className="text-sm break-words text-slate-900">{describeActivity(item)}</p>
                  <p className="mt-0.5 text-xs break-words text-slate-600">
                    <LocalTime value={item.at} format={when(timezone)} />
                    {item.clientAddress && <> · from {item.clientAddress}</>}
                  </p>
                </li>
              ))}
            </ul>
            <div className="mt-3">
              <LoadMore list={list} />
            </div>
            {list.error && <p className="mt-2 text-xs text-red-700">Could not refresh: {errorMessage(list.error)}</p>}
          </>
        )}
      </div>
    </Panel>
  );
}
