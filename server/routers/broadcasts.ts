import { z } from 'zod';
import {
  cancelBroadcast,
  createBroadcast,
  getBroadcast,
  listBroadcasts,
  previewBroadcast,
} from '@/server/messaging/broadcasts';
import { audience, broadcastInput, cursorInput } from '@/server/messaging/inputs';
import {
  createSeries,
  listSeries,
  previewSeries,
  skipOccurrence,
  stopSeries,
  unskipOccurrence,
} from '@/server/messaging/series';
import { occurrenceInput, repeatInput, seriesId, seriesInput } from '@/server/messaging/series-inputs';
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
      z.object({
        audience,
        body: z.string().max(1600).default(''),
        /** A picture is attached: each text is one MMS. */
        picture: z.boolean().default(false),
        scheduledAt: broadcastInput.shape.scheduledAt,
      }),
    )
    .query(({ ctx, input }) => previewBroadcast(ctx.services, ctx, input)),

  create: permittedProcedure('broadcasts.manage')
    .input(broadcastInput)
    .mutation(({ ctx, input }) => createBroadcast(ctx.services, ctx, input, ctx.admin.id)),

  /** Stops a scheduled or running broadcast; messages already sent stay sent, the rest are dropped. */
  cancel: permittedProcedure('broadcasts.manage')
    .input(id)
    .mutation(({ ctx, input }) => cancelBroadcast(ctx.services, ctx, input.id, ctx.admin.id)),

  // Repeating broadcasts (server/messaging/series.ts): each date is a broadcast of its own in the list above.

  /** The church's series, newest first, with their next dates; and its today and latest end date for the form. */
  series: tenantProcedure.query(({ ctx }) => listSeries(ctx.services, ctx)),

  /** A repeat as the form has it: in words, how many dates, and the next few in the church's time. */
  previewSeries: tenantProcedure
    .input(repeatInput)
    .query(({ ctx, input }) => previewSeries(ctx.services, ctx.tenantId, input)),

  /** A repeating broadcast: checked as a broadcast is; its first date is scheduled at once. */
  createSeries: permittedProcedure('broadcasts.manage')
    .input(seriesInput)
    .mutation(({ ctx, input }) => createSeries(ctx.services, ctx, input, ctx.admin.id)),

  /** One date is not sent (its broadcast is cancelled if it was made); the next date is made. */
  skipOccurrence: permittedProcedure('broadcasts.manage')
    .input(occurrenceInput)
    .mutation(({ ctx, input }) => skipOccurrence(ctx.services, ctx, input, ctx.admin.id)),

  unskipOccurrence: permittedProcedure('broadcasts.manage')
    .input(occurrenceInput)
    .mutation(({ ctx, input }) => unskipOccurrence(ctx.services, ctx, input, ctx.admin.id)),

  /** No more dates: the scheduled ones are cancelled. */
  stopSeries: permittedProcedure('broadcasts.manage')
    .input(seriesId)
    .mutation(({ ctx, input }) => stopSeries(ctx.db, input.id, ctx.admin.id)),
});
