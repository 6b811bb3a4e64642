import { requireTimeZone } from '@/server/church/timezones';
import { createBranch, deleteBranch, listBranches, updateBranch } from '@/server/members/branches';
import { branchId, createBranchInput, updateBranchInput } from '@/server/members/inputs';
import { permittedProcedure, router, tenantProcedure } from '@/server/trpc';

/**
 * Everyone may see the branches (member filters and forms); adding, changing and deleting them needs an admin or the
 * owner.
 */
export const branchesRouter = router({
  /** [{ id, name, address, timezone, memberCount, createdAt }], alphabetically. */
  list: tenantProcedure.query(({ ctx }) => listBranches(ctx.db)),

  /** The timezone defaults to the church's. */
  create: permittedProcedure('branches.manage')
    .input(createBranchInput)
    .mutation(async ({ ctx, input }) => {
      if (input.timezone) await requireTimeZone(ctx.services.registry, input.timezone);
      return createBranch(ctx.db, input, (await ctx.services.profiles.get(ctx.tenantId)).timezone);
    }),

  update: permittedProcedure('branches.manage')
    .input(updateBranchInput)
    .mutation(async ({ ctx, input }) => {
      if (input.timezone) await requireTimeZone(ctx.services.registry, input.timezone);
      return updateBranch(ctx.db, input);
    }),

  delete: permittedProcedure('branches.manage')
    .input(branchId)
    .mutation(({ ctx, input }) => deleteBranch(ctx.db, input.id)),
});
