import type { SubscriptionState } from '@/db/tenant/enums';
import type { AudienceFilter } from '@/server/audiences/inputs';
import {
  MAX_FIRST_VISIT_DAYS,
  MAX_SEGMENT_NAME,
  SEGMENT_NAME_MISSING,
  SEGMENT_NAME_TOO_LONG,
} from '@/server/audiences/rules';
import { isoDate, takesValue, type ConditionOp } from '@/server/custom-fields/rules';

/**
 * An audience as the builder edits it: every control's raw value (a half-typed number of days, a condition without
 * its value yet). `filterOf` makes the API's AudienceFilter of the finished parts; `draftProblems` says what is
 * unfinished, beside its control. Pure, so the segments page and the broadcast composer share it.
 */

export type ConditionDraft = { key: string; fieldId: string; op: ConditionOp; value: string };
export type AudienceDraft = {
  branchId: string; // '' any branch, 'none' no branch, or a branch id
  tagsAny: string[];
  tagsAll: string[];
  tagsNone: string[];
  firstVisitDays: string;
  subscription: '' | SubscriptionState;
  fields: ConditionDraft[];
};

export type TagList = 'tagsAny' | 'tagsAll' | 'tagsNone';
/** The server's limits (audiences/inputs.ts). */

export const emptyDraft: AudienceDraft = {
  branchId: '',
  tagsAny: [],
  tagsAll: [],
  tagsNone: [],
  firstVisitDays: '',
  subscription: '',
  fields: [],
};

let nextKey = 0;
/** A stable React key for a condition row, so removing one keeps the others' focus and input. */
export const conditionKey = () => `c${++nextKey}`;

export function draftOf(f: AudienceFilter): AudienceDraft {
  return {
    branchId: f.branchId ?? '',
    tagsAny: f.tagsAny ?? [],
    tagsAll: f.tagsAll ?? [],
    tagsNone: f.tagsNone ?? [],
    firstVisitDays: f.firstVisitDays ? String(f.firstVisitDays) : '',
    subscription: f.subscription ?? '',
    fields: (f.fields ?? []).map((c) => ({ key: conditionKey(), fieldId: c.fieldId, op: c.op, value: c.value ?? '' })),
  };
}

/** Whole days from 1 to 3660, or null. */
function daysOf(raw: string): number | null {
  const n = Number(raw.trim());
  return raw.trim() && Number.isInteger(n) && n >= 1 && n <= MAX_FIRST_VISIT_DAYS ? n : null;
}

const finished = (c: ConditionDraft) => !!c.fieldId && (!takesValue(c.op) || !!c.value.trim());

/** The finished conditions as the API takes them; what is unfinished is left out (and said by draftProblems). */
export function filterOf(d: AudienceDraft): AudienceFilter {
  const f: AudienceFilter = {};
  if (d.branchId) f.branchId = d.branchId;
  if (d.tagsAny.length) f.tagsAny = d.tagsAny;
  if (d.tagsAll.length) f.tagsAll = d.tagsAll;
  if (d.tagsNone.length) f.tagsNone = d.tagsNone;
  const days = daysOf(d.firstVisitDays);
  if (days) f.firstVisitDays = days;
  if (d.subscription) f.subscription = d.subscription;
  const fields = d.fields.filter(finished);
  if (fields.length) {
    f.fields = fields.map((c) => ({ fieldId: c.fieldId, op: c.op, ...(takesValue(c.op) ? { value: c.value } : {}) }));
  }
  return f;
}

export const daysProblem = (raw: string) =>
  raw.trim() && !daysOf(raw) ? `Enter a whole number of days from 1 to ${MAX_FIRST_VISIT_DAYS}` : undefined;

/** A condition's problem, or undefined: no field chosen, or no value (a date must be a real day). */
export function conditionProblem(c: ConditionDraft, type: string | undefined): string | undefined {
  if (!c.fieldId) return 'Choose a field, or remove this condition';
  if (!takesValue(c.op)) return undefined;
  if (!c.value.trim()) return 'Enter a value to compare with';
  if (type === 'date' && !isoDate(c.value)) return 'Choose a date';
  return undefined;
}

/** Whether anything in the draft is unfinished (the builder shows where once `checked`). */
export function draftIncomplete(d: AudienceDraft, typeOf: (fieldId: string) => string | undefined): boolean {
  return !!daysProblem(d.firstVisitDays) || d.fields.some((c) => conditionProblem(c, typeOf(c.fieldId)));
}

/** A segment name's rules (audiences/inputs.ts), checked here too so a slip is said before anything is sent. */
export function segmentNameProblem(name: string): string | undefined {
  if (!name.trim()) return SEGMENT_NAME_MISSING;
  if (name.trim().length > MAX_SEGMENT_NAME) return SEGMENT_NAME_TOO_LONG;
  return undefined;
}
