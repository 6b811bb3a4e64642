import { createHash, timingSafeEqual } from 'node:crypto';
import type { Services } from '@/server/services';
import { metrics, refreshScrapeMetrics } from './metrics';

/**
 * GET /api/metrics: 404 unless METRICS_TOKEN is configured (the endpoint does not exist), 401 without the right
 * `Authorization: Bearer <token>`, otherwise the Prometheus text format.
 */
export async function handleMetricsRequest(request: Request, services: Services): Promise<Response> {
  const token = services.config.METRICS_TOKEN;
  if (!token) return new Response('Not found\n', { status: 404 });
  if (!bearerMatches(request.headers.get('authorization'), token)) {
    return new Response('Unauthorized\n', { status: 401, headers: { 'www-authenticate': 'Bearer' } });
  }
  await refreshScrapeMetrics(services);
  return new Response(await metrics.registry.metrics(), { headers: { 'content-type': metrics.registry.contentType, 'cache-control': 'no-store' } });
}

// Both sides hashed first: equal lengths for timingSafeEqual, and nothing learnt from how long a wrong token is.
const digest = (s: string) => createHash('sha256').update(s).digest();

function bearerMatches(header: string | null, token: string) {
  const given = header?.match(/^Bearer (.+)$/)?.[1];
  return given !== undefined && timingSafeEqual(digest(given), digest(token));
}
