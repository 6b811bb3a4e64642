import { z } from 'zod';
import { audienceFilter } from '@/server/audiences/inputs';

/** Texting inputs, shared by the routers and the pages' inline checks. Client-safe: zod only. */
export const messageBody = z
  .string()
  .trim()
  .min(1, 'Write a message')
  .max(1600, 'Keep it under 1,600 characters (10 segments)');

/**
 * A message with merge fields, filled in for each recipient when it is sent. Which fields exist depends on the
 * church (its custom fields), so the server checks the names where it saves or sends one (custom-fields/merge.ts).
 */
export const personalBody = messageBody.describe('A message that may use merge fields');

/** Beside a picture the words may be left out: the server asks for one or the other (media/pictures.ts). */
export const captionBody = z.string().trim().max(1600, 'Keep it under 1,600 characters (10 segments)');
/** A picture uploaded with media.upload, sent with the words (an MMS). */
export const pictureId = z.string().uuid('That picture is no longer available: attach it again.').nullish();

export const audience = z.discriminatedUnion('type', [
  z.object({ type: z.literal('all') }),
  z.object({ type: z.literal('branch'), branchId: z.string().uuid('Choose a branch') }),
  z.object({ type: z.literal('tag'), tag: z.string().trim().min(1, 'Choose a tag').max(60) }),
  z.object({ type: z.literal('filter'), filter: audienceFilter }),
  z.object({ type: z.literal('segment'), segmentId: z.string().uuid('Choose a segment') }),
]);
export type AudienceInput = z.infer<typeof audience>;

export const broadcastInput = z.object({
  /** Merge fields are filled in for each recipient when the broadcast starts. */
  body: captionBody,
  mediaId: pictureId,
  audience,
  /** Omitted or null: send now. At most a year ahead (router), and never a date PostgreSQL cannot hold. */
  scheduledAt: z.coerce
    .date()
    .min(new Date('2000-01-01T00:00:00Z'), 'Choose a time in the future, or send now.')
    .max(new Date('2200-01-01T00:00:00Z'), 'Choose a time within the next year.')
    .nullish(),
});

export const cursorInput = z.object({
  cursor: z.string().max(500).nullish(),
  limit: z.number().int().min(1).max(100).default(30),
});

/** Quiet hours as minutes after midnight (the settings form and `church.updateQuietHours`). */
export const minute = z
  .number()
  .int()
  .min(0)
  .max(24 * 60 - 1);
export const quietHoursInput = z
  .object({ enabled: z.boolean(), startMinute: minute, endMinute: minute })
  .refine((q) => !q.enabled || q.startMinute !== q.endMinute, {
    message: 'Quiet hours must start and end at different times',
    path: ['endMinute'],
  });
