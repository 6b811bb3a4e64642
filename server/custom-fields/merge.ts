import { and, eq, inArray, sql } from 'drizzle-orm';
import { alias, type AnyPgColumn } from 'drizzle-orm/pg-core';
import type { TenantDb } from '@/db/tenant';
import { customFields, memberFieldValues as v, members, type CustomField } from '@/db/tenant/schema';
import { Invalid } from '@/server/domain-errors';
import type { Tx } from '@/server/members/consent';
import { MERGE_FIELDS, mergeFieldNames, mergeFieldProblem, type MergeValues } from '@/server/messaging/merge-fields';
import { spokenValue } from './rules';

/**
 * Custom fields as merge fields (`{baptism_date}`): which a text uses, checked against the church's own when it is
 * saved or sent, and each recipient's values as a text says them ("March 31, 2024", "Yes").
 */

type Db = TenantDb | Tx;

/** The names a text uses that are not built in: the only ones that can need the church's fields. */
const customNames = (text: string) =>
  mergeFieldNames(text).filter((n) => !(MERGE_FIELDS as readonly string[]).includes(n));

/** The church's fields a text uses (none, without a query, when it uses only built-in ones). */
export async function fieldsUsedIn(db: Db, text: string): Promise<CustomField[]> {
  const names = customNames(text);
  if (names.length === 0) return [];
  return db.select().from(customFields).where(inArray(customFields.key, names));
}

/** The message for a text with fields the church does not have, naming them and the ones it has; else null. */
export async function mergeProblemOf(db: Db, text: string): Promise<string | null> {
  if (customNames(text).length === 0) return null; // built-in names only: nothing to look up
  const keys = (await db.select({ key: customFields.key }).from(customFields)).map((f) => f.key);
  return mergeFieldProblem(text, keys);
}

/** Refuses such a text (when it is saved or sent), beside the form field given. */
export async function requireKnownFields(db: Db, text: string | null | undefined, field = 'body') {
  const problem = text ? await mergeProblemOf(db, text) : null;
  if (problem) throw new Invalid(problem, field);
}

/** One member's values for the custom fields a text uses (null where they have none), ready to merge. */
export async function customValuesFor(db: Db, memberId: string, text: string): Promise<MergeValues> {
  const fields = await fieldsUsedIn(db, text);
  if (fields.length === 0) return {};
  const rows = await db
    .select({ fieldId: v.fieldId, value: valueText(v) })
    .from(v)
    .where(
      and(
        eq(v.memberId, memberId),
        inArray(
          v.fieldId,
          fields.map((f) => f.id),
        ),
      ),
    );
  const byId = new Map(rows.map((r) => [r.fieldId, r.value]));
  return Object.fromEntries(fields.map((f) => [f.key, spokenValue(f.type, byId.get(f.id))]));
}

/** A stored value as text ('yes', '2024-03-31', '12.5'), whichever column holds it. */
const valueText = (t: Record<'textValue' | 'numberValue' | 'dateValue' | 'boolValue', AnyPgColumn>) =>
  sql<string | null>`coalesce(${t.textValue}, ${t.numberValue}::text, to_char(${t.dateValue}, 'YYYY-MM-DD'),
                              case when ${t.boolValue} then 'yes' when not ${t.boolValue} then 'no' end)`;

/**
 * Reading these fields' values beside each member of a query over `members` (audience-merge.ts): one left join per
 * field on its (member, field) key, the values as one JSON array (postgres.js reads a NULL inside a text[] as the
 * string "NULL"; JSON keeps it null), and the columns to group by. Joins, not a subquery per member: for 20,000
 * members the subqueries cost several times more, and their estimate switches JIT on.
 */
export function fieldJoins(fields: CustomField[]) {
  const joins = fields.map((f, i) => {
    const t = alias(v, `field_${i}`);
    return { table: t, on: and(eq(t.memberId, members.id), eq(t.fieldId, f.id))!, value: valueText(t) };
  });
  return {
    joins,
    values: joins.length
      ? sql<(string | null)[]>`jsonb_build_array(${sql.join(
          joins.map((j) => j.value),
          sql`, `,
        )})`
      : sql<null>`null`,
    groupBy: joins.flatMap(({ table: t }) => [t.textValue, t.numberValue, t.dateValue, t.boolValue]),
  };
}

/** Values read through fieldJoins, as merge values: `{key: spoken value}`. */
export const spokenValues = (fields: CustomField[], values: (string | null)[]): MergeValues =>
  Object.fromEntries(fields.map((f, i) => [f.key, spokenValue(f.type, values[i])]));
