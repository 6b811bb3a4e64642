import type { CustomFieldType } from '@/db/tenant/enums';

/**
 * Custom fields' rules, pure so the pages use the same ones: the merge-field key a label becomes, how a value is
 * written and read back for each type, and which conditions each type offers in an audience.
 */

export const MAX_CUSTOM_FIELDS = 50;
export const MAX_CHOICES = 50;
export const MAX_VALUE_LENGTH = 500;

/** Built-in merge fields and columns a custom field may not be called (merge-fields.ts, the CSV's own columns). */
export const RESERVED_KEYS = [
  'first_name',
  'last_name',
  'church_name',
  'branch_name',
  'name',
  'phone',
  'email',
  'branch',
  'tags',
  'notes',
  'subscription',
  'subscribed',
  'first_visit',
  'created_at', // the export's own columns: a field called so would repeat a header
  'consent_history',
];

/** "Baptism date" → "baptism_date": the merge field `{baptism_date}` and the CSV column. */
export function keyOf(label: string): string {
  const key = label
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, 40)
    .replace(/_+$/, '');
  return /^[a-z]/.test(key) ? key : `field_${key}`.replace(/_+$/, '');
}

/** What a value is stored as: exactly one of these is set (member_field_values in the schema). */
export type StoredValue = {
  textValue: string | null;
  numberValue: string | null;
  dateValue: string | null; // YYYY-MM-DD
  boolValue: boolean | null;
};

type Field = { label: string; type: CustomFieldType; options: string[] };

const YES = ['yes', 'y', 'true', '1'];
const NO = ['no', 'n', 'false', '0'];
const NUMBER = /^-?(\d{1,12}(\.\d{1,6})?|\.\d{1,6})$/;
/** "1,200" and "1,200.50": commas only between groups of three. "12,50" is refused, never read as 1250. */
const GROUPED = /^-?\d{1,3}(,\d{3})+(\.\d{1,6})?$/;

/** The value as typed in a form or a CSV cell, stored as its type; '' clears it (null). Throws a message to show. */
export function parseValue(field: Field, raw: string): StoredValue | null {
  const value = raw.trim();
  if (!value) return null;
  const empty: StoredValue = { textValue: null, numberValue: null, dateValue: null, boolValue: null };
  switch (field.type) {
    case 'text':
      if (value.length > MAX_VALUE_LENGTH) throw new FieldValueError(`${field.label}: keep it under 500 characters`);
      return { ...empty, textValue: value };
    case 'number': {
      const n = GROUPED.test(value) ? value.replace(/,/g, '') : value;
      if (!NUMBER.test(n)) throw new FieldValueError(`${field.label}: “${value}” is not a number`);
      return { ...empty, numberValue: n.replace(/^(-?)\./, '$10.') };
    }
    case 'date': {
      const date = isoDate(value);
      if (!date) throw new FieldValueError(`${field.label}: write the date as YYYY-MM-DD (for example 2024-03-31)`);
      return { ...empty, dateValue: date };
    }
    case 'yes_no': {
      const lower = value.toLowerCase();
      if (YES.includes(lower)) return { ...empty, boolValue: true };
      if (NO.includes(lower)) return { ...empty, boolValue: false };
      throw new FieldValueError(`${field.label}: answer yes or no`);
    }
    case 'choice': {
      const option = field.options.find((o) => o.toLowerCase() === value.toLowerCase());
      if (!option) throw new FieldValueError(`${field.label}: choose one of ${field.options.join(', ')}`);
      return { ...empty, textValue: option };
    }
  }
}

export class FieldValueError extends Error {}

/** "2024-03-31" (also "2024-3-31"), when it is a real day; otherwise null. */
export function isoDate(value: string): string | null {
  const m = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(value.trim());
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  if (y < 1800 || date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d) return null;
  return date.toISOString().slice(0, 10);
}

/** The value as a form field or CSV cell holds it: what `parseValue` reads back unchanged. */
export function formValue(v: StoredValue | null | undefined): string {
  if (!v) return '';
  if (v.boolValue !== null) return v.boolValue ? 'yes' : 'no';
  return v.textValue ?? v.numberValue ?? v.dateValue ?? '';
}

// One formatter for every date: toLocaleDateString builds a new one per call, a third of a second per 6,000 dates.
const SPOKEN_DATE = new Intl.DateTimeFormat('en-US', {
  month: 'long',
  day: 'numeric',
  year: 'numeric',
  timeZone: 'UTC',
});

/** The value as a text reads it (a merge field): a date as US texts write it ("March 31, 2024"), "Yes" a yes. */
export function spokenValue(type: CustomFieldType, v: string | null | undefined): string | null {
  if (v === null || v === undefined || v === '') return null;
  if (type === 'yes_no') return v === 'yes' ? 'Yes' : 'No';
  if (type === 'date') {
    const [y, m, d] = v.split('-').map(Number);
    return SPOKEN_DATE.format(new Date(Date.UTC(y!, m! - 1, d!)));
  }
  if (type === 'number') return v.includes('.') ? v.replace(/\.?0+$/, '') : v;
  return v;
}

// ---------------------------------------------------------------------------------------------
// Conditions in audiences: which each type offers, and how they read.
// ---------------------------------------------------------------------------------------------

export const CONDITION_OPS = ['is', 'is_not', 'contains', 'gt', 'lt', 'before', 'after', 'set', 'not_set'] as const;
export type ConditionOp = (typeof CONDITION_OPS)[number];

export const OPS_BY_TYPE: Record<CustomFieldType, ConditionOp[]> = {
  text: ['is', 'is_not', 'contains', 'set', 'not_set'],
  number: ['is', 'gt', 'lt', 'set', 'not_set'],
  date: ['is', 'before', 'after', 'set', 'not_set'],
  yes_no: ['is', 'not_set'],
  choice: ['is', 'is_not', 'set', 'not_set'],
};

export const OP_LABELS: Record<ConditionOp, string> = {
  is: 'is',
  is_not: 'is not',
  contains: 'contains',
  gt: 'is more than',
  lt: 'is less than',
  before: 'is before',
  after: 'is after',
  set: 'has a value',
  not_set: 'has no value',
};

/** Whether the condition compares with a value (all but "has a value" / "has no value"). */
export const takesValue = (op: ConditionOp) => op !== 'set' && op !== 'not_set';
