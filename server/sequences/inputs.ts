import { z } from 'zod';
import { STEP_UNITS } from '@/db/tenant/enums';
import { audience, minute, personalBody } from '@/server/messaging/inputs';
import { MAX_STEPS } from './rules';

/** The sequences router's inputs; the automations page loads them to check as the admin types. Client-safe. */

/** A step waits at most this long after the previous one: a year. */
const MAX_WAIT = { hours: 24 * 365, days: 365 } as const;

const name = z.string().trim().min(1, 'Name the sequence').max(80, 'Keep the name under 80 characters');
const uuid = (message: string) => z.string().uuid(message);

export const stepInput = z
  .object({
    wait: z.number().int('Wait whole hours or days').min(0, 'A wait cannot be negative'),
    unit: z.enum(STEP_UNITS),
    /** Days only: at this local time (minutes after midnight) on the day; null sends at the time it comes due. */
    atMinute: minute.nullish(),
    body: personalBody,
  })
  .superRefine((s, ctx) => {
    if (s.wait > MAX_WAIT[s.unit])
      ctx.addIssue({ code: 'custom', path: ['wait'], message: 'Wait at most a year between steps' });
    if (s.unit === 'hours' && s.atMinute != null)
      ctx.addIssue({ code: 'custom', path: ['atMinute'], message: 'A time of day goes with a wait in days' });
  });
export type StepInput = z.output<typeof stepInput>;

/** What starts the sequence; each trigger carries only what it needs. */
export const triggerInput = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('keyword'), keywordId: uuid('Choose a keyword') }),
  z.object({ kind: z.literal('connect_card'), firstVisitOnly: z.boolean() }),
  z.object({ kind: z.literal('tag'), tag: z.string().trim().min(1, 'Choose a tag').max(40) }),
  z.object({ kind: z.literal('date'), fieldId: uuid('Choose a date field'), atMinute: minute }),
  z.object({ kind: z.literal('manual') }),
]);
export type TriggerInput = z.output<typeof triggerInput>;

export const sequenceInput = z.object({
  name,
  trigger: triggerInput,
  steps: z.array(stepInput).min(1, 'Add a first step').max(MAX_STEPS, `Use at most ${MAX_STEPS} steps`),
  stopOnReply: z.boolean().default(true),
  reenroll: z.boolean().default(false),
});
export type SequenceInput = z.output<typeof sequenceInput>;

export const sequenceId = z.object({ id: uuid('That sequence does not exist.') });
export const updateSequenceInput = sequenceInput.extend(sequenceId.shape);

/** Enrolling by hand: some members, or everyone in an audience (as a broadcast chooses one). */
export const enrollInput = sequenceId.extend({
  who: z.discriminatedUnion('type', [
    z.object({
      type: z.literal('members'),
      memberIds: z.array(uuid('Choose a member')).min(1, 'Choose someone').max(500),
    }),
    z.object({ type: z.literal('audience'), audience }),
  ]),
});

export const enrollmentId = z.object({ enrollmentId: uuid('That enrollment does not exist.') });
