import { branchParam, membersInput } from '../first-queries';

/**
 * The members table's filters and members.list's input for them, in a plain module: the server page prefetches with
 * the same input the client asks with, so the query keys match.
 */
export type Filters = {
  search: string;
  branchId: string;
  tag: string;
  subscription: '' | 'subscribed' | 'unsubscribed' | 'not_opted_in';
  /** A saved segment's members (/members?segment=<id>, linked from the segments page). */
  segmentId: string;
};
export const noFilters: Filters = { search: '', branchId: '', tag: '', subscription: '', segmentId: '' };

/** The filters a link gives: /members?branch=<id|none> (branches page), ?segment=<id> (segments page). */
export const filtersFromUrl = (branch: string | null | undefined, segment: string | null | undefined): Filters => ({
  ...noFilters,
  branchId: branchParam(branch),
  segmentId: segment && /^[0-9a-f-]{36}$/i.test(segment) ? segment : '',
});

/** members.list's input: the first-queries one, with the segment on top. */
export const listInput = (f: Filters, search = f.search) => ({
  ...membersInput({ ...f, search }),
  segmentId: f.segmentId || undefined,
});
