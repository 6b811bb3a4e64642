/** Days of the week for repeating broadcasts, as rules and the form name them. No imports: any page may load it. */

/** RFC 5545's weekday codes, Monday first. */
export const WEEKDAYS = ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

export const weekdayNames: Record<Weekday, string> = {
  MO: 'Monday',
  TU: 'Tuesday',
  WE: 'Wednesday',
  TH: 'Thursday',
  FR: 'Friday',
  SA: 'Saturday',
  SU: 'Sunday',
};

/** A series may run this far ahead: its end date is at most a year after today (the church's today). */
export const MAX_SERIES_DAYS = 365;
