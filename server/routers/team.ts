import { z } from 'zod';
import { ADMIN_ROLES } from '@/db/tenant/enums';
import { acceptInviteInput, inviteInput } from '@/server/inputs';
import { acceptInvite, describeInvite, revokeInvite } from '@/server/team/invites';
import { changeRole, inviteTeammate, removeTeammate, teamWithInvites } from '@/server/team/roster';
import { publicProcedure, permittedProcedure, router } from '@/server/trpc';

const adminId = z.object({ adminId: z.string().uuid() });

export const teamRouter = router({
  /** Everyone who can sign in, and pending invitations. */
  list: permittedProcedure('team.view').query(({ ctx }) => teamWithInvites(ctx.db)),

  /** Invite by email: the link is emailed when SMTP is configured, and always returned for the owner to copy. */
  invite: permittedProcedure('team.manage')
    .input(inviteInput)
    .mutation(({ ctx, input }) => inviteTeammate(ctx.services, ctx, input, ctx.admin.id)),

  revokeInvite: permittedProcedure('team.manage')
    .input(z.object({ id: z.string().uuid() }))
    .mutation(({ ctx, input }) => revokeInvite(ctx.services, ctx.db, input.id, ctx.admin.id)),

  changeRole: permittedProcedure('team.manage')
    .input(adminId.extend({ role: z.enum(ADMIN_ROLES) }))
    .mutation(({ ctx, input }) => changeRole(ctx.db, ctx.admin.id, input)),

  /** Removal deletes the admin, frees the email and ends their sessions everywhere. */
  remove: permittedProcedure('team.manage')
    .input(adminId)
    .mutation(({ ctx, input }) => removeTeammate(ctx.services, ctx, ctx.admin.id, input.adminId)),

  /** Public: what the invite page shows before the person accepts. */
  invitation: publicProcedure
    .input(z.object({ token: z.string().min(20).max(100) }))
    .query(({ ctx, input }) => describeInvite(ctx.services, input.token)),

  /** Public: accept an invitation by choosing a name and password; the page then signs in with them. */
  accept: publicProcedure.input(acceptInviteInput).mutation(({ ctx, input }) => acceptInvite(ctx.services, input)),
});
