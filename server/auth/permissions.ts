import type { AdminRole } from '@/db/tenant/schema';

/**
 * Who may do what, in one table: each action and the lowest role allowed it (owner > admin > staff). The server
 * checks it before a procedure's handler runs (`permittedProcedure` in server/trpc.ts); the pages ask the same table
 * (`useCan` in app/(app)/viewer-context.tsx) to show a button exactly when the server would accept its call.
 * Pure, so client components may import it. Everything not listed here is open to every role (staff text people).
 */
export type Role = AdminRole;

export const PERMISSIONS = {
  'members.delete': 'admin',
  'members.import': 'admin',
  'members.export': 'admin',
  'branches.manage': 'admin',
  'broadcasts.manage': 'admin',
  'keywords.manage': 'admin',
  'sequences.manage': 'admin',
  'inboxNotes.deleteAny': 'admin', // anyone deletes their own note in a thread; admins anyone's
  'templates.manage': 'admin',
  'connectCard.manage': 'admin',
  'customFields.manage': 'admin',
  'segments.manage': 'admin',
  'church.edit': 'admin',
  'team.view': 'admin',
  'activity.view': 'admin', // the activity log: who did what, when and from where
  'team.manage': 'owner',
  'numbers.manage': 'owner',
  'registration.manage': 'owner',
  'billing.manage': 'owner',
} as const satisfies Record<string, Role>;

export type Action = keyof typeof PERMISSIONS;

const RANK: Record<Role, number> = { staff: 1, admin: 2, owner: 3 };

const atLeast = (role: Role, minimum: Role) => RANK[role] >= RANK[minimum];

export const can = (role: Role, action: Action) => atLeast(role, PERMISSIONS[action]);

/** How each role is named in the product. */
export const ROLE_LABELS: Record<Role, string> = { owner: 'Owner', admin: 'Admin', staff: 'Staff' };
