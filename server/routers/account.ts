import { changePassword } from '@/server/auth/password-change';
import { changePasswordInput } from '@/server/inputs';
import { forgetBrowsers } from '@/server/notifications/settings';
import { router, tenantProcedure } from '@/server/trpc';

export const accountRouter = router({
  /** Who is signed in, for the header and menus (role from the church's database). */
  me: tenantProcedure.meta({ twoFactorSetupOk: true }).query(async ({ ctx }) => {
    const [church, access] = await Promise.all([
      ctx.services.profiles.get(ctx.tenantId),
      ctx.services.access.get(ctx.tenantId),
    ]);
    // Billing access rides along, so every page can show the read-only or payment banner without another call;
    // and whether the church's two-factor rule still waits on this admin, so the shell can ask for it first.
    return { ...ctx.admin, churchName: church.name, access, mustSetUpTwoFactor: ctx.twoFactorMissing };
  }),

  /** Changing the password signs out every other session of this admin. */
  changePassword: tenantProcedure
    .meta({ readOnlyOk: true })
    .input(changePasswordInput)
    .mutation(({ ctx, input }) =>
      changePassword(ctx.services, { ...ctx, adminId: ctx.admin.id, sessionId: ctx.session.sessionId }, input),
    ),

  /** Ends every session of this admin, this one included, and turns off their browser notifications everywhere. */
  signOutEverywhere: tenantProcedure.meta({ readOnlyOk: true, twoFactorSetupOk: true }).mutation(async ({ ctx }) => {
    const sessionsSignedOut = await ctx.services.sessions.revokeAdmin(ctx.tenantId, ctx.admin.id);
    await forgetBrowsers(ctx.db, ctx.admin.id);
    return { sessionsSignedOut };
  }),
});
