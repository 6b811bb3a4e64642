'use client';

import { useInfiniteQuery, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { useEffect, useId } from 'react';
import { errorMessage } from '../../_components/errors';
import { LocalTime } from '../../_components/local-time';
import { shortWhen } from '../../_components/time';
import { ToneBadge } from '../../_components/tone-badge';
import { Alert, Loading } from '../../_components/ui';
import type { RouterOutputs } from '../../_lib/router-types';
import { useTRPC } from '../../trpc';
import { useUrlState, useUrlText } from '../../_components/use-url-state';
import { conversationsInput, nextCursor, unreadBadgeInput, type InboxFilters } from '../first-queries';
import { InboxFilterFields } from './inbox-filters';
import { SearchResults } from './search-results';
import { memberName, TOUCH } from './display';
import { inboxFilterParams, inboxFiltersFromUrl } from './inbox-url';
import { useInboxHref } from './use-inbox-href';
import { LoadMore } from '../../_components/load-more';

type Item = RouterOutputs['conversations']['list']['items'][number];

const NEW_BUTTON =
  'inline-flex items-center rounded-lg bg-brand-600 px-3 py-2 text-sm font-medium text-white shadow-sm ' +
  'hover:bg-brand-700';
const NAME_READ = 'font-medium text-slate-800';

/** Polled every two seconds, so a member's reply shows up (and moves to the top) without a reload. */
const POLL_MS = 2_000;

/** The list's filters and search are the URL's (inbox-url.ts), so a refresh or a shared link keeps them. */
export function ConversationList({ selectedId }: { selectedId: string | null }) {
  const [filters, setFilters] = useUrlState(inboxFiltersFromUrl, inboxFilterParams);
  const { text: search, setText: setSearch, settled: query } = useUrlText('q', 250);
  const searching = query.length >= 2;
  const href = useInboxHref();

  return (
    <section
      aria-labelledby="conversations-title"
      className="min-w-0 rounded-2xl bg-white shadow-sm ring-1 ring-slate-200"
    >
      <div className="space-y-3 border-b border-slate-100 px-4 py-3">
        <div className="flex flex-wrap items-center justify-between gap-2">
          <h2 id="conversations-title" className="text-base font-semibold text-slate-900">
            Conversations
          </h2>
          <Link href={href({ new: '1' })} className={`${TOUCH} ${NEW_BUTTON}`}>
            New message
          </Link>
        </div>
        <SearchBox value={search} onChange={setSearch} />
        {!searching && <InboxFilterFields filters={filters} onChange={setFilters} />}
      </div>
      <div className="p-2">
        {searching ? (
          <SearchResults query={query} selectedId={selectedId} />
        ) : (
          <Threads filters={filters} selectedId={selectedId} />
        )}
      </div>
    </section>
  );
}

/** The threads the filters choose, polled, a page at a time. */
function Threads({ filters, selectedId }: { filters: InboxFilters; selectedId: string | null }) {
  const trpc = useTRPC();
  const list = useInfiniteQuery(
    trpc.conversations.list.infiniteQueryOptions(conversationsInput(filters), {
      getNextPageParam: nextCursor,
      refetchInterval: POLL_MS,
    }),
  );
  // A thread can move between pages while polling; show it once.
  const items = [...new Map((list.data?.pages ?? []).flatMap((p) => p.items).map((i) => [i.id, i])).values()];
  useSyncMenuBadge(list.data?.pages[0]?.unreadThreads);

  if (list.isPending)
    return (
      <div className="p-2">
        <Loading label="Loading conversations…" />
      </div>
    );
  if (list.error && !list.data)
    return (
      <div className="p-2">
        <Alert>{errorMessage(list.error)}</Alert>
      </div>
    );
  return (
    <>
      {items.length === 0 ? (
        <p className="p-2 text-sm text-slate-600">{emptyText(filters)}</p>
      ) : (
        <ul aria-label="Conversations" className="space-y-1">
          {items.map((item) => (
            <ConversationRow key={item.id} item={item} selected={item.id === selectedId} />
          ))}
        </ul>
      )}
      {list.hasNextPage && (
        <div className="p-2">
          <LoadMore list={list} block />
        </div>
      )}
      {/* A failed poll keeps the last list on screen and says so quietly. */}
      {list.error && list.data && (
        <p className="p-2 text-xs text-red-700">Could not refresh: {errorMessage(list.error)}</p>
      )}
    </>
  );
}

function SearchBox({ value, onChange }: { value: string; onChange: (v: string) => void }) {
  const id = useId();
  return (
    <div>
      <label htmlFor={id} className="sr-only">
        Search messages and notes
      </label>
      <input
        id={id}
        type="search"
        value={value}
        maxLength={100}
        placeholder="Search messages and notes"
        onChange={(e) => onChange(e.target.value)}
        className={
          `${TOUCH} block w-full rounded-lg border border-slate-300 px-3 py-2 text-sm shadow-sm ` +
          'focus:border-brand-500 focus:outline-none focus:ring-2 focus:ring-brand-500/30'
        }
      />
    </div>
  );
}

function emptyText({ assigned, state, unreadOnly }: InboxFilters) {
  if (state === 'closed') return 'No closed conversations here.';
  if (assigned === 'mine')
    return unreadOnly ? 'Nothing unread assigned to you.' : 'No conversations are assigned to you.';
  if (assigned === 'unassigned')
    return unreadOnly ? 'Nothing unread waiting for someone.' : 'Every conversation has someone answering it.';
  if (unreadOnly) return 'No unread conversations. You are all caught up.';
  return (
    'No open conversations. Start one with “New message”; ' +
    'when a member texts your number, their message appears here too.'
  );
}

/** The menu's unread badge polls slowly; when this list (polled fast) sees a different count, it asks again now. */
function useSyncMenuBadge(unreadThreads: number | undefined) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  useEffect(() => {
    if (unreadThreads === undefined) return;
    const key = trpc.conversations.list.queryKey(unreadBadgeInput);
    const shown = queryClient.getQueryData(key)?.unreadThreads;
    if (shown !== undefined && shown !== unreadThreads)
      void queryClient.invalidateQueries({ queryKey: key, exact: true });
  }, [unreadThreads, trpc, queryClient]);
}

const ROW_SELECTED = 'bg-brand-50 ring-1 ring-brand-100';

function ConversationRow({ item, selected }: { item: Item; selected: boolean }) {
  const name = memberName(item);
  const href = useInboxHref();
  const unread = item.unreadCount > 0;
  return (
    <li data-testid="conversation" data-unread={unread} data-member-id={item.memberId}>
      <Link
        href={href({ c: item.id })}
        aria-current={selected ? 'true' : undefined}
        className={`block min-w-0 rounded-xl px-3 py-2.5 ${selected ? ROW_SELECTED : 'hover:bg-slate-50'}`}
      >
        <span className="flex min-w-0 items-baseline justify-between gap-2">
          <span className={`min-w-0 truncate text-sm ${unread ? 'font-semibold text-slate-900' : NAME_READ}`}>
            {name}
          </span>
          {item.lastMessageAt && (
            <span className="shrink-0 text-xs text-slate-600">
              <LocalTime value={item.lastMessageAt} format={shortWhen} />
            </span>
          )}
        </span>
        <span className="mt-0.5 flex min-w-0 items-center justify-between gap-2">
          <span
            className={`min-w-0 truncate text-sm ${unread ? 'text-slate-800' : 'text-slate-600'}`}
            data-testid="conversation-preview"
          >
            {item.lastMessagePreview}
          </span>
          {unread && (
            <span
              className="shrink-0 rounded-full bg-brand-600 px-1.5 text-xs font-semibold leading-5 text-white"
              data-testid="unread-count"
            >
              {item.unreadCount}
              <span className="sr-only"> unread</span>
            </span>
          )}
        </span>
        <span className="mt-0.5 flex flex-wrap items-center gap-x-2 text-xs text-slate-600">
          {item.phoneDisplay}
          {item.subscription === 'unsubscribed' && <ToneBadge tone="red">Unsubscribed</ToneBadge>}
          {item.subscription === 'not_opted_in' && <ToneBadge tone="slate">Not opted in</ToneBadge>}
        </span>
      </Link>
    </li>
  );
}
