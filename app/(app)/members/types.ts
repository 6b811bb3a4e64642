import type { inferRouterOutputs } from '@trpc/server';
import type { AppRouter } from '@/server/routers/_app';

type Outputs = inferRouterOutputs<AppRouter>;
export type MemberItem = Outputs['members']['list']['items'][number];
export type BranchItem = Outputs['branches']['list'][number];
export type ImportPreview = Outputs['members']['importPreview'];
export type ImportResult = Outputs['members']['import'];

/** What the table (tablet and up) and the cards (phone) both take: the page of members and what to do with one. */
export type MemberListProps = {
  items: MemberItem[];
  canDelete: boolean;
  onEdit: (m: MemberItem) => void;
  onDelete: (m: MemberItem) => void;
};

export const fullName = (m: { firstName: string; lastName: string }) => `${m.firstName} ${m.lastName}`.trim();

/** A member's own page. */
export const memberHref = (id: string) => `/members/${id}`;
export const nameLink = 'font-medium text-slate-900 underline-offset-2 hover:text-brand-700 hover:underline';
