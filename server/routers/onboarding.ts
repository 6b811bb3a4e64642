import { provisioningStatus, signup, signupInput, statusInput } from '@/server/onboarding/signup';
import { publicProcedure, router } from '@/server/trpc';

export const onboardingRouter = router({
  /** Reserve the email, enqueue provisioning, return a ticket at once. */
  signup: publicProcedure.input(signupInput).mutation(({ ctx, input }) => signup(ctx.services, input)),
  /** Polled by /onboarding until the church's database is ready. */
  status: publicProcedure.input(statusInput).query(({ ctx, input }) => provisioningStatus(ctx.services, input.ticket)),
});
