import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';

/**
 * A member's number is one we can text. normalisePhone (server/messaging/phone.ts) drops an extension silently, so a
 * desk phone or a switchboard would be stored as a number that never gets the text: refused here instead.
 */
export const EXTENSION_REFUSED = "Phone numbers with an extension can't receive texts";

/** True when `input` is written with an extension ("201 555 0100 ext. 12", "x12", ";ext=12", "#12"). */
export function hasExtension(input: string, country: string): boolean {
  return !!parsePhoneNumberFromString(input.trim(), country.toUpperCase() as CountryCode)?.ext;
}
