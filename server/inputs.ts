import { z } from 'zod';

/**
 * Input schemas shared by the server (tRPC inputs) and the pages (inline validation): one definition of each rule.
 * Pure zod, no server imports, so client components may import this file.
 */
const isTimeZone = (tz: string) => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
};

export const normaliseEmail = (email: string) => email.trim().toLowerCase();

export const email = z.string().trim().max(254, 'Use at most 254 characters').pipe(z.email('Enter a valid email address')).transform(normaliseEmail);
// The upper bound keeps anyone from making us hash megabytes.
export const newPassword = z.string().min(10, 'Use at least 10 characters').max(128, 'Use at most 128 characters');
export const personName = z.string().trim().min(1, 'Enter your full name').max(120, 'Keep the name under 120 characters');

export const churchStep = z.object({
  churchName: z.string().trim().min(2, 'Enter the church name').max(120, 'Keep the name under 120 characters'),
  timezone: z.string().refine(isTimeZone, 'Choose a valid timezone'),
  size: z.enum(['under-100', '100-499', '500-1999', '2000-plus']).optional(),
});
export const adminStep = z.object({ adminName: personName, email, password: newPassword });
export const signupInput = churchStep.extend(adminStep.shape);
export type SignupInput = z.infer<typeof signupInput>;

export const ticketInput = z.object({ ticket: z.string().min(20).max(100) });

export const inviteInput = z.object({ email, role: z.enum(['admin', 'staff']) });
export const acceptInviteInput = z.object({ token: z.string().min(20).max(100), name: personName, password: newPassword });
export const changePasswordInput = z.object({ currentPassword: z.string().min(1).max(128), newPassword });

/** A rough strength hint for the password field: length and variety, not a policy. */
export function passwordStrength(pw: string): 'too short' | 'weak' | 'fair' | 'strong' {
  if (pw.length < 10) return 'too short';
  const variety = [/[a-z]/, /[A-Z]/, /\d/, /[^A-Za-z0-9]/].filter((r) => r.test(pw)).length;
  if (pw.length >= 16 || (pw.length >= 12 && variety >= 3)) return 'strong';
  return variety >= 2 ? 'fair' : 'weak';
}
