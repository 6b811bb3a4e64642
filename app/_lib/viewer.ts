import { TRPCError } from '@trpc/server';
import { headers } from 'next/headers';
import { connection } from 'next/server';
import { cache } from 'react';
import { requestAddress } from '@/server/auth/next-auth';
import { currentSession } from '@/server/auth/current-session';
import { appRouter } from '@/server/routers/_app';
import { createContext } from '@/server/trpc';

/**
 * For server components only. The signed-in admin as `account.me` sees them (name, email, church, and the role read
 * from the church's database), or null when signed out, revoked, removed or the church is gone. Cached per request,
 * so the layout and the page share one lookup.
 */
export const getViewer = cache(async () => {
  await connection(); // per request, never prerendered
  const session = await currentSession();
  if (!session) return null;
  const caller = appRouter.createCaller(createContext({ session, ip: requestAddress(await headers()) }));
  try {
    return await caller.account.me();
  } catch (err) {
    if (err instanceof TRPCError && (err.code === 'UNAUTHORIZED' || err.code === 'FORBIDDEN')) return null;
    throw err; // busy or unavailable: the error boundary offers a retry
  }
});

export type Viewer = NonNullable<Awaited<ReturnType<typeof getViewer>>>;
