import type { inferRouterOutputs } from '@trpc/server';
import type { AppRouter } from '@/server/routers/_app';

type Outputs = inferRouterOutputs<AppRouter>;
export type MemberItem = Outputs['members']['list']['items'][number];
export type BranchItem = Outputs['branches']['list'][number];
export type ImportPreview = Outputs['members']['importPreview'];
export type ImportResult = Outputs['members']['import'];

export const fullName = (m: { firstName: string; lastName: string }) => `${m.firstName} ${m.lastName}`.trim();
