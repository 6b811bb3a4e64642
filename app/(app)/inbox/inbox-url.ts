import { OPEN_INBOX, type InboxFilters } from '../first-queries';

/**
 * The inbox's list lives in the URL beside what is open, so a refresh or a shared link shows the same list:
 * ?show=mine|unassigned, ?status=closed, ?unread=1 and ?q=<search>. Defaults are left out (/inbox is everyone's open
 * threads).
 */
const LIST_PARAMS = ['show', 'status', 'unread', 'q'] as const;

type Get = (name: string) => string | null | undefined;

export function inboxFiltersFromUrl(get: Get): InboxFilters {
  const show = get('show');
  return {
    assigned: show === 'mine' || show === 'unassigned' ? show : OPEN_INBOX.assigned,
    state: get('status') === 'closed' ? 'closed' : OPEN_INBOX.state,
    unreadOnly: get('unread') === '1',
  };
}

/** The URL's parameters for these filters (null: the default, left out). */
export const inboxFilterParams = (f: InboxFilters) => ({
  show: f.assigned === 'all' ? null : f.assigned,
  status: f.state === 'open' ? null : f.state,
  unread: f.unreadOnly ? '1' : null,
});

/** A link in the inbox that keeps the list as it is, with `open` beside it (?c=, ?m=, ?member=, ?new=1, or nothing). */
export function inboxHref(current: { get: Get }, open: Record<string, string> = {}) {
  const next = new URLSearchParams();
  for (const name of LIST_PARAMS) {
    const value = current.get(name);
    if (value) next.set(name, value);
  }
  for (const [name, value] of Object.entries(open)) next.set(name, value);
  const query = next.toString();
  return query ? `/inbox?${query}` : '/inbox';
}
