import { and, arrayContains, arrayOverlaps, eq, gte, isNull, lte, not, sql, type SQL } from 'drizzle-orm';
import type { TenantDb } from '@/db/tenant';
import { branches, customFields, memberFieldValues as v, members, type CustomField } from '@/db/tenant/schema';
import { Invalid } from '@/server/domain-errors';
import { OPS_BY_TYPE, OP_LABELS } from '@/server/custom-fields/rules';
import { parsed } from '@/server/custom-fields/values';
import { escapeLike } from '@/server/like';
import type { AudienceFilter, FieldCondition } from './inputs';

/**
 * An audience's conditions as one SQL condition over `members`. Custom-field conditions select members from
 * member_field_values by (field, value), which its indexes answer, so a segment of 20,000 costs an index range.
 * Conditions are checked against the church's fields first: an unknown field or a value of the wrong kind is a
 * clear error, never an empty audience.
 */

export type FieldsById = Map<string, CustomField>;

export async function fieldsById(db: TenantDb): Promise<FieldsById> {
  const rows = await db.select().from(customFields);
  return new Map(rows.map((f) => [f.id, f]));
}

/**
 * Where an audience is written (a segment saved, a broadcast created), its branch must exist. Once written, a branch
 * deleted later leaves the audience reaching nobody of it, as a branch audience always has.
 */
export async function requireBranch(db: TenantDb, branchId: string | null | undefined) {
  if (!branchId || branchId === 'none') return;
  const [branch] = await db.select({ id: branches.id }).from(branches).where(eq(branches.id, branchId));
  if (!branch) throw new Invalid('That branch no longer exists.', 'branchId');
}

/**
 * The SQL for a filter, after checking it; undefined means everyone. `timezone`: the church's, whose calendar says
 * which days are "the last N days" of first visits (the connect card records them in it).
 */
export async function audienceWhere(db: TenantDb, filter: AudienceFilter, timezone: string): Promise<SQL | undefined> {
  return filterWhere(filter, filter.fields?.length ? await fieldsById(db) : new Map(), timezone);
}

/** Refuses conditions the church's fields cannot answer (saving a segment); which day it is changes nothing here. */
export const checkAudience = async (db: TenantDb, filter: AudienceFilter) => {
  await audienceWhere(db, filter, 'UTC');
  await requireBranch(db, filter.branchId);
};

function filterWhere(f: AudienceFilter, fields: FieldsById, timezone: string): SQL | undefined {
  const today = sql`(now() at time zone ${timezone})::date`;
  return and(
    f.branchId === 'none' ? isNull(members.branchId) : f.branchId ? eq(members.branchId, f.branchId) : undefined,
    // Tags as stored (the pickers offer the tags in use), so the GIN index answers.
    f.tagsAny?.length ? arrayOverlaps(members.tags, f.tagsAny) : undefined,
    f.tagsAll?.length ? arrayContains(members.tags, f.tagsAll) : undefined,
    f.tagsNone?.length ? not(arrayOverlaps(members.tags, f.tagsNone)) : undefined,
    // Today counts as one of the days; a date typed in the future is not a recent visit.
    f.firstVisitDays
      ? and(gte(members.firstVisitOn, sql`${today} - ${f.firstVisitDays - 1}::int`), lte(members.firstVisitOn, today))
      : undefined,
    f.subscription ? eq(members.subscription, f.subscription) : undefined,
    ...(f.fields ?? []).map((c) => conditionWhere(c, fields)),
  );
}

function conditionWhere(c: FieldCondition, fields: FieldsById): SQL {
  const field = fields.get(c.fieldId);
  if (!field) throw new Invalid('A condition uses a field that no longer exists. Remove it and try again.', 'fields');
  if (!OPS_BY_TYPE[field.type].includes(c.op)) {
    throw new Invalid(`“${field.label}” cannot be compared with “${OP_LABELS[c.op]}”.`, 'fields');
  }
  const having = (condition?: SQL) =>
    sql`${members.id} in (select ${v.memberId} from ${v} where ${and(eq(v.fieldId, field.id), condition)})`;
  if (c.op === 'set') return having();
  if (c.op === 'not_set') return not(having());
  const value = requireValue(field, c); // every other condition compares with a value
  const text = sql`lower(${v.textValue})`;
  switch (c.op) {
    case 'is':
      if (value.textValue !== null) return having(sql`${text} = lower(${value.textValue})`);
      if (value.numberValue !== null) return having(sql`${v.numberValue} = ${value.numberValue}::numeric`);
      if (value.dateValue !== null) return having(sql`${v.dateValue} = ${value.dateValue}::date`);
      return having(eq(v.boolValue, value.boolValue!));
    case 'is_not':
      return not(having(sql`${text} = lower(${value.textValue})`));
    case 'contains':
      return having(sql`${text} like ${`%${escapeLike(value.textValue!.toLowerCase())}%`}`);
    case 'gt':
      return having(sql`${v.numberValue} > ${value.numberValue}::numeric`);
    case 'lt':
      return having(sql`${v.numberValue} < ${value.numberValue}::numeric`);
    case 'before':
      return having(sql`${v.dateValue} < ${value.dateValue}::date`);
    case 'after':
      return having(sql`${v.dateValue} > ${value.dateValue}::date`);
  }
  throw new Invalid(`“${field.label}” cannot be compared with “${OP_LABELS[c.op]}”.`, 'fields');
}

function requireValue(field: CustomField, c: FieldCondition) {
  // "contains" looks for any text; a choice compares as text too, so a saved segment keeps working after its choice
  // leaves the list (the builder offers only the list's choices).
  const asField = c.op === 'contains' || field.type === 'choice' ? { ...field, type: 'text' as const } : field;
  const value = parsed(asField, c.value ?? '', 'fields');
  if (!value) throw new Invalid(`${field.label}: enter a value to compare with`, 'fields');
  return value;
}
