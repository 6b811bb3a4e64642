import { parsePhoneNumberFromString } from 'libphonenumber-js';

/**
 * US carriers block application-to-person texts from numbers not registered for 10DLC (local) or not verified
 * (toll-free). Until a church's number is, Steeple does not send from it to US numbers: the text would be filtered,
 * and the church would be told it was sent. Other countries' carriers do not ask for it.
 */
export const CHECKLIST_PATH = '/get-ready';

export const NOT_REGISTERED =
  'Your number is not registered with US carriers yet, so they would block texts to US numbers. ' +
  'Finish “Get ready to text” first.';

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
