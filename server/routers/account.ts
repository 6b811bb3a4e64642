import { changePassword } from '@/server/auth/password-change';
import { displayedMobile, setMobile } from '@/server/auth/mobile';
import { changePasswordInput, mobileInput } from '@/server/inputs';
import { verificationOf } from '@/server/messaging/team-only';
import { forgetBrowsers } from '@/server/notifications/settings';
import { router, tenantProcedure } from '@/server/trpc';

export const accountRouter = router({
  /** Who is signed in, for the header and menus (role from the church's database). */
  me: tenantProcedure.meta({ twoFactorSetupOk: true }).query(async ({ ctx }) => {
    const [church, access, verification] = await Promise.all([
      ctx.services.profiles.get(ctx.tenantId),
      ctx.services.access.get(ctx.tenantId),
      verificationOf(ctx.db),
    ]);
    // Billing access and the owner's email check ride along, so every page can show their banners without another
    // call; and whether the church's two-factor rule still waits on this admin, so the shell can ask for it first.
    return {
      ...ctx.admin,
      churchName: church.name,
      access,
      verification,
      phone: displayedMobile(ctx.admin.phone, church.country),
      mustSetUpTwoFactor: ctx.twoFactorMissing,
    };
  }),

  /** Their own mobile: texts to it are to the team (allowed before the owner's email is verified). */
  setMobile: tenantProcedure
    .meta({ readOnlyOk: true })
    .input(mobileInput)
    .mutation(({ ctx, input }) => setMobile(ctx.services, { ...ctx, adminId: ctx.admin.id }, input.phone)),

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
