/** How a member is named in the inbox: their name, or their number when a stranger texted first and has no name yet. */
export function memberName(m: { firstName: string; lastName: string }): string {
  return `${m.firstName} ${m.lastName}`.trim();
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Links carry ids in the query string; a mistyped one gets a plain message instead of a validation error. */
export const isId = (value: string | null): value is string => !!value && UUID.test(value);

/** The element id of a message or note in the thread, for scrolling to one opened from a search. */
export const entryId = (id: string) => `entry-${id}`;

/** At least 44 px tall on a phone, for a thumb; compact again from a tablet up. */
export const TOUCH = 'min-h-11 md:min-h-0';
