import { createHash, timingSafeEqual } from 'node:crypto';
import type { Services } from '@/server/services';
import { metrics, refreshScrapeMetrics } from './metrics';

/** The parts of Services this module uses. */
type Deps = Pick<Services, 'cluster' | 'config' | 'connections' | 'messaging' | 'redis' | 'registry'>;

/**
 * GET /api/metrics: 404 unless METRICS_TOKEN is configured (the endpoint does not exist), 401 without the right
 * `Authorization: Bearer <token>`, otherwise the Prometheus text format.
 */
export async function handleMetricsRequest(request: Request, services: Deps): Promise<Response> {
  const token = services.config.METRICS_TOKEN;
  if (!token) return new Response('Not found\n', { status: 404 });
  if (!isOperator(request, services)) {
    return new Response('Unauthorized\n', { status: 401, headers: { 'www-authenticate': 'Bearer' } });
  }
  await refreshScrapeMetrics(services);
  return new Response(await metrics.registry.metrics(), {
    headers: { 'content-type': metrics.registry.contentType, 'cache-control': 'no-store' },
  });
}

// Both sides hashed first: equal lengths for timingSafeEqual, and nothing learnt from how long a wrong token is.
const digest = (s: string) => createHash('sha256').update(s).digest();

/** The request carries `Authorization: Bearer <METRICS_TOKEN>` (never true while no token is configured). */
export function isOperator(request: Request, services: Deps) {
  const token = services.config.METRICS_TOKEN;
  const given = request.headers.get('authorization')?.match(/^Bearer (.+)$/)?.[1];
  return !!token && given !== undefined && timingSafeEqual(digest(given), digest(token));
}
