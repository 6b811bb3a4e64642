import { health } from '@/server/health';
import { getServices } from '@/server/services';

export const dynamic = 'force-dynamic';

/** 200 when the registry answers, 503 when it does not; always with the connection counters. */
export async function GET() {
  const report = await health(getServices());
  return Response.json(report, { status: report.status === 'ok' ? 200 : 503, headers: { 'cache-control': 'no-store' } });
}
