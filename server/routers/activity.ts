import { activityListInput, listActivity } from '@/server/activity/list';
import { permittedProcedure, router } from '@/server/trpc';

// The owner and admins: who did what, when and from where (server/activity/).
export const activityRouter = router({
  /** Newest first, by group of actions and by person: { items, nextCursor }. */
  list: permittedProcedure('activity.view')
    .input(activityListInput)
    .query(async ({ ctx, input }) =>
      listActivity(ctx.db, input, (await ctx.services.profiles.get(ctx.tenantId)).country),
    ),
});
