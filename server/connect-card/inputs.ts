import { z } from 'zod';
import { optionalEmail } from '@/server/inputs';
import { tagList } from '@/server/members/inputs';

/** The connect card's inputs: what a visitor sends in, and the church's settings for it. Client-safe: zod only. */

const name = (label: string) =>
  z.string().trim().min(1, `Enter your ${label}`).max(100, `Keep your ${label} under 100 characters`);

export const connectCardSubmission = z.object({
  firstName: name('first name'),
  lastName: name('last name'),
  /** Read against the church's country on the server, which says when it is not a mobile number it can text. */
  phone: z.string().trim().min(1, 'Enter your mobile number').max(40, 'That is too long for a phone number'),
  email: optionalEmail.optional(),
  firstVisit: z.enum(['yes', 'no'], { message: 'Tell us whether this is your first visit' }),
  prayer: z.string().trim().max(2_000, 'Keep it under 2,000 characters').optional(),
  consent: z.boolean(),
  /** Left empty by people; a bot that fills every field fills this one too (it is hidden from people). */
  website: z.string().max(500).optional(),
  /** Issued with the page (form-token.ts): proves when the form was opened, and makes a double send count once. */
  token: z.string().min(1).max(300),
});
export type ConnectCardSubmission = z.output<typeof connectCardSubmission>;

const tag = z.string().trim().max(40, 'Keep the tag under 40 characters');

/** Blank clears it; otherwise only an http(s) address: the card links to it. */
function isWebAddress(text: string) {
  try {
    return ['http:', 'https:'].includes(new URL(text).protocol);
  } catch {
    return false;
  }
}

export const connectCardSettings = z.object({
  enabled: z.boolean().optional(),
  /** Blank sends no welcome text. */
  welcomeText: z.string().trim().max(640, 'Keep it under 640 characters (four texts)').optional(),
  tags: tagList.optional(),
  firstVisitTag: tag.optional(),
  prayerField: z.boolean().optional(),
  /** Linked from the public card, so only a web address: never `javascript:` or `data:`. */
  privacyUrl: z
    .string()
    .trim()
    .max(500, 'Keep the address under 500 characters')
    .refine((u) => u === '' || isWebAddress(u), 'Enter a web address starting with https://')
    .optional(),
});
export type ConnectCardSettings = z.output<typeof connectCardSettings>;
