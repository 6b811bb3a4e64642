import { ACTIVITY_GROUPS, type ActivityGroup } from '@/db/tenant/enums';

/** The log's filters from the URL (`?group=&person=`), read the same way by the server page and the client list. */
export type ActivityFilters = { group?: ActivityGroup; person?: string };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function filtersFromUrl(get: (name: string) => string | null | undefined): ActivityFilters {
  const group = get('group');
  const person = get('person');
  return {
    ...((ACTIVITY_GROUPS as readonly string[]).includes(group ?? '') && { group: group as ActivityGroup }),
    ...(person && UUID.test(person) && { person: person.toLowerCase() }),
  };
}

/** The first query's input: the query keys of the page's prefetch and the list's must match. */
export const activityInput = (f: ActivityFilters) => ({ limit: 30, ...f });
