import { dehydrate, HydrationBoundary, type QueryClient } from '@tanstack/react-query';
import { createTRPCOptionsProxy } from '@trpc/tanstack-react-query';
import { headers } from 'next/headers';
import { connection } from 'next/server';
import { cache, type ReactNode } from 'react';
import { requestAddress } from '@/server/auth/next-auth';
import { currentSession } from '@/server/auth/current-session';
import { appRouter } from '@/server/routers/_app';
import { createContext } from '@/server/trpc';
import { makeQueryClient } from './query-client';

/**
 * For server components only: pages arrive with their data. A page prefetches the queries its client components ask
 * for first (same procedures, same inputs, so the same query keys), wraps them in <HydrateClient>, and the browser's
 * cache starts full; the components keep their useQuery calls, which poll and refetch as before.
 */

/** One QueryClient per request (React's cache), so everything a render prefetched is sent in one state. */
const getQueryClient = cache(makeQueryClient);

/**
 * The request's tRPC context, built as the HTTP route builds it (server/trpc.ts createContext): the session from the
 * signed, unrevoked cookie is the only source of the church, and the address is the client's. Once per request.
 */
export const serverContext = cache(async () => {
  await connection(); // per request, never prerendered
  const session = await currentSession();
  return createContext({ session, ip: requestAddress(await headers()) });
});

/** Procedures called in-process (no HTTP), through the same middleware: permissions, read-only, availability. */
export const trpc = createTRPCOptionsProxy({ router: appRouter, ctx: serverContext, queryClient: getQueryClient });

type QueryOptions = Parameters<QueryClient['prefetchQuery']>[0];
type InfiniteOptions = Parameters<QueryClient['prefetchInfiniteQuery']>[0];
/** What trpc.<path>.queryOptions() or .infiniteQueryOptions() returns (typed per procedure: only the key is common). */
type Prefetchable = { queryKey: readonly unknown[] };

/**
 * Run these queries now (in parallel) so the HTML carries their data. A failure is not sent to the browser (only
 * successful queries are dehydrated): the component asks again and shows its own message, as it always has.
 */
export async function prefetch(...queries: Prefetchable[]) {
  const client = getQueryClient();
  await Promise.all(
    queries.map((q) =>
      isInfinite(q)
        ? client.prefetchInfiniteQuery(q as unknown as InfiniteOptions)
        : client.prefetchQuery(q as unknown as QueryOptions),
    ),
  );
}

/** tRPC marks an infinite query's key: [path, { input, type: 'infinite' }]. */
const isInfinite = (q: Prefetchable) => (q.queryKey[1] as { type?: string } | undefined)?.type === 'infinite';

/** Sends what this request prefetched so far to the browser's QueryClient (superjson, as the HTTP link). */
export function HydrateClient({ children }: { children: ReactNode }) {
  return <HydrationBoundary state={dehydrate(getQueryClient())}>{children}</HydrationBoundary>;
}
