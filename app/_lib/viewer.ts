import { TRPCError } from '@trpc/server';
import { cache } from 'react';
import { appRouter } from '@/server/routers/_app';
import { serverContext } from './trpc-server';

/**
 * For server components only. The signed-in admin as `account.me` sees them (name, email, church, and the role read
 * from the church's database), or null when signed out, revoked, removed or the church is gone. Cached per request,
 * so the layout and the page share one lookup.
 */
export const getViewer = cache(async () => {
  const ctx = await serverContext(); // the same context the page's prefetches use
  if (!ctx.session) return null;
  const caller = appRouter.createCaller(ctx);
  try {
    return await caller.account.me();
  } catch (err) {
    if (err instanceof TRPCError && (err.code === 'UNAUTHORIZED' || err.code === 'FORBIDDEN')) return null;
    throw err; // busy or unavailable: the error boundary offers a retry
  }
});

export type Viewer = NonNullable<Awaited<ReturnType<typeof getViewer>>>;
