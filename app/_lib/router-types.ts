import type { inferRouterInputs, inferRouterOutputs } from '@trpc/server';
import type { AppRouter } from '@/server/routers/_app';

/** What each procedure returns, inferred from the routers, so pages never restate the API's shapes. */
export type RouterOutputs = inferRouterOutputs<AppRouter>;
/** What each procedure takes, inferred the same way. */
export type RouterInputs = inferRouterInputs<AppRouter>;
