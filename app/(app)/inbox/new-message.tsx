'use client';

import Link from 'next/link';
import { useId } from 'react';
import { errorMessage } from '../../_components/errors';
import { ToneBadge } from '../../_components/tone-badge';
import { TextField } from '../../_components/fields';
import { Alert, Loading } from '../../_components/ui';
import { useMemberSearch } from '../members/use-member-search';
import { memberName } from './display';
import { useInboxHref } from './use-inbox-href';

/** Starting a conversation: find the member by name, phone or email, then write to them (/inbox?member=<id>). */
export function NewMessage() {
  const id = useId();
  const { search, setSearch, query, results, items } = useMemberSearch();
  const inboxHref = useInboxHref();

  return (
    <section
      aria-labelledby={`${id}-title`}
      className="rounded-2xl bg-white p-4 shadow-sm ring-1 ring-slate-200 sm:p-5"
    >
      <h2 id={`${id}-title`} className="text-base font-semibold text-slate-900">
        New message
      </h2>
      <p className="mt-1 text-sm text-slate-600">Choose who to text.</p>
      <div className="mt-3">
        <TextField
          id={`${id}-search`}
          label="Find a member"
          type="search"
          placeholder="Name, phone or email"
          autoComplete="off"
          value={search}
          onChange={(e) => setSearch(e.target.value)}
        />
      </div>
      <div className="mt-3" aria-live="polite">
        {results.isPending ? (
          <Loading label="Searching…" />
        ) : results.error ? (
          <Alert>{errorMessage(results.error)}</Alert>
        ) : items.length === 0 ? (
          query ? (
            <p className="text-sm text-slate-600">No member matches “{query}”.</p>
          ) : (
            <p className="text-sm text-slate-600">
              You have no members yet.{' '}
              <Link href="/members" className="font-medium text-brand-600 underline-offset-2 hover:underline">
                Add members
              </Link>{' '}
              first.
            </p>
          )
        ) : (
          <ul aria-label="Matching members" className="divide-y divide-slate-100">
            {items.map((m) => (
              <li key={m.id}>
                <Link
                  href={inboxHref({ member: m.id })}
                  className="flex min-h-11 items-center justify-between gap-3 rounded-lg px-2 py-2.5 hover:bg-slate-50"
                >
                  <span className="min-w-0">
                    <span className="block truncate text-sm font-medium text-slate-900">{memberName(m)}</span>
                    <span className="block text-xs text-slate-500">{m.phoneDisplay}</span>
                  </span>
                  {m.subscription === 'unsubscribed' && <ToneBadge tone="red">Unsubscribed</ToneBadge>}
                  {m.subscription === 'not_opted_in' && <ToneBadge tone="slate">Not opted in</ToneBadge>}
                </Link>
              </li>
            ))}
          </ul>
        )}
      </div>
    </section>
  );
}
