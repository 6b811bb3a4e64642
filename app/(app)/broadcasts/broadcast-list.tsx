'use client';

import { useInfiniteQuery } from '@tanstack/react-query';
import { errorMessage } from '../../_components/errors';
import { Alert, Loading, Panel } from '../../_components/ui';
import type { RouterOutputs } from '../../_lib/router-types';
import { useTRPC } from '../../trpc';
import { broadcastsInput, nextCursor } from '../first-queries';
import { BroadcastRow } from './broadcast-row';
import { LoadMore } from '../../_components/load-more';

type Page = RouterOutputs['broadcasts']['list'];

/**
 * While anything is going out or due within a few minutes, the list refreshes every two seconds; a broadcast scheduled
 * later (a repeating broadcast's next date is often days away) is looked at once a minute; otherwise it stays still.
 */
const SOON_MS = 5 * 60_000;
function refreshEvery(pages: Page[] | undefined): number | false {
  const items = pages?.flatMap((p) => p.items) ?? [];
  const soon = Date.now() + SOON_MS;
  if (items.some((b) => b.state === 'sending' || (b.state === 'scheduled' && b.scheduledAt.getTime() < soon)))
    return 2_000;
  return items.some((b) => b.state === 'scheduled') ? 60_000 : false;
}

export function BroadcastList({ canCancel, onDone }: { canCancel: boolean; onDone: (message: string) => void }) {
  const trpc = useTRPC();
  const list = useInfiniteQuery(
    trpc.broadcasts.list.infiniteQueryOptions(broadcastsInput, {
      getNextPageParam: nextCursor,
      refetchInterval: (query) => refreshEvery(query.state.data?.pages),
    }),
  );
  const items = [...new Map((list.data?.pages ?? []).flatMap((p) => p.items).map((b) => [b.id, b])).values()];

  return (
    <Panel id="history" title="Broadcasts" description="Newest first. Counts update as messages go out.">
      {list.isPending ? (
        <Loading label="Loading broadcasts…" />
      ) : list.error && !list.data ? (
        <Alert>{errorMessage(list.error)}</Alert>
      ) : items.length === 0 ? (
        <p className="text-sm text-slate-600">
          No broadcasts yet.{' '}
          {canCancel ? 'Write one above to text many members at once.' : 'Admins send them from this page.'}
        </p>
      ) : (
        <>
          <ul aria-label="Broadcasts" className="divide-y divide-slate-100">
            {items.map((b) => (
              <BroadcastRow key={b.id} broadcast={b} canCancel={canCancel} onDone={onDone} />
            ))}
          </ul>
          {list.hasNextPage && (
            <div className="mt-3">
              <LoadMore list={list} />
            </div>
          )}
          {list.error && <p className="mt-2 text-xs text-red-700">Could not refresh: {errorMessage(list.error)}</p>}
        </>
      )}
    </Panel>
  );
}
