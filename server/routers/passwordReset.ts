import { z } from 'zod';
import { describeResetLink, requestPasswordReset, resetPassword } from '@/server/auth/password-reset';
import { email, resetPasswordInput, resetTokenInput } from '@/server/inputs';
import { publicProcedure, router } from '@/server/trpc';

/** "Forgot password?" for people who are signed out: the church comes from the emailed link, never from input. */
export const passwordResetRouter = router({
  /** Emails a link when the address has an account; the answer never says whether it does. */
  request: publicProcedure.input(z.object({ email })).mutation(async ({ ctx, input }) => {
    await requestPasswordReset(ctx.services, input.email, ctx.ip);
    return { ok: true as const };
  }),

  /** Whose password a link resets (the page shows the email), or NOT_FOUND when it expired or was used. */
  check: publicProcedure.input(resetTokenInput).query(({ ctx, input }) => describeResetLink(ctx.services, input.token)),

  /** Sets the new password and signs out every session; the page then signs in with it. */
  complete: publicProcedure
    .input(resetPasswordInput)
    .mutation(({ ctx, input }) => resetPassword(ctx.services, input.token, input.password)),
});
