import { and, eq, inArray, sql } from 'drizzle-orm';
import type { TenantDb } from '@/db/tenant';
import { customFields, memberFieldValues as v, type CustomField } from '@/db/tenant/schema';
import { Invalid } from '@/server/domain-errors';
import type { Tx } from '@/server/members/consent';
import { FieldValueError, formValue, parseValue, type StoredValue } from './rules';

/**
 * Members' custom-field values: read for the member form, the CSV export and merge fields; written from the form
 * (one member) and the import (thousands in one statement). Each value is parsed by its field's type (rules.ts).
 */

/** One member's values by field id, as the form shows them ('yes', '2024-03-31', 'Volunteer'). */
export async function valuesOf(db: TenantDb | Tx, memberId: string): Promise<Record<string, string>> {
  const rows = await db.select().from(v).where(eq(v.memberId, memberId));
  return Object.fromEntries(rows.map((r) => [r.fieldId, formValue(r)]));
}

/** Sets (or, for '', clears) the values named; a value of the wrong kind is an error shown beside its field. */
export async function setValues(tx: Tx, memberId: string, values: Record<string, string>) {
  const ids = Object.keys(values);
  if (ids.length === 0) return;
  const fields = await tx.select().from(customFields).where(inArray(customFields.id, ids));
  const byId = new Map(fields.map((f) => [f.id, f]));
  const cleared: string[] = [];
  const rows: ValueRow[] = [];
  for (const [fieldId, raw] of Object.entries(values)) {
    const field = byId.get(fieldId);
    if (!field) throw new Invalid('A field on this form no longer exists. Reload the page and try again.', 'fields');
    const value = parsed(field, raw, `fields.${fieldId}`);
    if (value) rows.push({ memberId, fieldId, ...value });
    else cleared.push(fieldId);
  }
  if (cleared.length) await tx.delete(v).where(and(eq(v.memberId, memberId), inArray(v.fieldId, cleared)));
  await writeValues(tx, rows);
}

type ValueRow = { memberId: string; fieldId: string } & StoredValue;

/** The value stored for a form field or CSV cell, or an Invalid naming the field. */
export function parsed(field: CustomField, raw: string, path: string): StoredValue | null {
  try {
    return parseValue(field, raw);
  } catch (err) {
    if (err instanceof FieldValueError) throw new Invalid(err.message, path);
    throw err;
  }
}

/** Every member's values as CSV cells, by member and field key (the export). */
export async function allValues(db: TenantDb): Promise<Map<string, Record<string, string>>> {
  const rows = await db
    .select({ memberId: v.memberId, key: customFields.key, value: v })
    .from(v)
    .innerJoin(customFields, eq(customFields.id, v.fieldId));
  const out = new Map<string, Record<string, string>>();
  for (const r of rows) {
    const cells = out.get(r.memberId) ?? {};
    cells[r.key] = formValue(r.value);
    out.set(r.memberId, cells);
  }
  return out;
}

/**
 * Upserts values (one member's from the form, thousands from the CSV import): each 5,000 go as one JSON parameter, so
 * a statement costs the same to build and plan whatever its size; a VALUES list of 5,000 rows × 6 parameters costs
 * more than the writing.
 */
export async function writeValues(tx: Tx, rows: ValueRow[]) {
  for (let i = 0; i < rows.length; i += 5000) {
    const json = JSON.stringify(rows.slice(i, i + 5000));
    await tx.execute(sql`
      insert into ${v} (member_id, field_id, text_value, number_value, date_value, bool_value)
      select r."memberId", r."fieldId", r."textValue", r."numberValue", r."dateValue", r."boolValue"
        from json_to_recordset(${json}::json) as r("memberId" uuid, "fieldId" uuid, "textValue" text,
                                                  "numberValue" numeric, "dateValue" date, "boolValue" boolean)
      on conflict (member_id, field_id) do update
        set text_value = excluded.text_value, number_value = excluded.number_value,
            date_value = excluded.date_value, bool_value = excluded.bool_value`);
  }
}
