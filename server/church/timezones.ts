import { TRPCError } from '@trpc/server';
import { z } from 'zod';
import type { Registry } from '@/server/registry';
import { withDeadline } from '@/server/tenancy/resolver';

/**
 * A church's or branch's timezone must be known to both clocks that read it: the browser's Intl (checked by the
 * shared input schema) and PostgreSQL's own tz database, where every church's day is computed. The two lists
 * differ in aliases (Intl lists Asia/Calcutta, PostgreSQL also knows Asia/Kolkata), so PostgreSQL is asked, once.
 */
const known = new WeakMap<Registry, Promise<Set<string>>>();

export async function requireTimeZone(registry: Registry, tz: string, timeoutMs: number) {
  if ((await zonesOf(registry, timeoutMs)).has(tz)) return;
  // The input schema's own kind of error, so the form shows it beside the timezone field.
  throw new TRPCError({ code: 'BAD_REQUEST', message: 'Choose a valid timezone', cause: unknownZone.safeParse({ timezone: tz }).error });
}

const unknownZone = z.object({ timezone: z.string().refine(() => false, 'Choose a valid timezone') });

function zonesOf(registry: Registry, timeoutMs: number) {
  let zones = known.get(registry);
  if (!zones) {
    zones = withDeadline(registry.sql<{ name: string }[]>`select name from pg_timezone_names`, timeoutMs).then((rows) => new Set(rows.map((r) => r.name)));
    zones.catch(() => known.delete(registry)); // an outage is not remembered
    known.set(registry, zones);
  }
  return zones;
}
