import { TRPCError } from '@trpc/server';
import { and, asc, eq, isNull } from 'drizzle-orm';
import { z } from 'zod';
import { adminEmailIndex } from '@/db/registry/schema';
import { admins, invites } from '@/db/tenant/schema';
import { acceptInviteInput, inviteInput } from '@/server/inputs';
import { acceptInvite, createInvite, describeInvite, revokeInvite } from '@/server/team/invites';
import { withDeadline } from '@/server/registry';
import { publicProcedure, permittedProcedure, router } from '@/server/trpc';

const adminId = z.object({ adminId: z.string().uuid() });

export const teamRouter = router({
  /** Everyone who can sign in, and pending invitations. */
  list: permittedProcedure('team.view').query(async ({ ctx }) => ({
    members: await ctx.db
      .select({ id: admins.id, name: admins.name, email: admins.email, role: admins.role })
      .from(admins)
      .orderBy(asc(admins.createdAt)),
    invites: await ctx.db
      .select({ id: invites.id, email: invites.email, role: invites.role, expiresAt: invites.expiresAt })
      .from(invites)
      .where(isNull(invites.acceptedAt))
      .orderBy(asc(invites.createdAt)),
  })),

  /** Invite by email: the link is emailed when SMTP is configured, and always returned for the owner to copy. */
  invite: permittedProcedure('team.manage')
    .input(inviteInput)
    .mutation(async ({ ctx, input }) => {
      await ctx.services.throttle.inviteAttempt(ctx.tenantId); // each invitation emails a stranger: a few an hour
      const [member] = await ctx.db.select({ id: admins.id }).from(admins).where(eq(admins.email, input.email));
      if (member) throw new TRPCError({ code: 'CONFLICT', message: 'This person is already on your team.' });
      return createInvite(ctx.services, ctx.db, { tenantId: ctx.tenantId, adminId: ctx.admin.id }, input);
    }),

  revokeInvite: permittedProcedure('team.manage')
    .input(z.object({ id: z.string().uuid() }))
    .mutation(({ ctx, input }) => revokeInvite(ctx.services, ctx.db, input.id)),

  changeRole: permittedProcedure('team.manage')
    .input(adminId.extend({ role: z.enum(['owner', 'admin', 'staff']) }))
    .mutation(async ({ ctx, input }) => {
      if (input.adminId === ctx.admin.id)
        throw new TRPCError({ code: 'BAD_REQUEST', message: 'You cannot change your own role.' });
      const [changed] = await ctx.db
        .update(admins)
        .set({ role: input.role, updatedAt: new Date() })
        .where(eq(admins.id, input.adminId))
        .returning({ id: admins.id });
      if (!changed) throw new TRPCError({ code: 'NOT_FOUND', message: 'That person is not on your team.' });
      return { ok: true };
    }),

  /** Removal deletes the admin, frees the email and ends their sessions everywhere. */
  remove: permittedProcedure('team.manage')
    .input(adminId)
    .mutation(async ({ ctx, input }) => {
      if (input.adminId === ctx.admin.id)
        throw new TRPCError({ code: 'BAD_REQUEST', message: 'You cannot remove yourself.' });
      const [removed] = await ctx.db
        .delete(admins)
        .where(eq(admins.id, input.adminId))
        .returning({ email: admins.email });
      if (!removed) throw new TRPCError({ code: 'NOT_FOUND', message: 'That person is not on your team.' });
      const { registry } = ctx.services;
      const freed = registry.db
        .delete(adminEmailIndex)
        .where(and(eq(adminEmailIndex.email, removed.email), eq(adminEmailIndex.tenantId, ctx.tenantId)));
      await withDeadline(freed, registry.timeoutMs);
      await ctx.services.sessions.revokeAdmin(ctx.tenantId, input.adminId);
      return { ok: true };
    }),

  /** Public: what the invite page shows before the person accepts. */
  invitation: publicProcedure
    .input(z.object({ token: z.string().min(20).max(100) }))
    .query(({ ctx, input }) => describeInvite(ctx.services, input.token)),

  /** Public: accept an invitation by choosing a name and password; the page then signs in with them. */
  accept: publicProcedure.input(acceptInviteInput).mutation(({ ctx, input }) => acceptInvite(ctx.services, input)),
});
