import { TRPCError } from '@trpc/server';
import { fetchRequestHandler } from '@trpc/server/adapters/fetch';
import { requestAddress } from '@/server/auth/next-auth';
import { requestClaims, sessionOf } from '@/server/auth/session';
import { readBody, withBody } from '@/server/http/body';
import { LIMITS, MAX_BATCH_SIZE } from '@/server/http/limits';
import { log } from '@/server/log';
import { requestIdFrom, runWithContext } from '@/server/observability/context';
import { appRouter } from '@/server/routers/_app';
import { getServices } from '@/server/services';
import { createContext } from '@/server/trpc';

// Where every browser request enters: /api/trpc/<router>.<procedure>.
async function handler(req: Request) {
  // Every log line and error report of this request carries its id and the caller's address; the id is echoed back.
  const requestId = requestIdFrom(req.headers);
  const ip = requestAddress(req.headers);
  const res = await runWithContext({ requestId, ip }, async () => {
    const services = getServices();
    // The body is read here, up to the limit, so an endless or oversized one is never parsed or held in memory.
    // Only a caller with a signed session cookie (checked without the database) may send an import-sized one.
    const claims = await requestClaims(services, req); // the token is decoded once, here
    const body = req.method === 'POST' ? await readBody(req, bodyLimit(req, !!claims)) : new Uint8Array(0);
    if (!body) log.warn('request refused: body too large');
    return fetchRequestHandler({
      endpoint: '/api/trpc',
      req: withBody(req, body ?? new Uint8Array(0)),
      router: appRouter,
      maxBatchSize: MAX_BATCH_SIZE,
      createContext: async () => {
        if (!body) throw new TRPCError({ code: 'PAYLOAD_TOO_LARGE', message: 'That request is too large.' });
        return createContext({ services, session: await sessionOf(services, claims), ip });
      },
    });
  });
  res.headers.set('x-request-id', requestId);
  return res;
}

/**
 * The CSV import may carry a 5 MB file, and a picture upload 5 MB of bytes; every other call, any batch mixing them
 * with others, and any signed-out call, 1 MB.
 */
const IMPORT_PROCEDURES = new Set(['members.import', 'members.importPreview']);

function bodyLimit(req: Request, signedIn: boolean) {
  const path = new URL(req.url).pathname.replace(/^\/api\/trpc\/?/, '');
  const paths = path.split(/,|%2C/i); // procedure names are plain ASCII: nothing else needs decoding
  if (signedIn && paths.length === 1 && paths[0] === 'media.upload') return LIMITS.trpcPicture;
  return signedIn && paths.every((p) => IMPORT_PROCEDURES.has(p)) ? LIMITS.trpcImport : LIMITS.trpc;
}

export { handler as GET, handler as POST };
