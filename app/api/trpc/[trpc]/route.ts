import { fetchRequestHandler } from '@trpc/server/adapters/fetch';
import { clientIp } from '@/server/auth/next-auth';
import { readRequestSession } from '@/server/auth/session';
import { requestIdFrom, runWithContext } from '@/server/observability/context';
import { appRouter } from '@/server/routers/_app';
import { getServices } from '@/server/services';
import { createContext } from '@/server/trpc';

// Where every browser request enters: /api/trpc/<router>.<procedure>.
async function handler(req: Request) {
  // Every log line and error report of this request carries its id; the caller gets it back to quote.
  const requestId = requestIdFrom(req.headers);
  const res = await runWithContext({ requestId }, () =>
    fetchRequestHandler({
      endpoint: '/api/trpc',
      req,
      router: appRouter,
      createContext: async () => {
        const services = getServices();
        return createContext({ services, session: await readRequestSession(services, req), ip: clientIp(req.headers) });
      },
    }),
  );
  res.headers.set('x-request-id', requestId);
  return res;
}

export { handler as GET, handler as POST };
