import { eq, sql } from 'drizzle-orm';
import type { TenantDb } from '@/db/tenant';
import { branches, members } from '@/db/tenant/schema';

/**
 * Every member as CSV, in the column names the import reads back. A query, not a write, so it keeps working when
 * the church is read-only: a church's data is always its own to take away.
 */
const HEADER = ['first_name', 'last_name', 'phone', 'email', 'branch', 'tags', 'notes', 'subscribed', 'created_at'];

export async function membersCsv(db: TenantDb): Promise<string> {
  const rows = await db
    .select({
      firstName: members.firstName,
      lastName: members.lastName,
      phone: members.phone,
      email: members.email,
      branch: branches.name,
      tags: members.tags,
      notes: members.notes,
      subscription: members.subscription,
      createdAt: sql<string>`to_char(${members.createdAt} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')`,
    })
    .from(members)
    .leftJoin(branches, eq(branches.id, members.branchId))
    .orderBy(sql`lower(${members.lastName})`, sql`lower(${members.firstName})`, members.id);
  const lines = rows.map((r) =>
    [r.firstName, r.lastName, r.phone, r.email, r.branch, r.tags.join(';'), r.notes, r.subscription === 'subscribed' ? 'yes' : 'no', r.createdAt].map(cell).join(','),
  );
  return [HEADER.join(','), ...lines].join('\r\n') + '\r\n';
}

/** RFC 4180 quoting, and a leading apostrophe for cells a spreadsheet would run as a formula. */
function cell(value: string | null | undefined): string {
  let v = value ?? '';
  if (/^[=+\-@\t\r]/.test(v) && !/^\+\d+$/.test(v)) v = `'${v}`;
  return /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}
