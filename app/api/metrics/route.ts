import { handleMetricsRequest } from '@/server/observability/metrics-endpoint';
import { getServices } from '@/server/services';

export const dynamic = 'force-dynamic';

/** Prometheus scrape target, behind METRICS_TOKEN (server/observability/metrics-endpoint.ts). */
export async function GET(request: Request) {
  return handleMetricsRequest(request, getServices());
}
