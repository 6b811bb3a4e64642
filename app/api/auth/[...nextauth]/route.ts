import NextAuth from 'next-auth';
import { NextRequest } from 'next/server';
import { authOptions, requestAddress } from '@/server/auth/next-auth';
import { readBody, tooLarge } from '@/server/http/body';
import { LIMITS } from '@/server/http/limits';
import { requestIdFrom, runWithContext } from '@/server/observability/context';

// Sign-in, sign-out and the session cookie. Options are built per request so the build needs no secrets.
async function handler(req: Request, ctx: { params: Promise<{ nextauth: string[] }> }) {
  return runWithContext({ requestId: requestIdFrom(req.headers), ip: requestAddress(req.headers) }, async () => {
    const body = req.method === 'POST' ? await readBody(req, LIMITS.auth) : null;
    if (req.method === 'POST' && !body) return tooLarge();
    // next-auth reads `nextUrl`, so the rebuilt request (its body now in memory) is a NextRequest.
    const request = body
      ? new NextRequest(req.url, { method: req.method, headers: req.headers, body: body as BodyInit })
      : req;
    return NextAuth(request as never, ctx as never, authOptions());
  });
}

export { handler as GET, handler as POST };
