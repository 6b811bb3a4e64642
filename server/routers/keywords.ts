import { createKeywordInput, keywordId, updateKeywordInput } from '@/server/keywords/inputs';
import { createKeyword, deleteKeyword, keywordStats, listKeywords, updateKeyword } from '@/server/keywords/manage';
import { permittedProcedure, router, tenantProcedure } from '@/server/trpc';

/**
 * Keywords people text in ("JOIN") to join the list (server/keywords/). Everyone sees them and how they are doing;
 * adding, changing and deleting them needs an admin or the owner, as their replies speak for the church.
 */
export const keywordsRouter = router({
  /** Alphabetically, each with its uses and new members over the last 30 days. */
  list: tenantProcedure.query(({ ctx }) => listKeywords(ctx.db)),

  create: permittedProcedure('keywords.manage')
    .input(createKeywordInput)
    .mutation(({ ctx, input }) => createKeyword(ctx.db, input, ctx.admin.id)),

  update: permittedProcedure('keywords.manage')
    .input(updateKeywordInput)
    .mutation(({ ctx, input }) => updateKeyword(ctx.db, input)),

  delete: permittedProcedure('keywords.manage')
    .input(keywordId)
    .mutation(({ ctx, input }) => deleteKeyword(ctx.db, input.id)),

  /** Uses and new members per day for 30 days, in the church's timezone. */
  stats: tenantProcedure
    .input(keywordId)
    .query(async ({ ctx, input }) =>
      keywordStats(ctx.db, input.id, (await ctx.services.profiles.get(ctx.tenantId)).timezone),
    ),
});
