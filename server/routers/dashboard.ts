import { dashboardSummary } from '@/server/church/dashboard';
import { router, tenantProcedure } from '@/server/trpc';

export const dashboardRouter = router({
  /** Counts for the cards, and messages per day for the last 30 days in the church's own timezone. */
  summary: tenantProcedure.query(({ ctx }) => dashboardSummary(ctx.services, ctx.db, ctx.tenantId)),
});
