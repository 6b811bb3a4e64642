'use client';

import { QueryClientProvider } from '@tanstack/react-query';
import { createTRPCClient, httpBatchLink, httpLink, isNonJsonSerializable, splitLink } from '@trpc/client';
import { useEffect, useState } from 'react';
import superjson from 'superjson';
import { MAX_BATCH_SIZE, MAX_URL_LENGTH } from '@/server/http/limits';
import type { AppRouter } from '@/server/routers/_app';
import { makeQueryClient } from './_lib/query-client';
import { TRPCProvider } from './trpc';

/** superjson, except a file's bytes, which go as they are (application/octet-stream: server/routers/media.ts). */
const bytesAsThey = {
  serialize: (data: unknown) => (isNonJsonSerializable(data) ? data : superjson.serialize(data)),
  deserialize: (data: unknown) => superjson.deserialize(data as Parameters<typeof superjson.deserialize>[0]),
};

export function Providers({ children }: { children: React.ReactNode }) {
  const [queryClient] = useState(makeQueryClient); // the server renders' setup too (hydration speaks superjson)
  const [trpcClient] = useState(() =>
    createTRPCClient<AppRouter>({
      links: [
        // The CSV import and picture uploads travel alone (their own, larger body limits; a picture as raw bytes);
        // everything else is batched within the server's caps.
        splitLink({
          condition: (op) => op.path.startsWith('members.import') || op.path === 'media.upload',
          true: httpLink({ url: '/api/trpc', transformer: bytesAsThey }),
          false: httpBatchLink({
            url: '/api/trpc',
            transformer: superjson,
            maxItems: MAX_BATCH_SIZE,
            maxURLLength: MAX_URL_LENGTH,
          }),
        }),
      ],
    }),
  );
  // Marks the document once React has hydrated it (end-to-end tests wait for this before typing or clicking).
  useEffect(() => {
    document.documentElement.dataset.hydrated = 'true';
  }, []);
  return (
    <QueryClientProvider client={queryClient}>
      <TRPCProvider trpcClient={trpcClient} queryClient={queryClient}>
        {children}
      </TRPCProvider>
    </QueryClientProvider>
  );
}
