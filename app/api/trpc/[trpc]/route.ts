import { fetchRequestHandler } from '@trpc/server/adapters/fetch';
import { appRouter } from '@/server/routers/_app';
import { createContext } from '@/server/trpc';

// Where every browser request enters: /api/trpc/<router>.<procedure>.
function handler(req: Request) {
  return fetchRequestHandler({
    endpoint: '/api/trpc',
    req,
    router: appRouter,
    createContext: () => createContext({ session: null }), // sessions come with sign-in (accounts issue)
  });
}

export { handler as GET, handler as POST };
