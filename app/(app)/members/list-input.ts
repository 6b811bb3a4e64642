import type { SubscriptionState } from '@/db/tenant/enums';
import { branchParam, membersInput } from '../first-queries';

/**
 * The members list's filters, kept in the URL (?q=, ?segment=, ?branch=, ?tag=, ?texts=) so a refresh or a shared
 * link shows the same list, and members.list's input for them, in a plain module: the server page prefetches with
 * the same input the client asks with, so the query keys match.
 */
export type Filters = {
  search: string;
  branchId: string;
  tag: string;
  subscription: '' | SubscriptionState;
  /** A saved segment's members (/members?segment=<id>, linked from the segments page). */
  segmentId: string;
};
export const noFilters: Filters = { search: '', branchId: '', tag: '', subscription: '', segmentId: '' };

/** Each filter's name in the URL. */
const FILTER_PARAMS = {
  search: 'q',
  segmentId: 'segment',
  branchId: 'branch',
  tag: 'tag',
  subscription: 'texts',
};

const SUBSCRIPTIONS: readonly string[] = ['subscribed', 'unsubscribed', 'not_opted_in'];
const UUID = /^[0-9a-f-]{36}$/i;

/**
 * The filters a URL gives (the branches page links ?branch=<id|none>, the segments page ?segment=<id>); anything
 * malformed is no filter rather than an error.
 */
export function filtersFromUrl(get: (name: string) => string | null | undefined): Filters {
  const segment = get(FILTER_PARAMS.segmentId);
  const texts = get(FILTER_PARAMS.subscription) ?? '';
  return {
    search: (get(FILTER_PARAMS.search) ?? '').trim().slice(0, 100),
    branchId: branchParam(get(FILTER_PARAMS.branchId)),
    tag: (get(FILTER_PARAMS.tag) ?? '').trim().slice(0, 40),
    subscription: SUBSCRIPTIONS.includes(texts) ? (texts as SubscriptionState) : '',
    segmentId: segment && UUID.test(segment) ? segment : '',
  };
}

/** The URL parameters of the filters but the search (its box writes that as it settles); empty ones left out. */
export const filterParams = ({ search: _typed, ...f }: Filters) =>
  Object.fromEntries(
    Object.entries(f).map(([key, value]) => [FILTER_PARAMS[key as keyof Filters], value || null]),
  ) as Record<string, string | null>;

/** members.list's input: the first-queries one, with the segment on top. */
export const listInput = (f: Filters, search = f.search) => ({
  ...membersInput({ ...f, search }),
  segmentId: f.segmentId || undefined,
});
