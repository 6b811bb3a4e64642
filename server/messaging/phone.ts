import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';

/**
 * Phone numbers are stored in E.164 (+15555550123), read against the church's country when written without a
 * country code. Client-safe: the members form and the CSV import preview use the same rule as the server.
 */
export function normalisePhone(input: string, country: string): string | null {
  const parsed = parsePhoneNumberFromString(input.trim(), country.toUpperCase() as CountryCode);
  return parsed?.isValid() ? parsed.number : null;
}

/**
 * A member's number, one we can text: E.164, or why not, from one parse (the CSV import reads 20,000). Unlike
 * normalisePhone, a number written with an extension ("201 555 0100 ext. 12") is refused: the extension would be
 * dropped and the text would go to a switchboard or someone else's desk.
 */
export function textableNumber(
  input: string,
  country: string,
): { e164: string } | { refused: 'extension' | 'invalid' } {
  const parsed = parsePhoneNumberFromString(input.trim(), country.toUpperCase() as CountryCode);
  if (parsed?.ext) return { refused: 'extension' };
  return parsed?.isValid() ? { e164: parsed.number } : { refused: 'invalid' };
}

/** For display: the national format for numbers in the church's country, international otherwise. */
export function formatPhone(e164: string, country: string): string {
  const parsed = parsePhoneNumberFromString(e164);
  if (!parsed) return e164;
  return parsed.country === country.toUpperCase() ? parsed.formatNational() : parsed.formatInternational();
}

/** A row with its phone as the church reads it (formatPhone), so pages need not ship libphonenumber to show one. */
export const withPhoneDisplay = <R extends { phone: string }>(row: R, country: string) => ({
  ...row,
  phoneDisplay: formatPhone(row.phone, country),
});
