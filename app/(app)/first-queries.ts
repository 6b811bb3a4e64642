import type { SubscriptionState } from '@/db/tenant/enums';

/**
 * The inputs the signed-in pages' client components ask with on their first render. The server pages prefetch with
 * these very inputs (app/_lib/trpc-server.tsx), so the query keys match and the browser starts with the data; one
 * definition here keeps the two from drifting apart. Plain values, no React: server and client both import it.
 */

/** The menu's unread badge: conversations.list with one item is the cheapest call that carries the count. */
export const unreadBadgeInput = { limit: 1 };

/** What the inbox's list shows: whose threads, open or closed, and perhaps only the unread ones. */
export type InboxFilters = {
  assigned: 'all' | 'mine' | 'unassigned';
  state: 'open' | 'closed';
  unreadOnly: boolean;
};
export const OPEN_INBOX: InboxFilters = { assigned: 'all', state: 'open', unreadOnly: false };

/** The inbox's conversation list, a page of 30, for the filters chosen (everyone's open threads at first). */
export const conversationsInput = (filters: InboxFilters) => ({ limit: 30, ...filters });

/** An open thread: the latest THREAD_PAGE messages ("Show earlier" widens the window). */
export const THREAD_PAGE = 50;
export const threadInput = (id: string, limit = THREAD_PAGE) => ({ id, limit });

/** The broadcasts page's history, 20 at a time. */
export const broadcastsInput = { limit: 20 };

/** The compose form's first recipient count: everyone, no text yet. */
export const firstPreviewInput = { audience: { type: 'all' as const }, body: '' };

/** The members table, 50 a page, for the search and filters chosen. */
export function membersInput(f: {
  search: string;
  branchId: string;
  tag: string;
  subscription: '' | SubscriptionState;
}) {
  return {
    search: f.search || undefined,
    branchId: f.branchId || undefined,
    tag: f.tag || undefined,
    subscription: f.subscription || undefined,
    limit: 50,
  };
}

/** /members?branch=<id|none> (linked from the branches page); anything else is no filter. */
export const branchParam = (v: string | null | undefined) =>
  v && (v === 'none' || /^[0-9a-f-]{36}$/i.test(v)) ? v : '';

/** Every paged list here carries the next page's cursor, or null at the end. */
export const nextCursor = (page: { nextCursor?: string | null }) => page.nextCursor ?? undefined;
