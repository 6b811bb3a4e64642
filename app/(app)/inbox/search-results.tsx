'use client';

import { keepPreviousData, useInfiniteQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { excerptParts } from '@/server/messaging/search-marks';
import { errorMessage } from '../../_components/errors';
import { LocalTime } from '../../_components/local-time';
import { shortWhen } from '../../_components/time';
import { Alert, Loading } from '../../_components/ui';
import type { RouterOutputs } from '../../_lib/router-types';
import { useTRPC } from '../../trpc';
import { nextCursor } from '../first-queries';
import { memberName } from './display';
import { useInboxHref } from './use-inbox-href';
import { LoadMore } from '../../_components/load-more';

type Hit = RouterOutputs['conversations']['search']['items'][number];

/** Messages and notes that say what was searched for, newest first; each opens its thread. */
export function SearchResults({ query, selectedId }: { query: string; selectedId: string | null }) {
  const trpc = useTRPC();
  const results = useInfiniteQuery(
    // The last results stay on screen while the next words are looked up.
    trpc.conversations.search.infiniteQueryOptions(
      { query, limit: 20 },
      { getNextPageParam: nextCursor, placeholderData: keepPreviousData },
    ),
  );
  if (results.isPending) return <Loading label="Searching…" />;
  if (results.error) return <Alert>{errorMessage(results.error)}</Alert>;
  const hits = results.data.pages.flatMap((p) => p.items);
  const status =
    hits.length === 0
      ? `Nothing said matches “${query}”.`
      : `${hits.length}${results.hasNextPage ? '+' : ''} ${hits.length === 1 ? 'result' : 'results'}`;
  return (
    <>
      <p role="status" className={hits.length ? 'sr-only' : 'p-2 text-sm text-slate-600'}>
        {status}
      </p>
      {hits.length > 0 && (
        <ul aria-label="Search results" className="space-y-1">
          {hits.map((hit) => (
            <HitRow key={`${hit.kind}:${hit.id}`} hit={hit} selected={hit.conversationId === selectedId} />
          ))}
        </ul>
      )}
      {results.hasNextPage && (
        <div className="p-2">
          <LoadMore list={results} label="More results" block />
        </div>
      )}
    </>
  );
}

const WHO = { inbound: 'They wrote', outbound: 'Sent' } as const;
const SELECTED = 'bg-brand-50 ring-1 ring-brand-100';

function HitRow({ hit, selected }: { hit: Hit; selected: boolean }) {
  const href = useInboxHref();
  return (
    <li data-testid="search-hit" data-kind={hit.kind}>
      <Link
        href={href({ c: hit.conversationId, m: hit.id })}
        aria-current={selected ? 'true' : undefined}
        className={`block rounded-xl px-3 py-2.5 ${selected ? SELECTED : 'hover:bg-slate-50'}`}
      >
        <span className="flex items-baseline justify-between gap-2">
          <span className="min-w-0 truncate text-sm font-medium text-slate-800">{memberName(hit)}</span>
          <span className="shrink-0 text-xs text-slate-600">
            <LocalTime value={hit.createdAt} format={shortWhen} />
          </span>
        </span>
        <span className="mt-0.5 block text-xs font-medium text-slate-600">
          {hit.kind === 'note' ? 'Internal note' : WHO[hit.direction ?? 'outbound']}
        </span>
        <span className="mt-0.5 line-clamp-2 break-words text-sm text-slate-600">
          {excerptParts(hit.excerpt).map((part, i) =>
            part.match ? (
              <mark key={i} className="rounded bg-amber-100 px-0.5 text-slate-900">
                {part.text}
              </mark>
            ) : (
              <span key={i}>{part.text}</span>
            ),
          )}
        </span>
      </Link>
    </li>
  );
}
