import { eq, sql } from 'drizzle-orm';
import type { TenantDb } from '@/db/tenant';
import { branches, consentEvents, members } from '@/db/tenant/schema';

/**
 * Every member as CSV, in the column names the import reads back. A query, not a write, so it keeps working when
 * the church is read-only: a church's data is always its own to take away.
 */
const HEADER = [
  'first_name',
  'last_name',
  'phone',
  'email',
  'branch',
  'tags',
  'notes',
  'subscribed',
  'created_at',
  'consent_history',
];
const SUBSCRIBED = { subscribed: 'yes', unsubscribed: 'no', not_opted_in: 'not opted in' } as const;
const utc = (column: unknown) => sql`to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')`;

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
      createdAt: sql<string>`${utc(members.createdAt)}`,
      // Every consent change, oldest first: "2026-12-06T10:00:00Z subscribed → unsubscribed (text: STOP, message …)".
      consent: sql<string | null>`(
        select string_agg(${utc(consentEvents.createdAt)} || ' '
               || coalesce(${consentEvents.previous}::text || ' → ', '') || ${consentEvents.state}::text
               || ' (' || ${consentEvents.source}::text || coalesce(': ' || ${consentEvents.detail}, '')
               || coalesce(', message ' || ${consentEvents.providerMessageId}, '') || ')',
               '; ' order by ${consentEvents.createdAt}, ${consentEvents.id})
          from ${consentEvents} where ${consentEvents.memberId} = ${members.id})`,
    })
    .from(members)
    .leftJoin(branches, eq(branches.id, members.branchId))
    .orderBy(sql`lower(${members.lastName})`, sql`lower(${members.firstName})`, members.id);
  const lines = rows.map((r) =>
    [
      r.firstName,
      r.lastName,
      r.phone,
      r.email,
      r.branch,
      r.tags.join(';'),
      r.notes,
      SUBSCRIBED[r.subscription],
      r.createdAt,
      r.consent,
    ]
      .map(cell)
      .join(','),
  );
  return [HEADER.join(','), ...lines].join('\r\n') + '\r\n';
}

/** RFC 4180 quoting, and a leading apostrophe for cells a spreadsheet would run as a formula. */
function cell(value: string | null | undefined): string {
  let v = value ?? '';
  if (/^[=+\-@\t\r]/.test(v) && !/^\+\d+$/.test(v)) v = `'${v}`;
  return /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}
