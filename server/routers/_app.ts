import { router } from '@/server/trpc';
import { churchRouter } from './church';
import { onboardingRouter } from './onboarding';

/** Every router, by domain. Add a domain here. */
export const appRouter = router({
  onboarding: onboardingRouter,
  church: churchRouter,
});

export type AppRouter = typeof appRouter;
