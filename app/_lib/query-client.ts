import { QueryClient } from '@tanstack/react-query';
import superjson from 'superjson';

/**
 * The one QueryClient setup, for the browser (providers.tsx) and for each server render (trpc-server.tsx). What a
 * server render prefetched crosses to the browser through superjson, the transformer server/trpc.ts speaks, so dates
 * arrive as dates. A query younger than staleTime is not fetched again, so hydrated data is used as it is.
 */
export function makeQueryClient() {
  return new QueryClient({
    defaultOptions: {
      queries: { staleTime: 5_000, retry: 1 },
      dehydrate: { serializeData: superjson.serialize },
      hydrate: { deserializeData: superjson.deserialize },
    },
  });
}
