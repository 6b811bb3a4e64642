import { churchProfile } from '@/server/church/profile';
import { requireTimeZone } from '@/server/church/timezones';
import { createBranch, deleteBranch, listBranches, updateBranch } from '@/server/members/branches';
import { branchId, createBranchInput, updateBranchInput } from '@/server/members/inputs';
import { roleProcedure, router, tenantProcedure } from '@/server/trpc';

/** Everyone may see the branches (member filters and forms); adding, changing and deleting them needs an admin or the owner. */
export const branchesRouter = router({
  /** [{ id, name, address, timezone, memberCount, createdAt }], alphabetically. */
  list: tenantProcedure.query(({ ctx }) => listBranches(ctx.db)),

  /** The timezone defaults to the church's. */
  create: roleProcedure('admin')
    .input(createBranchInput)
    .mutation(async ({ ctx, input }) => {
      if (input.timezone) await requireTimeZone(ctx.services.registry, input.timezone, ctx.services.config.REGISTRY_TIMEOUT_MS);
      return createBranch(ctx.db, input, (await churchProfile(ctx.services.registry, ctx.tenantId)).timezone);
    }),

  update: roleProcedure('admin')
    .input(updateBranchInput)
    .mutation(async ({ ctx, input }) => {
      if (input.timezone) await requireTimeZone(ctx.services.registry, input.timezone, ctx.services.config.REGISTRY_TIMEOUT_MS);
      return updateBranch(ctx.db, input);
    }),

  delete: roleProcedure('admin').input(branchId).mutation(({ ctx, input }) => deleteBranch(ctx.db, input.id)),
});
