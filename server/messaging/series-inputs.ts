import { z } from 'zod';
import { audience, captionBody, pictureId } from './inputs';
import { WEEKDAYS } from './series-days';

/**
 * Repeating broadcasts' inputs (the broadcasts router, and the compose form's checks). Client-safe: zod only. Dates and
 * the time of day are the church's own (its timezone is applied on the server); whether the dates fall within the
 * next year depends on today there, so the server checks that (series.ts).
 */

/** "2027-06-30", a real calendar date (what a date input gives). */
const calendarDate = (message: string) =>
  z
    .string({ error: message })
    .regex(/^\d{4}-\d{2}-\d{2}$/, message)
    .refine((d) => {
      const [y, m, day] = d.split('-').map(Number) as [number, number, number];
      const date = new Date(Date.UTC(y, m - 1, day));
      return y >= 2000 && y < 2200 && date.getUTCMonth() === m - 1 && date.getUTCDate() === day;
    }, message);

const isDate = (d: string) => /^\d{4}-\d{2}-\d{2}$/.test(d);

const repeatShape = {
  frequency: z.enum(['weekly', 'monthly'], { error: 'Choose weekly or monthly' }),
  /** Weekly: the days it goes out (at least one). */
  weekdays: z
    .array(z.enum(WEEKDAYS, { error: 'Choose days of the week' }))
    .max(7)
    .default([]),
  /**
   * Monthly: the day of the month, 1 to 31. Days 29 to 31 go out on the month's last day in months without that day
   * (rather than skipping those months, which a church would not expect).
   */
  monthDay: z
    .number({ error: 'Choose a day of the month, 1 to 31' })
    .int('Choose a day of the month, 1 to 31')
    .min(1, 'Choose a day of the month, 1 to 31')
    .max(31, 'Choose a day of the month, 1 to 31')
    .nullish(),
  /** The church's local time of day, "17:00". */
  time: z.string({ error: 'Choose a time' }).regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'Choose a time, like 17:00'),
  /** The first day it may go out. */
  startDate: calendarDate('Choose the first date'),
  /** The last day it may go out: required, at most a year ahead. */
  endDate: calendarDate('Choose the date it ends (at most a year ahead)'),
};

type RepeatFields = z.output<z.ZodObject<typeof repeatShape>>;

function repeatRules(r: RepeatFields, ctx: z.RefinementCtx) {
  if (r.frequency === 'weekly' && r.weekdays.length === 0)
    ctx.addIssue({ code: 'custom', path: ['weekdays'], message: 'Choose at least one day of the week' });
  if (r.frequency === 'weekly' && new Set(r.weekdays).size !== r.weekdays.length)
    ctx.addIssue({ code: 'custom', path: ['weekdays'], message: 'Choose each day once' });
  if (r.frequency === 'monthly' && r.monthDay == null)
    ctx.addIssue({ code: 'custom', path: ['monthDay'], message: 'Choose a day of the month, 1 to 31' });
  // Compared only once both are dates (each has said what is wrong with it otherwise).
  if (isDate(r.startDate) && isDate(r.endDate) && r.endDate < r.startDate)
    ctx.addIssue({ code: 'custom', path: ['endDate'], message: 'End on or after the first date' });
}

/** How a broadcast repeats: the form's fields, also what the composer previews (`broadcasts.previewSeries`). */
export const repeatInput = z.object(repeatShape).superRefine(repeatRules);
export type RepeatInput = z.output<typeof repeatInput>;

/** A repeating broadcast: a broadcast's message and audience, and how it repeats (flat, for field errors). */
export const seriesInput = z
  .object({ body: captionBody, mediaId: pictureId, audience, ...repeatShape })
  .superRefine(repeatRules);
export type SeriesInput = z.output<typeof seriesInput>;

/** One occurrence of a series, by the instant it goes out (as `broadcasts.series` lists it). */
export const occurrenceInput = z.object({
  seriesId: z.string().uuid('That repeating broadcast does not exist.'),
  at: z.coerce
    .date({ error: 'Choose a date of this series' })
    .min(new Date('2000-01-01T00:00:00Z'), 'Choose a date of this series')
    .max(new Date('2200-01-01T00:00:00Z'), 'Choose a date of this series'),
});

export const seriesId = z.object({ id: z.string().uuid('That repeating broadcast does not exist.') });
