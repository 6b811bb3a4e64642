import { retrySignup, provisioningStatus, signup } from '@/server/onboarding/signup';
import { signupInput, ticketInput } from '@/server/inputs';
import { publicProcedure, router } from '@/server/trpc';

export const onboardingRouter = router({
  /** Reserve the email, enqueue provisioning, return a ticket at once. Throttled per address. */
  signup: publicProcedure.input(signupInput).mutation(async ({ ctx, input }) => {
    await ctx.services.throttle.signupAttempt(ctx.ip);
    return signup(ctx.services, input);
  }),
  /** Polled by /onboarding until the church's database is ready. */
  status: publicProcedure.input(ticketInput).query(({ ctx, input }) => provisioningStatus(ctx.services, input.ticket)),
  /** After a failure: a new attempt with the same details. */
  retry: publicProcedure.input(ticketInput).mutation(({ ctx, input }) => retrySignup(ctx.services, input.ticket)),
});
