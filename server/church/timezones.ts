import { Invalid } from '@/server/domain-errors';
import { type Registry, withDeadline } from '@/server/registry';

/**
 * A church's or branch's timezone must be known to both clocks that read it: the browser's Intl (checked by the
 * shared input schema) and PostgreSQL's own tz database, where every church's day is computed. The two lists
 * differ in aliases (Intl lists Asia/Calcutta, PostgreSQL also knows Asia/Kolkata), so PostgreSQL is asked, once.
 */
const known = new WeakMap<Registry, Promise<Set<string>>>();

export async function requireTimeZone(registry: Registry, tz: string) {
  if ((await zonesOf(registry)).has(tz)) return;
  throw new Invalid('Choose a valid timezone', 'timezone'); // shown beside the timezone field
}

function zonesOf(registry: Registry) {
  let zones = known.get(registry);
  if (!zones) {
    zones = withDeadline(registry.sql<{ name: string }[]>`select name from pg_timezone_names`, registry.timeoutMs).then(
      (rows) => new Set(rows.map((r) => r.name)),
    );
    zones.catch(() => known.delete(registry)); // an outage is not remembered
    known.set(registry, zones);
  }
  return zones;
}
