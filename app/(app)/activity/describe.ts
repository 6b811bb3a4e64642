import type { ActivityAction } from '@/db/tenant/enums';
import { ROLE_LABELS, type Role } from '@/server/auth/permissions';

/** A row of the log as the list gets it. */
export type ActivityItem = {
  action: ActivityAction;
  actorLabel: string;
  subject: string;
  details: Record<string, string | number | boolean | null>;
};

const role = (r: unknown) =>
  typeof r === 'string' && r in ROLE_LABELS ? ROLE_LABELS[r as Role].toLowerCase() : 'a teammate';
const people = (n: unknown) => (n === 1 ? '1 person' : `${typeof n === 'number' ? n : 'some'} people`);
const clock = (minute: unknown) => {
  const m = typeof minute === 'number' ? minute : 0;
  return `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
};
const SUBSCRIPTION_WORDS: Record<string, string> = {
  active: 'active',
  trialing: 'on its trial',
  past_due: 'past due',
  canceled: 'cancelled',
  unpaid: 'unpaid',
  incomplete: 'waiting for the first payment',
  incomplete_expired: 'expired before its first payment',
  paused: 'paused',
};

/** One plain sentence per entry: "Ruth Pastor sent the broadcast “Easter service” to 120 people". */
export function describeActivity({ action, actorLabel: who, subject, details: d }: ActivityItem): string {
  const quoted = `“${subject}”`;
  switch (action) {
    case 'signin.succeeded':
      return d.method === 'signup' ? `${who} signed in after creating the workspace` : `${who} signed in`;
    case 'signin.failed':
      return `Failed sign-in for ${subject} (${d.reason === 'code' ? 'wrong two-factor code' : 'wrong password'})`;
    case 'team.invited':
      return `${who} invited ${subject} to join as ${role(d.role)}`;
    case 'team.invite_revoked':
      return `${who} withdrew the invitation to ${subject}`;
    case 'team.joined':
      return `${who} accepted the invitation and joined as ${role(d.role)}`;
    case 'team.role_changed':
      return `${who} changed ${subject}’s role from ${role(d.from)} to ${role(d.to)}`;
    case 'team.removed':
      return `${who} removed ${subject} (${d.email ?? 'a teammate'}) from the team`;
    case 'broadcast.sent':
      return `${who} sent the broadcast ${quoted} to ${people(d.recipients)}`;
    case 'broadcast.scheduled':
      return `${who} scheduled the broadcast ${quoted} for ${people(d.recipients)}`;
    case 'broadcast.canceled':
      return `${who} cancelled the broadcast ${quoted}`;
    case 'series.created':
      return `${who} set up the repeating broadcast ${quoted}${d.repeat ? ` (${d.repeat})` : ''}`;
    case 'series.date_skipped':
      return `${who} skipped a date of the repeating broadcast ${quoted}`;
    case 'series.date_restored':
      return `${who} brought back a skipped date of the repeating broadcast ${quoted}`;
    case 'series.stopped':
      return `${who} stopped the repeating broadcast ${quoted}`;
    case 'members.exported':
      return `${who} exported ${d.members === 1 ? '1 member' : `${d.members ?? 'the'} members`} as a spreadsheet (CSV)`;
    case 'number.bought':
      return `${who} bought the number ${subject}${d.status === 'pending' ? ' (the carrier is setting it up)' : ''}`;
    case 'number.released':
      return `${who} released the number ${subject}`;
    case 'registration.submitted':
      return `${who} sent the carrier registration`;
    case 'church.profile_changed':
      return d.changed ? `${who} changed the church’s ${d.changed}` : `${who} saved the church profile (no changes)`;
    case 'church.quiet_hours_changed':
      return d.enabled
        ? `${who} set quiet hours from ${clock(d.startMinute)} to ${clock(d.endMinute)}`
        : `${who} turned quiet hours off`;
    case 'billing.checkout_completed':
      return 'A plan was chosen at checkout (Stripe)';
    case 'billing.subscription_changed':
      return `The subscription is now ${SUBSCRIPTION_WORDS[subject] ?? subject} (Stripe)`;
    case 'billing.payment_failed':
      return 'A payment failed (Stripe)';
    case 'billing.invoice_paid':
      return typeof d.amountCents === 'number'
        ? `An invoice of ${(d.amountCents / 100).toFixed(2)} ${String(d.currency ?? '').toUpperCase()} was paid`
        : 'An invoice was paid';
    case 'security.two_factor_on':
      return `${who} turned on two-factor sign-in`;
    case 'security.two_factor_off':
      return `${who} turned off two-factor sign-in`;
    case 'security.recovery_codes_renewed':
      return `${who} made new recovery codes`;
    case 'security.team_two_factor':
      return d.required
        ? `${who} required two-factor sign-in for the whole team`
        : `${who} stopped requiring two-factor sign-in for the team`;
    case 'security.password_changed':
      return `${who} changed their password`;
    case 'security.password_reset':
      return `${who} chose a new password through a reset link`;
    case 'security.email_verified':
      return `${who} verified their email address`;
    case 'security.phone_changed':
      return subject ? `${who} set their mobile number to ${subject}` : `${who} removed their mobile number`;
  }
}
