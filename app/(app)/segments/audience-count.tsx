'use client';

import { keepPreviousData, useQuery } from '@tanstack/react-query';
import type { AudienceFilter } from '@/server/audiences/inputs';
import { errorCode, errorMessage, fieldErrors } from '../../_components/errors';
import { useDebounced } from '../../_components/use-debounced';
import { useTRPC } from '../../trpc';

/**
 * What the server said is wrong with an audience's conditions: a field deleted since, a value of the wrong kind. It
 * comes beside the field `fields` (or under the filter or audience, from zod), which the page shows as it is.
 */
export function audienceProblem(err: unknown): string | undefined {
  if (!err || errorCode(err) !== 'BAD_REQUEST') return undefined;
  const e = fieldErrors(err);
  return e.fields ?? e.filter ?? e.audience ?? errorMessage(err);
}

/** A refusal (a value of the wrong kind) is the same the second time: say it at once. */
export const retryUnlessRefused = (failures: number, err: unknown) => errorCode(err) !== 'BAD_REQUEST' && failures < 1;

/** The filter once it has stopped changing: compared as JSON, so an equal filter from a new render is no change. */
function useSettledFilter(filter: AudienceFilter): AudienceFilter {
  return JSON.parse(useDebounced(JSON.stringify(filter), 300)) as AudienceFilter;
}

/** "12 members · 9 can be texted", asked again a moment after the conditions change; the last count stays till then. */
export function AudienceCount({ filter }: { filter: AudienceFilter }) {
  const trpc = useTRPC();
  const settled = useSettledFilter(filter);
  const count = useQuery(
    trpc.segments.count.queryOptions(
      { filter: settled },
      { placeholderData: keepPreviousData, retry: retryUnlessRefused },
    ),
  );
  const problem = audienceProblem(count.error);
  return (
    <div aria-live="polite" className="rounded-xl bg-slate-50 px-4 py-3 text-sm ring-1 ring-slate-200">
      {count.error ? (
        <p className="font-medium text-red-700" data-testid="audience-problem">
          {problem ?? errorMessage(count.error)}
        </p>
      ) : count.data ? (
        <p
          className="text-slate-700"
          data-testid="audience-count"
          data-members={count.data.members}
          data-textable={count.data.textable}
        >
          <strong className="font-semibold text-slate-900">{members(count.data.members)}</strong> ·{' '}
          {count.data.textable.toLocaleString()} can be texted
        </p>
      ) : (
        <p className="text-slate-500">Counting…</p>
      )}
    </div>
  );
}

const members = (n: number) => `${n.toLocaleString()} ${n === 1 ? 'member' : 'members'}`;
