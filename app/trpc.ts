'use client';

import { createTRPCContext } from '@trpc/tanstack-react-query';
import type { AppRouter } from '@/server/routers/_app';

/** Pages call typed procedures through `useTRPC()` and React Query. */
export const { TRPCProvider, useTRPC } = createTRPCContext<AppRouter>();
