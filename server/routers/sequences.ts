import { z } from 'zod';
import { wakeSequences } from '@/server/sequences/jobs';
import { enrollmentId, enrollInput, sequenceId, sequenceInput, updateSequenceInput } from '@/server/sequences/inputs';
import {
  createSequence,
  deleteSequence,
  enrollMembers,
  getSequence,
  listSequences,
  memberSequences,
  removeEnrollment,
  setPaused,
  updateSequence,
} from '@/server/sequences/manage';
import { permittedProcedure, router, tenantProcedure } from '@/server/trpc';

/**
 * Sequences: follow-up that runs itself (server/sequences/). Everyone sees them and how they are doing; writing,
 * pausing and enrolling need an admin or the owner, as they text people in the church's name. A write that may make
 * a step due wakes the church's runner.
 */
export const sequencesRouter = router({
  /** Alphabetically, with their triggers and how many are going through each. */
  list: tenantProcedure.query(({ ctx }) => listSequences(ctx.db)),

  get: tenantProcedure.input(sequenceId).query(({ ctx, input }) => getSequence(ctx.db, input.id)),

  /** The sequences one member is in, or was: where they are and what comes next. */
  forMember: tenantProcedure
    .input(z.object({ memberId: z.string().uuid('That member does not exist.') }))
    .query(({ ctx, input }) => memberSequences(ctx.db, input.memberId)),

  create: permittedProcedure('sequences.manage')
    .input(sequenceInput)
    .mutation(async ({ ctx, input }) => {
      const { id, wake } = await createSequence(ctx.db, input, ctx.admin.id);
      await wakeSequences(ctx.services, ctx.tenantId, wake);
      return { id };
    }),

  update: permittedProcedure('sequences.manage')
    .input(updateSequenceInput)
    .mutation(async ({ ctx, input }) => {
      const { id, wake } = await updateSequence(ctx.db, input);
      await wakeSequences(ctx.services, ctx.tenantId, wake);
      return { id };
    }),

  setPaused: permittedProcedure('sequences.manage')
    .input(sequenceId.extend({ paused: z.boolean() }))
    .mutation(async ({ ctx, input }) => {
      const { id, wake } = await setPaused(ctx.db, input.id, input.paused);
      await wakeSequences(ctx.services, ctx.tenantId, wake);
      return { id };
    }),

  delete: permittedProcedure('sequences.manage')
    .input(sequenceId)
    .mutation(({ ctx, input }) => deleteSequence(ctx.db, input.id)),

  /** Chosen members, or an audience: how many joined, and how many could not (not subscribed, or been through it). */
  enroll: permittedProcedure('sequences.manage')
    .input(enrollInput)
    .mutation(async ({ ctx, input }) => {
      const { timezone } = await ctx.services.profiles.get(ctx.tenantId);
      const { wake, ...counts } = await enrollMembers(ctx.db, input, ctx.admin.id, timezone);
      await wakeSequences(ctx.services, ctx.tenantId, wake);
      return counts;
    }),

  /** Takes one person out: their remaining steps are not sent. */
  remove: permittedProcedure('sequences.manage')
    .input(enrollmentId)
    .mutation(({ ctx, input }) => removeEnrollment(ctx.db, input.enrollmentId)),
});
