import { consentHistory } from '@/server/members/consent';
import { commitImport, previewImport } from '@/server/members/csv-import';
import { membersCsv } from '@/server/members/export';
import { createMemberInput, importInput, listMembersInput, memberId, updateMemberInput } from '@/server/members/inputs';
import { memberProfile } from '@/server/members/profile';
import { getMember, listMembers, tagsInUse } from '@/server/members/queries';
import { createMember, deleteMember, updateMember } from '@/server/members/writes';
import { wakeIfEnrolled } from '@/server/sequences/jobs';
import { permittedProcedure, router, tenantProcedure, type Context } from '@/server/trpc';

/** Phone numbers are read and shown against the church's country (kept in the registry with its profile). */
const countryOf = (ctx: Pick<Context, 'services'> & { tenantId: string }) =>
  ctx.services.profiles.country(ctx.tenantId);

/**
 * Permissions: staff read, add and edit members, because they text people and keep details current; consent follows
 * its own rules for everyone (server/members/consent.ts): nobody can re-subscribe someone who opted out. Deleting a
 * member (which also deletes their conversation) and importing a file (which changes many members at once) need
 * an admin or the owner.
 */
export const membersRouter = router({
  /** One page: { items, nextCursor, total } (`total` with the first page only). */
  list: tenantProcedure
    .input(listMembersInput)
    .query(async ({ ctx, input }) => listMembers(ctx.db, input, await ctx.services.profiles.get(ctx.tenantId))),

  get: tenantProcedure
    .input(memberId)
    .query(async ({ ctx, input }) => getMember(ctx.db, input.id, await countryOf(ctx))),

  /**
   * A member's page: the member, their church's fields by name, their conversation's id, and the next scheduled
   * broadcasts whose audience includes them. Everyone who sees the list sees the page.
   */
  profile: tenantProcedure
    .input(memberId)
    .query(async ({ ctx, input }) => memberProfile(ctx.db, input.id, await ctx.services.profiles.get(ctx.tenantId))),

  create: tenantProcedure.input(createMemberInput).mutation(async ({ ctx, input }) => {
    const country = await countryOf(ctx);
    const { id } = await createMember(ctx.db, input, country, ctx.admin);
    await wakeIfEnrolled(ctx.services, ctx.db, ctx.tenantId); // a tag may start a sequence
    return getMember(ctx.db, id, country);
  }),

  update: tenantProcedure.input(updateMemberInput).mutation(async ({ ctx, input }) => {
    const country = await countryOf(ctx);
    await updateMember(ctx.db, input, country, ctx.admin);
    await wakeIfEnrolled(ctx.services, ctx.db, ctx.tenantId);
    return getMember(ctx.db, input.id, country);
  }),

  /** Every change of their consent: who, how (their text and its id, an import, an admin's note) and when. */
  consentLog: tenantProcedure.input(memberId).query(({ ctx, input }) => consentHistory(ctx.db, input.id)),

  delete: permittedProcedure('members.delete')
    .input(memberId)
    .mutation(({ ctx, input }) => deleteMember(ctx.db, input.id)),

  /** All members as CSV (admins): allowed even while the church is read-only. */
  export: permittedProcedure('members.export').query(async ({ ctx }) => ({
    filename: 'members.csv',
    csv: await membersCsv(ctx.db, ctx.admin.id),
  })),

  /** Every tag in use, alphabetically. */
  tags: tenantProcedure.query(({ ctx }) => tagsInUse(ctx.db)),

  /** What importing this CSV would do, row by row, without writing anything. */
  importPreview: permittedProcedure('members.import')
    .meta({ readOnlyOk: true })
    .input(importInput)
    .mutation(async ({ ctx, input }) =>
      previewImport(ctx.db, input.csv, { country: await countryOf(ctx), consentConfirmed: !!input.consentConfirmed }),
    ),

  /** Checks the CSV again and writes every good row: { created, updated, skipped, errors: [{ row, messages }] }. */
  import: permittedProcedure('members.import')
    .input(importInput)
    .mutation(async ({ ctx, input }) => {
      const options = { country: await countryOf(ctx), consentConfirmed: !!input.consentConfirmed };
      const result = await commitImport(ctx.db, input.csv, options, ctx.admin);
      await wakeIfEnrolled(ctx.services, ctx.db, ctx.tenantId);
      return result;
    }),
});
