import { TRPCError } from '@trpc/server';
import { eq } from 'drizzle-orm';
import { admins } from '@/db/tenant/schema';
import { hashPassword, verifyPassword } from '@/server/auth/password';
import { changePasswordInput } from '@/server/inputs';
import { router, tenantProcedure } from '@/server/trpc';

export const accountRouter = router({
  /** Who is signed in, for the header and menus (role from the church's database). */
  me: tenantProcedure.query(async ({ ctx }) => {
    const [church, access] = await Promise.all([
      ctx.services.profiles.get(ctx.tenantId),
      ctx.services.access.get(ctx.tenantId),
    ]);
    // Billing access rides along, so every page can show the read-only or payment banner without another call.
    return { ...ctx.admin, churchName: church.name, access };
  }),

  /** Changing the password signs out every other session of this admin. */
  changePassword: tenantProcedure
    .meta({ readOnlyOk: true })
    .input(changePasswordInput)
    .mutation(async ({ ctx, input }) => {
      // Counted before the current password is checked: a stolen session cannot be used to guess it quickly.
      await ctx.services.throttle.passwordChangeAttempt(ctx.tenantId, ctx.admin.id);
      const [me] = await ctx.db.select({ hash: admins.passwordHash }).from(admins).where(eq(admins.id, ctx.admin.id));
      if (!me || !(await verifyPassword(me.hash, input.currentPassword))) {
        throw new TRPCError({ code: 'BAD_REQUEST', message: 'Your current password is not correct.' });
      }
      await ctx.db
        .update(admins)
        .set({ passwordHash: await hashPassword(input.newPassword), updatedAt: new Date() })
        .where(eq(admins.id, ctx.admin.id));
      const signedOut = await ctx.services.sessions.revokeAdmin(ctx.tenantId, ctx.admin.id, ctx.session.sessionId);
      return { otherSessionsSignedOut: signedOut };
    }),

  /** Ends every session of this admin, this one included. */
  signOutEverywhere: tenantProcedure.meta({ readOnlyOk: true }).mutation(async ({ ctx }) => {
    return { sessionsSignedOut: await ctx.services.sessions.revokeAdmin(ctx.tenantId, ctx.admin.id) };
  }),
});
