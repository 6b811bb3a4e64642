/**
 * What a carrier's refusal means for a church admin, from Telnyx's delivery error codes (the `errors[].code` of a
 * `message.finalized` webhook, or of a refused send): a reason in plain words, what kind of problem it is, and
 * whether sending the same text again could work. Pure, shared by the webhook, the sender and the pages.
 */
export type FailureKind =
  | 'opted_out' // they texted STOP to the carrier: the member is unsubscribed
  | 'not_mobile'
  | 'invalid_number'
  | 'spam'
  | 'content'
  | 'unregistered' // 10DLC or toll-free verification missing
  | 'sender' // our sending number is the problem
  | 'carrier_limit'
  | 'temporary'
  | 'not_opted_in' // a broadcast to someone who never opted in (ours, not the carrier's)
  | 'workspace' // the church's workspace was closed (ours)
  | 'team_only' // the owner's email is not verified yet: only the team's phones are texted (ours)
  | 'unknown';

type Outcome = { kind: FailureKind; reason: string; retry: boolean };

/** Codes for Steeple's own refusals, stored like a carrier's so the reason and "send again" follow one table. */
export const STEEPLE_CODES = {
  unsubscribed: 'steeple:unsubscribed',
  notOptedIn: 'steeple:not_opted_in',
  closed: 'steeple:closed',
  unregistered: 'steeple:unregistered',
  teamOnly: 'steeple:team_only',
} as const;

const permanent = (kind: FailureKind, reason: string): Outcome => ({ kind, reason, retry: false });
const passing = (kind: FailureKind, reason: string): Outcome => ({ kind, reason, retry: true });

const CODES: Record<string, Outcome> = {
  '40001': permanent('not_mobile', 'Not a mobile number: a landline cannot receive texts'),
  '40002': permanent('spam', 'Blocked as spam by the carrier'),
  '40003': permanent('spam', 'Blocked as spam by the carrier: your sending number is blocked'),
  '40004': passing('temporary', "Refused by the recipient's carrier"),
  '40005': passing('temporary', 'Expired before it reached the phone'),
  '40006': passing('temporary', "The recipient's carrier was unavailable"),
  '40008': passing('unknown', 'The carrier did not accept it'),
  '40009': permanent('content', "The carrier refused the text's content"),
  '40010': permanent('unregistered', 'Your number is not registered for 10DLC, so carriers block its texts'),
  '40011': passing('carrier_limit', 'Sent faster than the carrier allows'),
  '40012': permanent('invalid_number', 'Not a working mobile number (disconnected or unassigned)'),
  '40013': permanent('sender', 'The carrier refused your sending number'),
  '40014': passing('carrier_limit', 'Expired waiting to be sent (too many texts at once)'),
  '40015': permanent('spam', "Blocked as spam by Telnyx's filter"),
  '40016': passing('carrier_limit', "T-Mobile's daily limit for your brand was reached"),
  '40017': permanent('spam', 'Blocked as spam by AT&T'),
  '40018': passing('carrier_limit', "AT&T's per-minute limit for your brand was reached"),
  '40100': permanent('sender', 'Your sending number is not enabled for texting'),
  '40300': permanent('opted_out', 'The recipient opted out with their carrier (they texted STOP)'),
  '40301': permanent('not_mobile', 'This number cannot receive this kind of text'),
  '40310': permanent('invalid_number', 'Not a valid phone number'),
  '40315': permanent('sender', 'Your sending number failed the carrier’s health check (texts marked as spam)'),
  '40319': permanent('not_mobile', 'This number cannot receive this kind of text'),
  '40322': permanent('content', 'Blocked for its content'),
  '40329': permanent('unregistered', 'Your toll-free number is not verified, so carriers block its texts'),
  // Steeple's own refusals that sending again would not change (the sender and the job set these).
  [STEEPLE_CODES.unsubscribed]: permanent('opted_out', 'They have unsubscribed (they replied STOP)'),
  [STEEPLE_CODES.notOptedIn]: permanent('not_opted_in', 'They have not opted in to broadcasts'),
  [STEEPLE_CODES.closed]: permanent('workspace', 'The workspace was closed'),
  // Once the owner has verified their email, sending again works.
  [STEEPLE_CODES.teamOnly]: passing('team_only', 'The owner had not verified their email yet'),
  // Once the number is registered, sending again works.
  [STEEPLE_CODES.unregistered]: passing('unregistered', 'Your number was not registered with US carriers yet'),
};

/** The outcome of a failed message from the carrier's code (null when none was given) and its own words. */
export function carrierOutcome(code: string | null | undefined, detail?: string | null): Outcome {
  const known = code ? CODES[code] : undefined;
  if (known) return known;
  return passing('unknown', detail?.replace(/^Not (sent|delivered): /, '') || 'Not delivered');
}

/** The code Telnyx gives, as text, or null: codes come as strings ("40300") or, from some senders, numbers. */
export function carrierCode(errors: { code?: string | number | null }[] | undefined): string | null {
  const code = errors?.find((e) => e.code !== undefined && e.code !== null)?.code;
  return code === undefined || code === null ? null : String(code).slice(0, 20);
}
