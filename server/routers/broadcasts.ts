import { z } from 'zod';
import {
  cancelBroadcast,
  createBroadcast,
  getBroadcast,
  listBroadcasts,
  previewBroadcast,
} from '@/server/messaging/broadcasts';
import { audience, broadcastInput, cursorInput } from '@/server/messaging/inputs';
import { permittedProcedure, router, tenantProcedure } from '@/server/trpc';

const id = z.object({ id: z.string().uuid() });

// Composing and cancelling broadcasts is for admins and owners: one click texts the whole church.
export const broadcastsRouter = router({
  /** Newest first: { items (with delivery counts), nextCursor }. */
  list: tenantProcedure.input(cursorInput).query(({ ctx, input }) => listBroadcasts(ctx.db, input)),

  get: tenantProcedure.input(id).query(({ ctx, input }) => getBroadcast(ctx.db, input.id)),

  /** Who would receive it, how many are skipped, the text for a real recipient, and what it costs at most. */
  preview: tenantProcedure
    .input(
      z.object({ audience, body: z.string().max(1600).default(''), scheduledAt: broadcastInput.shape.scheduledAt }),
    )
    .query(({ ctx, input }) => previewBroadcast(ctx.services, ctx, input)),

  create: permittedProcedure('broadcasts.manage')
    .input(broadcastInput)
    .mutation(({ ctx, input }) => createBroadcast(ctx.services, ctx, input, ctx.admin.id)),

  /** Stops a scheduled or running broadcast; messages already sent stay sent, the rest are dropped. */
  cancel: permittedProcedure('broadcasts.manage')
    .input(id)
    .mutation(({ ctx, input }) => cancelBroadcast(ctx.db, input.id)),
});
