import { TRPCError } from '@trpc/server';
import { headers } from 'next/headers';
import { redirect } from 'next/navigation';
import { cache } from 'react';
import { safeCallbackUrl } from '../_components/errors';
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

/**
 * The viewer, for a page that needs one: a signed-out visitor goes to /login, to come back to this page. The layout
 * does the same, but a page renders alongside its layout and may get here first.
 */
export async function requireViewer(): Promise<Viewer> {
  const viewer = await getViewer();
  if (!viewer) redirect(await loginUrl());
  return viewer;
}

/**
 * /login with the page that was asked for (proxy.ts writes it) as its callbackUrl: a same-origin path only, and none
 * for the dashboard, where sign-in leads anyway.
 */
export async function loginUrl() {
  const asked = safeCallbackUrl((await headers()).get('x-steeple-path'));
  return asked === '/dashboard' ? '/login' : `/login?callbackUrl=${encodeURIComponent(asked)}`;
}
