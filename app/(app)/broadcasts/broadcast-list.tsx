'use client';

import { useInfiniteQuery } from '@tanstack/react-query';
import { errorMessage } from '../../_components/errors';
import { Alert, Button, Loading, Panel } from '../../_components/ui';
import type { RouterOutputs } from '../../_lib/router-types';
import { useTRPC } from '../../trpc';
import { broadcastsInput, nextCursor } from '../first-queries';
import { BroadcastRow } from './broadcast-row';

type Page = RouterOutputs['broadcasts']['list'];

/** While anything is waiting or going out, the list refreshes every two seconds; otherwise it stays still. */
const busy = (pages: Page[] | undefined) =>
  !!pages?.some((p) => p.items.some((b) => b.state === 'scheduled' || b.state === 'sending'));

export function BroadcastList({ canCancel, onDone }: { canCancel: boolean; onDone: (message: string) => void }) {
  const trpc = useTRPC();
  const list = useInfiniteQuery(
    trpc.broadcasts.list.infiniteQueryOptions(broadcastsInput, {
      getNextPageParam: nextCursor,
      refetchInterval: (query) => (busy(query.state.data?.pages) ? 2_000 : false),
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
              <Button
                variant="secondary"
                size="sm"
                disabled={list.isFetchingNextPage}
                onClick={() => void list.fetchNextPage()}
              >
                {list.isFetchingNextPage ? 'Loading…' : 'Load more'}
              </Button>
            </div>
          )}
          {list.error && <p className="mt-2 text-xs text-red-700">Could not refresh: {errorMessage(list.error)}</p>}
        </>
      )}
    </Panel>
  );
}
