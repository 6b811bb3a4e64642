import { resendVerification, verifyEmail } from '@/server/auth/email-verification';
import { resetTokenInput } from '@/server/inputs';
import { publicProcedure, router, tenantProcedure } from '@/server/trpc';

/** "Verify your email": the church's texting opens to everyone once its owner has (messaging/team-only.ts). */
export const emailVerificationRouter = router({
  /** Follows the emailed link, signed in or not: the church comes from the link, never from input. */
  verify: publicProcedure.input(resetTokenInput).mutation(({ ctx, input }) => verifyEmail(ctx.services, input.token)),

  /** Mails the signed-in admin a new link to their own address (a few an hour). */
  resend: tenantProcedure
    .meta({ readOnlyOk: true })
    .mutation(({ ctx }) => resendVerification(ctx.services, { ...ctx, adminId: ctx.admin.id })),
});
