import { eq, sql } from 'drizzle-orm';
import type { TenantDb } from '@/db/tenant';
import { branches, consentEvents, members } from '@/db/tenant/schema';
import { record } from '@/server/activity/record';
import { listFields } from '@/server/custom-fields/manage';
import { allValues } from '@/server/custom-fields/values';

/**
 * Every member as CSV, in the column names the import reads back. A query, not a write, so it keeps working when
 * the church is read-only: a church's data is always its own to take away. After our columns, the first visit and
 * one column per custom field, headed by its key, each value as the member form writes it ('yes', '2024-03-31').
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
  'first_visit',
];
const SUBSCRIBED = { subscribed: 'yes', unsubscribed: 'no', not_opted_in: 'not opted in' } as const;
const utc = (column: unknown) => sql`to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')`;

/**
 * `by`: who asked, for the activity log (written once the rows are read: the export itself writes nothing else, and
 * one that failed is not logged).
 */
export async function membersCsv(db: TenantDb, by?: string): Promise<string> {
  const [rows, fields, values] = await Promise.all([memberRows(db), listFields(db), allValues(db)]);
  await record(db, {
    action: 'members.exported',
    by: by ? { adminId: by } : { system: 'Steeple' },
    subject: 'members.csv',
    details: { members: rows.length },
  });
  const keys = fields.map((f) => f.key);
  const lines = rows.map((r) => {
    const own = values.get(r.id) ?? {};
    return [
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
      r.firstVisitOn,
      ...keys.map((k) => own[k]),
    ]
      .map(cell)
      .join(',');
  });
  return [[...HEADER, ...keys].join(','), ...lines].join('\r\n') + '\r\n';
}

function memberRows(db: TenantDb) {
  return db
    .select({
      id: members.id,
      firstName: members.firstName,
      lastName: members.lastName,
      phone: members.phone,
      email: members.email,
      branch: branches.name,
      tags: members.tags,
      notes: members.notes,
      subscription: members.subscription,
      firstVisitOn: members.firstVisitOn,
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
}

/**
 * RFC 4180 quoting, and a leading apostrophe for cells a spreadsheet would run as a formula (the import drops it). A
 * phone number (+12025550123) or a negative number (-2.50) is only a number: it stays as it is.
 */
function cell(value: string | null | undefined): string {
  let v = value ?? '';
  if (/^[=+\-@\t\r]/.test(v) && !/^[+-]\d+(\.\d+)?$/.test(v)) v = `'${v}`;
  return /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}
