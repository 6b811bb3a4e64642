import type { AdminRole } from '@/db/tenant/schema';

/** Roles rank owner > admin > staff; every tenant procedure names the lowest role it accepts. */
const rank: Record<AdminRole, number> = { staff: 1, admin: 2, owner: 3 };

export const atLeast = (role: AdminRole, minimum: AdminRole) => rank[role] >= rank[minimum];
