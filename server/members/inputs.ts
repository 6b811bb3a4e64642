import { z } from 'zod';
import { SUBSCRIPTION_STATES } from '@/db/tenant/enums';
import { isTimeZone, optionalEmail } from '@/server/inputs';
import { fieldValuesInput } from '@/server/custom-fields/inputs';
import { isoDate } from '@/server/custom-fields/rules';
import { MAX_IMPORT_BYTES, MAX_NOTES } from './rules';

/**
 * Input schemas for members, branches and the CSV import, shared by the routers and the pages (inline validation).
 * Pure zod, no server imports, so client components may import this file. Phone numbers are checked on the server,
 * which knows the church's country; the form shows the server's field error.
 */

const MAX_TAGS = 30;

/** Optional text: '' and null clear the field; a missing key leaves it alone (so updates stay partial). */
const clearable = (max: number, tooLong: string) =>
  z
    .string()
    .trim()
    .max(max, tooLong)
    .nullish()
    .transform((v) => (v === undefined ? undefined : v || null));

/** Trimmed, blank ones dropped, duplicates (ignoring case) dropped; the first spelling wins. */
function cleanTags(tags: string[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const tag of tags.map((t) => t.trim())) {
    if (!tag || seen.has(tag.toLowerCase())) continue;
    seen.add(tag.toLowerCase());
    out.push(tag);
  }
  return out;
}

const uuid = z.string().uuid('Choose from the list');
const tagName = z.string().trim().min(1, 'Enter a tag').max(40, 'Keep each tag under 40 characters');
const subscriptionState = z.enum(SUBSCRIPTION_STATES);
/** How someone agreed to be texted, in the admin's words: kept in the consent log. */
const consentNote = z.string().trim().max(200, 'Keep it under 200 characters');

const firstName = z.string().trim().min(1, 'Enter a first name').max(100, 'Keep the first name under 100 characters');
const lastName = z.string().trim().max(100, 'Keep the last name under 100 characters');
const phone = z.string().trim().min(1, 'Enter a phone number').max(40, 'That is too long for a phone number');
// Undefined leaves the email as it is (an update that does not mention it); blank clears it.
const email = optionalEmail.optional();
/** Tags as admins type them: trimmed, blank and repeated ones dropped. */
export const tagList = z.array(tagName).max(MAX_TAGS, `Use at most ${MAX_TAGS} tags`).transform(cleanTags);
const notes = clearable(MAX_NOTES, 'Keep notes under 5,000 characters');

// No .default() anywhere: zod 4 applies defaults inside .optional(), which would turn partial updates into overwrites.
const memberFields = z.object({
  firstName,
  lastName: lastName.optional(),
  phone,
  email,
  branchId: uuid.nullish(),
  tags: tagList.optional(),
  notes,
  /** Consent follows its own rules (server/members/consent.ts); a new member without it is "not opted in". */
  subscription: subscriptionState.optional(),
  consentNote: consentNote.optional(),
  /** The church's custom fields, by field id ('' clears one); fields not named stay as they are. */
  fields: fieldValuesInput.optional(),
  /** The day of their first visit ("first-time guests" audiences); '' or null clears it. */
  firstVisitOn: z
    .string()
    .trim()
    .max(10)
    .refine((d) => !d || isoDate(d), 'Choose a date')
    .nullish()
    .transform((d) => (d === undefined ? undefined : d ? isoDate(d) : null)),
});

export const createMemberInput = memberFields;
export const updateMemberInput = memberFields.partial().extend({ id: z.string().uuid() });
export const memberId = z.object({ id: z.string().uuid() });

export const listMembersInput = z.object({
  search: z.string().trim().max(100).optional(),
  branchId: z.union([z.string().uuid(), z.literal('none')]).optional(), // 'none': members without a branch
  tag: tagName.optional(),
  subscription: subscriptionState.optional(),
  /** A saved segment's members (audiences/segments.ts), with the filters above on top. */
  segmentId: z.string().uuid().optional(),
  cursor: z.string().max(1_000).nullish(),
  limit: z.number().int().min(1).max(200).optional(),
});
export type ListMembersInput = z.infer<typeof listMembersInput>;

export const importInput = z.object({
  // Characters, not bytes: close enough for a limit that only keeps a request reasonable.
  csv: z
    .string()
    .min(1, 'Choose a CSV file or paste its contents')
    .max(MAX_IMPORT_BYTES, 'The file is larger than 5 MB. Split it into smaller files and import each one.'),
  /** The importer's word that the people the file marks subscribed (or all, without that column) agreed to texts. */
  consentConfirmed: z.boolean().optional(),
});

const branchName = z.string().trim().min(1, 'Enter a name').max(100, 'Keep the name under 100 characters');
const timezone = z.string().max(64, 'Choose a valid timezone').refine(isTimeZone, 'Choose a valid timezone');
const address = clearable(300, 'Keep the address under 300 characters');

export const createBranchInput = z.object({ name: branchName, address, timezone: timezone.optional() });
export const updateBranchInput = z.object({
  id: z.string().uuid(),
  name: branchName.optional(),
  address,
  timezone: timezone.optional(),
});
export const branchId = z.object({ id: z.string().uuid() });
