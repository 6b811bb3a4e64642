/**
 * Countries churches most often text in, by ISO code (how members' numbers without a +country code are read).
 * English names written out rather than from Intl.DisplayNames, so server and browser render the same list.
 */
export const COMMON_COUNTRIES: [code: string, name: string][] = [
  ['US', 'United States'],
  ['CA', 'Canada'],
  ['GB', 'United Kingdom'],
  ['IE', 'Ireland'],
  ['AU', 'Australia'],
  ['NZ', 'New Zealand'],
  ['ZA', 'South Africa'],
  ['NG', 'Nigeria'],
  ['GH', 'Ghana'],
  ['KE', 'Kenya'],
  ['UG', 'Uganda'],
  ['TZ', 'Tanzania'],
  ['ZM', 'Zambia'],
  ['ZW', 'Zimbabwe'],
  ['PH', 'Philippines'],
  ['IN', 'India'],
  ['SG', 'Singapore'],
  ['KR', 'South Korea'],
  ['DE', 'Germany'],
  ['FR', 'France'],
  ['NL', 'Netherlands'],
  ['ES', 'Spain'],
  ['IT', 'Italy'],
  ['PT', 'Portugal'],
  ['BR', 'Brazil'],
  ['MX', 'Mexico'],
  ['JM', 'Jamaica'],
  ['PR', 'Puerto Rico'],
];
