import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';

/**
 * Phone numbers are stored in E.164 (+15555550123), read against the church's country when written without a
 * country code. Client-safe: the members form and the CSV import preview use the same rule as the server.
 */
export function normalisePhone(input: string, country: string): string | null {
  const parsed = parsePhoneNumberFromString(input.trim(), country.toUpperCase() as CountryCode);
  return parsed?.isValid() ? parsed.number : null;
}

/** For display: the national format for numbers in the church's country, international otherwise. */
export function formatPhone(e164: string, country: string): string {
  const parsed = parsePhoneNumberFromString(e164);
  if (!parsed) return e164;
  return parsed.country === country.toUpperCase() ? parsed.formatNational() : parsed.formatInternational();
}
