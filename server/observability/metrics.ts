import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { queueHealth } from '@/server/health';
import type { Services } from '@/server/services';
import type { ConnectionManager } from '@/server/tenancy/connection-manager';
import type { ProvisionOutcome } from '@/server/tenancy/provisioner';

/** The parts of Services this module uses. */
type Deps = Pick<Services, 'cluster' | 'config' | 'connections' | 'messaging' | 'redis' | 'registry'>;

/**
 * Prometheus metrics for GET /api/metrics. Events (webhooks, provisioning, procedure calls) are counted as they
 * happen; the connection manager and the job queue are read at scrape time by `refreshScrapeMetrics`.
 */
type ConnectionStats = ReturnType<ConnectionManager['stats']>;

// The manager's own totals, copied at scrape time (counters) or as they stand (gauges).
const CONNECTION_COUNTERS = {
  created: ['steeple_tenant_pools_created_total', 'Church pools opened since the process started'],
  closed: ['steeple_tenant_pools_closed_total', 'Church pools closed since the process started'],
  evicted: ['steeple_tenant_pools_evicted_total', 'Church pools closed to make room under the budget or when idle'],
  budgetTimeouts: [
    'steeple_tenant_connection_budget_timeouts_total',
    'Requests that waited for room under the budget and gave up',
  ],
} as const satisfies { [K in keyof ConnectionStats]?: readonly [string, string] };

const CONNECTION_GAUGES = {
  cached: ['steeple_tenant_pools_cached', 'Church pools held in the cache'],
  openConnections: ['steeple_tenant_connections_open', 'Server connections church pools hold now'],
  peakConnections: ['steeple_tenant_connections_peak', 'Most server connections church pools held at once'],
  reserved: ['steeple_tenant_connections_reserved', 'Connection slots reserved by cached, opening and closing pools'],
  budget: ['steeple_tenant_connection_budget', 'Connections all church pools together may hold (CONNECTION_BUDGET)'],
  waiting: ['steeple_tenant_connection_waiters', 'Requests waiting for room under the budget'],
  closing: ['steeple_tenant_pools_closing', 'Church pools being closed'],
  potentialLeaks: [
    'steeple_tenant_pool_potential_leaks',
    'Pools created but neither cached, closing nor closed (must be 0)',
  ],
} as const satisfies { [K in keyof ConnectionStats]?: readonly [string, string] };

const mapValues = <T extends Record<string, readonly [string, string]>, M>(
  table: T,
  make: (name: string, help: string) => M,
) =>
  Object.fromEntries(Object.entries(table).map(([k, [name, help]]) => [k, make(name, help)])) as { [K in keyof T]: M };

function createMetrics() {
  const registry = new Registry();
  const registers = [registry];
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    connectionCounters: mapValues(CONNECTION_COUNTERS, (name, help) => new Counter({ name, help, registers })),
    connectionGauges: mapValues(CONNECTION_GAUGES, (name, help) => new Gauge({ name, help, registers })),
    queueJobs: new Gauge({
      name: 'steeple_queue_jobs',
      help: 'Jobs in the queue by state (ready, scheduled, running, failed)',
      labelNames: ['state'] as const,
      registers,
    }),
    registryUp: new Gauge({
      name: 'steeple_registry_up',
      help: '1 when the registry answered this scrape; 0 when registry-backed metrics were skipped',
      registers,
    }),
    inboundPending: new Gauge({
      name: 'steeple_inbound_pending',
      help: 'Inbound texts and delivery reports kept in the registry, waiting for their church’s database',
      registers,
    }),
    inboundOldest: new Gauge({
      name: 'steeple_inbound_oldest_pending_seconds',
      help: 'How long the oldest waiting inbound event has waited (0 when none)',
      registers,
    }),
    inboundSetAside: new Gauge({
      name: 'steeple_inbound_set_aside',
      help: 'Inbound events set aside after repeated failures, kept 30 days for an operator',
      registers,
    }),
    webhooks: new Counter({
      name: 'steeple_webhooks_total',
      help: 'Webhooks received, by provider and outcome',
      labelNames: ['provider', 'outcome'] as const,
      registers,
    }),
    provisioningSeconds: new Histogram({
      name: 'steeple_provisioning_duration_seconds',
      help: 'One provisioning run (signup to ready, or until it fails or is handed back for a retry)',
      labelNames: ['outcome'] as const,
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers,
    }),
    provisioningFailures: new Counter({
      name: 'steeple_provisioning_failures_total',
      help: 'Provisioning runs that did not end ready: retry (handed back to the queue) or failed (church torn down)',
      labelNames: ['outcome'] as const,
      registers,
    }),
    requestSeconds: new Histogram({
      name: 'steeple_request_duration_seconds',
      help: 'tRPC procedure calls by procedure, type and outcome (ok or the tRPC error code)',
      labelNames: ['procedure', 'type', 'outcome'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
  };
}

// One registry per process: Next.js bundles server code more than once, and each copy must count into the same one.
const holder = globalThis as unknown as { __steepleMetrics?: ReturnType<typeof createMetrics> };
export const metrics = (holder.__steepleMetrics ??= createMetrics());

export type WebhookOutcome =
  | 'stored'
  | 'queued'
  | 'duplicate'
  | 'status_updated'
  | 'status_unchanged'
  | 'ignored'
  | 'unauthorized'
  | 'bad_request'
  | 'too_large'
  | 'not_configured'
  | 'unavailable';

export const countWebhook = (provider: 'telnyx' | 'stripe', outcome: WebhookOutcome) =>
  metrics.webhooks.inc({ provider, outcome });

/** Time one provisioning run; a throw hands the job back to the queue, so it counts as a retry. */
export async function timeProvisioning(run: () => Promise<ProvisionOutcome>): Promise<ProvisionOutcome> {
  const end = metrics.provisioningSeconds.startTimer();
  const outcome = await run().catch((err) => {
    end({ outcome: 'retry' });
    metrics.provisioningFailures.inc({ outcome: 'retry' });
    throw err;
  });
  end({ outcome });
  if (outcome !== 'ready') metrics.provisioningFailures.inc({ outcome });
  return outcome;
}

/** Start timing a procedure call; call the result with `ok` or the tRPC error code it ended with. */
export function timeRequest(procedure: string, type: string) {
  const end = metrics.requestSeconds.startTimer({ procedure, type });
  return (outcome: string) => void end({ outcome });
}

/** Bring the scrape-time metrics up to date. The registry's may be skipped (and marked), never fatal. */
export async function refreshScrapeMetrics(services: Deps) {
  const stats = services.connections.stats();
  for (const [key, counter] of Object.entries(metrics.connectionCounters)) {
    counter.reset();
    counter.inc(stats[key as keyof typeof CONNECTION_COUNTERS]);
  }
  for (const [key, gauge] of Object.entries(metrics.connectionGauges))
    gauge.set(stats[key as keyof typeof CONNECTION_GAUGES]);
  const queue = await queueHealth(services, services.config.REGISTRY_TIMEOUT_MS);
  metrics.registryUp.set(queue ? 1 : 0);
  metrics.queueJobs.reset(); // no stale depths while the registry is out of reach
  if (queue) for (const [state, n] of Object.entries(queue)) metrics.queueJobs.set({ state }, n);
  const inbound = queue ? await services.messaging.inbound.stats().catch(() => null) : null;
  if (inbound) {
    metrics.inboundPending.set(inbound.pending);
    metrics.inboundOldest.set(inbound.oldestPendingSeconds);
    metrics.inboundSetAside.set(inbound.setAside);
  }
}
