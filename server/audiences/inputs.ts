import { z } from 'zod';
import { SUBSCRIPTION_STATES } from '@/db/tenant/enums';
import { CONDITION_OPS, MAX_VALUE_LENGTH } from '@/server/custom-fields/rules';
import { tagList } from '@/server/members/inputs';
import {
  MAX_CONDITIONS,
  MAX_FIRST_VISIT_DAYS,
  MAX_SEGMENT_NAME,
  SEGMENT_NAME_MISSING,
  SEGMENT_NAME_TOO_LONG,
} from './rules';

/**
 * An audience as conditions, all of which a member must meet: a branch, tags (any of, all of, none of), a first
 * visit in the last N days, a subscription state, and custom-field conditions. Pure zod, client-safe; the server
 * checks the fields against the church's own (audiences/where.ts).
 */

const fieldCondition = z.object({
  fieldId: z.string().uuid('Choose a field'),
  op: z.enum(CONDITION_OPS),
  value: z.string().trim().max(MAX_VALUE_LENGTH, 'Keep the value under 500 characters').optional(),
});
export type FieldCondition = z.infer<typeof fieldCondition>;

const tags = tagList.optional();

export const audienceFilter = z.object({
  branchId: z.union([z.string().uuid('Choose a branch'), z.literal('none')]).nullish(), // 'none': without a branch
  tagsAny: tags,
  tagsAll: tags,
  tagsNone: tags,
  /** First visit (members.first_visit_on) within the last N days, today included. */
  firstVisitDays: z.number().int().min(1, 'At least 1 day').max(MAX_FIRST_VISIT_DAYS, 'At most 10 years').nullish(),
  subscription: z.enum(SUBSCRIPTION_STATES).nullish(),
  fields: z.array(fieldCondition).max(MAX_CONDITIONS, `Use at most ${MAX_CONDITIONS} field conditions`).optional(),
});
export type AudienceFilter = z.infer<typeof audienceFilter>;

const segmentName = z.string().trim().min(1, SEGMENT_NAME_MISSING).max(MAX_SEGMENT_NAME, SEGMENT_NAME_TOO_LONG);
export const createSegmentInput = z.object({ name: segmentName, filter: audienceFilter });
export const updateSegmentInput = z.object({
  id: z.string().uuid(),
  name: segmentName.optional(),
  filter: audienceFilter.optional(),
});
export const segmentId = z.object({ id: z.string().uuid() });
