import { fetchRequestHandler } from '@trpc/server/adapters/fetch';
import { clientIp } from '@/server/auth/next-auth';
import { readRequestSession } from '@/server/auth/session';
import { appRouter } from '@/server/routers/_app';
import { getServices } from '@/server/services';
import { createContext } from '@/server/trpc';

// Where every browser request enters: /api/trpc/<router>.<procedure>.
function handler(req: Request) {
  return fetchRequestHandler({
    endpoint: '/api/trpc',
    req,
    router: appRouter,
    createContext: async () => {
      const services = getServices();
      return createContext({ services, session: await readRequestSession(services, req), ip: clientIp(req.headers) });
    },
  });
}

export { handler as GET, handler as POST };
