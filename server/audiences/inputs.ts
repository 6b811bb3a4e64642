import { z } from 'zod';
import { SUBSCRIPTION_STATES } from '@/db/tenant/enums';
import { CONDITION_OPS, MAX_VALUE_LENGTH } from '@/server/custom-fields/rules';
import { tagList } from '@/server/members/inputs';

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
  firstVisitDays: z.number().int().min(1, 'At least 1 day').max(3660, 'At most 10 years').nullish(),
  subscription: z.enum(SUBSCRIPTION_STATES).nullish(),
  fields: z.array(fieldCondition).max(10, 'Use at most 10 field conditions').optional(),
});
export type AudienceFilter = z.infer<typeof audienceFilter>;

const segmentName = z.string().trim().min(1, 'Name the segment').max(80, 'Keep the name under 80 characters');
export const createSegmentInput = z.object({ name: segmentName, filter: audienceFilter });
export const updateSegmentInput = z.object({
  id: z.string().uuid(),
  name: segmentName.optional(),
  filter: audienceFilter.optional(),
});
export const segmentId = z.object({ id: z.string().uuid() });
