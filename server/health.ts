import { dbServers } from '@/db/registry/schema';
import type { Services } from './services';
import { withDeadline } from './tenancy/resolver';

/**
 * For /api/health and operators: the registry, each database server churches live on, the job queue, Redis, and the
 * connection manager's counters. Every probe has the registry deadline, so a dead part is reported, never waited on.
 */
export async function health(services: Services) {
  const ms = services.config.REGISTRY_TIMEOUT_MS;
  const registry = await probe(() => withDeadline(services.registry.sql`select 1`, ms));
  const [servers, queue] = registry.status === 'ok' ? await Promise.all([serverHealth(services, ms), queueHealth(services, ms)]) : [[], null];
  return {
    status: registry.status === 'ok' ? ('ok' as const) : ('unavailable' as const),
    registry,
    servers,
    queue,
    redis: services.redis.state, // ok, degraded (PostgreSQL fallbacks in use) or disabled
    connections: services.connections.stats(),
  };
}

async function probe(work: () => Promise<unknown>) {
  const started = Date.now();
  try {
    await work();
    return { status: 'ok' as const, latencyMs: Date.now() - started };
  } catch {
    return { status: 'unreachable' as const, latencyMs: Date.now() - started };
  }
}

/** Each database server in the registry, reached with its privileged URL (the one provisioning would use). */
async function serverHealth(services: Services, ms: number) {
  const rows = await withDeadline(services.registry.db.select().from(dbServers), ms);
  return Promise.all(
    rows.map(async (server) => ({ name: server.name, accepting: server.accepting, ...(await probe(() => withDeadline(services.cluster.sql(server)`select 1`, ms))) })),
  );
}

/** Jobs waiting to run now, scheduled for later, running, and out of attempts. */
export async function queueHealth(services: Services, ms: number) {
  const [row] = await withDeadline(
    services.registry.sql<{ ready: number; scheduled: number; running: number; failed: number }[]>`
      select count(*) filter (where locked_at is null and run_at <= now() and attempts < max_attempts)::int as ready,
             count(*) filter (where locked_at is null and run_at > now() and attempts < max_attempts)::int as scheduled,
             count(*) filter (where locked_at is not null)::int as running,
             count(*) filter (where attempts >= max_attempts)::int as failed
        from graphile_worker.jobs`,
    ms,
  ).catch(() => [null]);
  return row ?? null;
}
