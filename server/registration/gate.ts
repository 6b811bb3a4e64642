import { parsePhoneNumberFromString } from 'libphonenumber-js';

/**
 * US carriers block application-to-person texts from numbers not registered for 10DLC (local) or not verified
 * (toll-free). Until a church's number is, Steeple does not send from it to US numbers: the text would be filtered,
 * and the church would be told it was sent. Other countries' carriers do not ask for it.
 */
export const CHECKLIST_PATH = '/get-ready';

export const NOT_REGISTERED =
  'Your number is not registered with US carriers yet, so they would block texts to US numbers. ' +
  'Finish “Get ready to text” first (your church’s owner does it).';

export const NOT_SENT_UNREGISTERED =
  'Not sent: the number it was sent from is not registered with US carriers yet (see Get ready to text).';

// The US and the territories on US carriers (all +1, as is Canada, which does not need 10DLC).
const US_CARRIER_REGIONS = new Set(['US', 'PR', 'VI', 'GU', 'AS', 'MP']);

/** Whether texting `e164` goes through US carriers. A +1 number whose country cannot be told is treated as US. */
export function reachesUsCarriers(e164: string): boolean {
  if (!e164.startsWith('+1')) return false;
  const country = parsePhoneNumberFromString(e164)?.country;
  return !country || US_CARRIER_REGIONS.has(country);
}

/**
 * The number a text leaves from: the conversation's own when it may (so replies stay in one thread), otherwise the
 * church's first number that may — for a US phone, a registered one. Undefined when the church has no number; a
 * number that may not send is returned only when there is no other, and the caller refuses it.
 */
export function senderFor<N extends { e164: string; registered: boolean }>(
  numbers: N[],
  conversationNumber: string | null,
  to: { us: boolean },
): N | undefined {
  const may = (n: N) => n.registered || !to.us;
  const own = numbers.find((n) => n.e164 === conversationNumber);
  return (own && may(own) ? own : numbers.find(may)) ?? own ?? numbers[0];
}
