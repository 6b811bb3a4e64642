import { router } from '@/server/trpc';
import { accountRouter } from './account';
import { churchRouter } from './church';
import { onboardingRouter } from './onboarding';
import { teamRouter } from './team';

/** Every router, by domain. Add a domain here. */
export const appRouter = router({
  onboarding: onboardingRouter,
  church: churchRouter,
  account: accountRouter,
  team: teamRouter,
});

export type AppRouter = typeof appRouter;
