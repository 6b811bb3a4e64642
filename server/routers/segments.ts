import { z } from 'zod';
import { audienceFilter, createSegmentInput, segmentId, updateSegmentInput } from '@/server/audiences/inputs';
import { countFilter, createSegment, deleteSegment, listSegments, updateSegment } from '@/server/audiences/segments';
import { permittedProcedure, router, tenantProcedure } from '@/server/trpc';

/**
 * Audiences (server/audiences/): saved segments and the live count of any set of conditions. Everyone may count and
 * use them (the members list); saving, changing and deleting one needs an admin or the owner.
 */
export const segmentsRouter = router({
  /** Alphabetically, ignoring case. */
  list: tenantProcedure.query(({ ctx }) => listSegments(ctx.db)),

  /** Members meeting the conditions, and how many of them may be texted. */
  count: tenantProcedure
    .input(z.object({ filter: audienceFilter }))
    .query(async ({ ctx, input }) =>
      countFilter(ctx.db, input.filter, (await ctx.services.profiles.get(ctx.tenantId)).timezone),
    ),

  create: permittedProcedure('segments.manage')
    .input(createSegmentInput)
    .mutation(({ ctx, input }) => createSegment(ctx.db, input, ctx.admin.id)),

  update: permittedProcedure('segments.manage')
    .input(updateSegmentInput)
    .mutation(({ ctx, input }) => updateSegment(ctx.db, input)),

  /** Broadcasts already sent to it keep their own copy of its conditions. */
  delete: permittedProcedure('segments.manage')
    .input(segmentId)
    .mutation(({ ctx, input }) => deleteSegment(ctx.db, input.id)),
});
