import LinkifyIt from 'linkify-it';
import tlds from 'tlds';
import { z } from 'zod';
import { ADMIN_ROLES } from '@/db/tenant/enums';
import { normalisePhone } from './messaging/phone';

/**
 * Input schemas shared by the server (tRPC inputs) and the pages (inline validation): one definition of each rule.
 * zod (and linkify-it for web addresses), no server imports, so client components may import this file (forms
 * load it on first use: app/_components/check.ts).
 */
// A zone Intl can format in (canonical names and their aliases). The server also asks PostgreSQL's tz database
// (server/church/timezones.ts), where every church's day is computed.
export const isTimeZone = (tz: string) => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
};

/**
 * True when `value` holds text PostgreSQL cannot store anywhere in it: a NUL character, or half of a surrogate pair
 * (text that is not valid Unicode). Checked once for every procedure's input (server/trpc.ts), keys included.
 */
export function hasUnstorableText(value: unknown): boolean {
  const stack: unknown[] = [value];
  for (let seen = 0; stack.length > 0 && seen < 100_000; seen++) {
    const v = stack.pop();
    if (typeof v === 'string') {
      if (unstorable(v)) return true;
    } else if (v && typeof v === 'object') {
      for (const [k, child] of Object.entries(v)) {
        if (unstorable(k)) return true;
        stack.push(child);
      }
    }
  }
  return false;
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const unstorable = (s: string) => s.includes('\u0000') || LONE_SURROGATE.test(s);

/** Text from outside (a webhook) made storable: NULs dropped, broken surrogates replaced with U+FFFD. */
export const storableText = (s: string) =>
  s.replace(/\u0000/g, '').replace(new RegExp(LONE_SURROGATE.source, 'g'), '\uFFFD');

const normaliseEmail = (email: string) => email.trim().toLowerCase();

/** The one email rule: trimmed, at most 254 characters, a valid address, stored lower-case. */
export const email = z
  .string()
  .trim()
  .max(254, 'Use at most 254 characters')
  .pipe(z.email('Enter a valid email address'))
  .transform(normaliseEmail);
/** An email a form may leave empty: blank or missing is null. */
export const optionalEmail = z
  .string()
  .trim()
  .nullish()
  .transform((v) => v || null)
  .pipe(email.nullable());
// The upper bound keeps anyone from making us hash megabytes.
const newPassword = z.string().min(10, 'Use at least 10 characters').max(128, 'Use at most 128 characters');
const personName = z.string().trim().min(1, 'Enter your full name').max(120, 'Keep the name under 120 characters');

// linkify-it with every real top-level domain (the `tlds` list): "grace.church" is a link, "St.Mary's" is not.
const linkify = new LinkifyIt(undefined, { fuzzyIP: true }).tlds(tlds, true);

/**
 * Text with every web address and email taken out. A church's name goes into invitation emails and automatic texts
 * sent to strangers, so it must not be a way to send them a link.
 */
export function withoutLinks(text: string): string {
  const links = linkify.match(text) ?? [];
  let out = text;
  for (const link of [...links].reverse()) out = out.slice(0, link.index) + out.slice(link.lastIndex);
  return out.replace(/\s+/g, ' ').trim();
}

export const churchName = z
  .string()
  .max(400, 'Keep the name under 80 characters')
  .refine((s) => !s.trim() || !!withoutLinks(s), 'A church name cannot be a web address')
  .transform(withoutLinks)
  .pipe(z.string().min(2, 'Enter the church name').max(80, 'Keep the name under 80 characters'));

export const churchStep = z.object({
  churchName,
  timezone: z.string().max(64, 'Choose a valid timezone').refine(isTimeZone, 'Choose a valid timezone'),
  size: z.enum(['under-100', '100-499', '500-1999', '2000-plus']).optional(),
});
export const adminStep = z.object({ adminName: personName, email, password: newPassword });

const onlyIfFine = (fields: string[]) => (payload: { issues: { path?: PropertyKey[] }[] }) =>
  !payload.issues.some((i) => fields.includes(String(i.path?.[0])));

/**
 * The church profile (Settings). The contact phone is read against the chosen country within the same check as the
 * other fields, so the form shows every problem at once rather than the phone's after the rest are fixed.
 */
export const churchProfileInput = churchStep
  .pick({ churchName: true, timezone: true })
  .extend({
    country: z
      .string()
      .max(8, 'Choose a country')
      .trim()
      .toUpperCase()
      .regex(/^[A-Z]{2}$/, 'Choose a country'),
    contactPhone: z.string().trim().max(32, 'Enter a valid phone number').nullish(),
    contactEmail: optionalEmail,
  })
  .superRefine(
    (v, ctx) => {
      if (v.contactPhone && !normalisePhone(v.contactPhone, v.country))
        ctx.addIssue({ code: 'custom', path: ['contactPhone'], message: 'Enter a valid phone number' });
    },
    { when: onlyIfFine(['country', 'contactPhone']) },
  );
export const signupInput = churchStep.extend(adminStep.shape);
export type SignupInput = z.infer<typeof signupInput>;

export const ticketInput = z.object({ ticket: z.string().min(20).max(100) });

export const inviteInput = z.object({ email, role: z.enum(ADMIN_ROLES).exclude(['owner']) });
export const acceptInviteInput = z.object({
  token: z.string().min(20).max(100),
  name: personName,
  password: newPassword,
});
export const changePasswordInput = z.object({ currentPassword: z.string().min(1).max(128), newPassword });
/** The token of an emailed link (a password reset, an email check). */
export const resetTokenInput = z.object({ token: z.string().min(20).max(100) });
/** An admin's own mobile, as typed (read against the church's country); empty removes it. */
export const mobileInput = z.object({ phone: z.string().trim().max(40, 'That is too long for a phone number.') });
export const resetPasswordInput = resetTokenInput.extend({ password: newPassword });
/** A code from an authenticator app (6 digits) or a recovery code (XXXXX-XXXXX), spaces allowed. */
export const twoFactorCode = z.string().trim().min(6, 'Enter the 6-digit code').max(32, 'Enter the 6-digit code');
export const passwordConfirmation = z.object({ password: z.string().min(1, 'Enter your password').max(128) });
