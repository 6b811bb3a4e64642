import type { Services } from './services';
import { withDeadline } from './tenancy/resolver';

/** Registry reachability, Redis state and the connection manager's counters, for /api/health and operators. */
export async function health(services: Services) {
  const started = Date.now();
  let registry: 'ok' | 'unreachable' = 'ok';
  try {
    await withDeadline(services.registry.sql`select 1`, services.config.REGISTRY_TIMEOUT_MS);
  } catch {
    registry = 'unreachable';
  }
  return {
    status: registry === 'ok' ? ('ok' as const) : ('unavailable' as const),
    registry: { status: registry, latencyMs: Date.now() - started },
    redis: services.redis.state, // ok, degraded (PostgreSQL fallbacks in use) or disabled
    connections: services.connections.stats(),
  };
}
