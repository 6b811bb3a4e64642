import { health, liveness } from '@/server/health';
import { isOperator } from '@/server/observability/metrics-endpoint';
import { getServices } from '@/server/services';

export const dynamic = 'force-dynamic';

/** Liveness for anyone ({ status }: 200, or 503 when the registry does not answer); the details for operators only. */
export async function GET(request: Request) {
  const services = getServices();
  const report = isOperator(request, services) ? await health(services) : { status: (await liveness(services)).status };
  return Response.json(report, {
    status: report.status === 'ok' ? 200 : 503,
    headers: { 'cache-control': 'no-store' },
  });
}
