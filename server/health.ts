import { dbServers } from '@/db/registry/schema';
import type { Services } from './services';
import { withDeadline } from '@/server/registry';

/** The parts of Services this module uses. */
type Deps = Pick<Services, 'cluster' | 'config' | 'connections' | 'messaging' | 'redis' | 'registry'>;

/**
 * For /api/health. Anyone may ask whether the app is alive: the registry answers the app's own least-privileged
 * role, nothing more is touched or told. Operators (Authorization: Bearer METRICS_TOKEN) also get each database
 * server churches live on (reached with its privileged URL), the job queue, inbound texts waiting for their church,
 * Redis, and the connection manager's counters. Every probe has the registry deadline: a dead part is reported.
 */
export async function liveness(services: Deps) {
  const registry = await probe(() =>
    withDeadline(services.registry.sql`select 1`, services.config.REGISTRY_TIMEOUT_MS),
  );
  return { status: registry.status === 'ok' ? ('ok' as const) : ('unavailable' as const), registry };
}

export async function health(services: Deps) {
  const ms = services.config.REGISTRY_TIMEOUT_MS;
  const { status, registry } = await liveness(services);
  const [servers, queue, inbound] =
    status === 'ok'
      ? await Promise.all([
          serverHealth(services, ms),
          queueHealth(services, ms),
          services.messaging.inbound.stats().catch(() => null),
        ])
      : [[], null, null];
  return {
    status,
    registry,
    servers,
    queue,
    inbound, // { pending, oldestPendingSeconds }: texts kept in the registry until their church can take them
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
async function serverHealth(services: Deps, ms: number) {
  const rows = await withDeadline(services.registry.db.select().from(dbServers), ms);
  return Promise.all(
    rows.map(async (server) => ({
      name: server.name,
      accepting: server.accepting,
      ...(await probe(() => withDeadline(services.cluster.sql(server)`select 1`, ms))),
    })),
  );
}

/** Jobs waiting to run now, scheduled for later, running, and out of attempts. */
export async function queueHealth(services: Deps, ms: number) {
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
