import type { TenantDb } from '@/db/tenant';
import { branches } from '@/db/tenant/schema';
import { SUBSCRIPTION_LABELS } from '@/db/tenant/enums';
import {
  formValue,
  OP_LABELS,
  parseValue,
  spokenValue,
  takesValue,
  type StoredValue,
} from '@/server/custom-fields/rules';
import type { AudienceFilter } from './inputs';
import { fieldsById, type FieldsById } from './where';

/**
 * An audience in words, for the broadcasts list and the composer's confirmation: "Branch: North · tagged youth or
 * parents · Baptised is Yes". Conditions on a field or branch deleted since are said plainly.
 */
export type Names = { fields: FieldsById; branches: Map<string, string> };

export async function namesFor(db: TenantDb): Promise<Names> {
  const [fields, rows] = await Promise.all([
    fieldsById(db),
    db.select({ id: branches.id, name: branches.name }).from(branches),
  ]);
  return { fields, branches: new Map(rows.map((b) => [b.id, b.name])) };
}

const list = (tags: string[], joiner: string) =>
  tags.length > 1 ? `${tags.slice(0, -1).join(', ')} ${joiner} ${tags.at(-1)}` : tags[0]!;

export function describeFilter(f: AudienceFilter, names: Names): string {
  const parts: string[] = [];
  if (f.branchId === 'none') parts.push('No branch');
  else if (f.branchId) parts.push(`Branch: ${names.branches.get(f.branchId) ?? 'a deleted branch'}`);
  if (f.tagsAny?.length) parts.push(`tagged ${list(f.tagsAny, 'or')}`);
  if (f.tagsAll?.length) parts.push(`tagged ${list(f.tagsAll, 'and')}`);
  if (f.tagsNone?.length) parts.push(`not tagged ${list(f.tagsNone, 'or')}`);
  if (f.firstVisitDays === 1) parts.push('first visit today');
  else if (f.firstVisitDays) parts.push(`first visit in the last ${f.firstVisitDays} days`);
  if (f.subscription) parts.push(SUBSCRIPTION_LABELS[f.subscription]);
  for (const c of f.fields ?? []) {
    const field = names.fields.get(c.fieldId);
    if (!field) {
      parts.push('a deleted field');
      continue;
    }
    const value = takesValue(c.op) ? ` ${spokenValue(field.type, formValue(stored(field, c.value))) ?? c.value}` : '';
    parts.push(`${field.label} ${OP_LABELS[c.op]}${value}`);
  }
  if (parts.length === 0) return 'Everyone';
  const text = parts.join(' · ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** A condition's value as stored, to say it as a text would ("Yes", "March 31, 2024"); as typed when it cannot be. */
function stored(field: Parameters<typeof parseValue>[0], value = ''): StoredValue | null {
  try {
    return parseValue(field, value);
  } catch {
    return { textValue: value, numberValue: null, dateValue: null, boolValue: null };
  }
}
