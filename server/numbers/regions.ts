/**
 * Area codes the simulated inventory describes by place, so searching by city or state works offline. Any other
 * valid area code still has numbers, without a place.
 */
const AREA_CODES: Record<string, [city: string, state: string]> = {
  '202': ['Washington', 'DC'],
  '205': ['Birmingham', 'AL'],
  '206': ['Seattle', 'WA'],
  '210': ['San Antonio', 'TX'],
  '212': ['New York', 'NY'],
  '213': ['Los Angeles', 'CA'],
  '214': ['Dallas', 'TX'],
  '215': ['Philadelphia', 'PA'],
  '303': ['Denver', 'CO'],
  '305': ['Miami', 'FL'],
  '312': ['Chicago', 'IL'],
  '404': ['Atlanta', 'GA'],
  '405': ['Oklahoma City', 'OK'],
  '407': ['Orlando', 'FL'],
  '502': ['Louisville', 'KY'],
  '512': ['Austin', 'TX'],
  '602': ['Phoenix', 'AZ'],
  '612': ['Minneapolis', 'MN'],
  '615': ['Nashville', 'TN'],
  '617': ['Boston', 'MA'],
  '704': ['Charlotte', 'NC'],
  '713': ['Houston', 'TX'],
  '801': ['Salt Lake City', 'UT'],
  '804': ['Richmond', 'VA'],
  '816': ['Kansas City', 'MO'],
  '901': ['Memphis', 'TN'],
  '919': ['Raleigh', 'NC'],
};
export const TOLL_FREE_CODES = ['800', '833', '844', '855', '866', '877', '888'];

export const placeOf = (areaCode: string) => {
  const place = AREA_CODES[areaCode];
  return place ? `${place[0]}, ${place[1]}` : null;
};

/** Area codes whose place matches a city (its start, any case) and a state (two letters). */
export function areaCodesFor({ city, state }: { city?: string; state?: string }): string[] {
  const c = city?.trim().toLowerCase();
  const s = state?.trim().toUpperCase();
  return Object.entries(AREA_CODES)
    .filter(([, [placeCity, placeState]]) => (!c || placeCity.toLowerCase().startsWith(c)) && (!s || placeState === s))
    .map(([code]) => code);
}

/** A toll-free number (8XX), which carriers verify instead of 10DLC registration. */
export const isTollFree = (e164: string) => e164.startsWith('+1') && TOLL_FREE_CODES.includes(e164.slice(2, 5));

/** How carriers register a number: toll-free verification, or 10DLC (a brand and campaign) for a local one. */
export const registrationKindOf = (e164: string) => (isTollFree(e164) ? ('toll_free' as const) : ('10dlc' as const));
