import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { handleMetricsRequest } from '@/server/observability/metrics-endpoint';
import type { Services } from '@/server/services';

/** Helpers for the observability tests: scraping /api/metrics, and a Sentry stand-in that records envelopes. */

export const METRICS_TOKEN = 'test-metrics-token-0123456789';

export async function scrape(services: Services, token: string | null = METRICS_TOKEN) {
  const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
  return handleMetricsRequest(new Request('http://test/api/metrics', { headers }), services);
}

/** The value of the first sample of `name` whose labels include `labels`, from Prometheus text; undefined if none. */
export function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    const m = line.match(/^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/);
    if (!m || m[1] !== name) continue;
    const have = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((l) => [l[1], l[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) return Number(m[3]);
  }
  return undefined;
}

export type SentryEvent = {
  exception?: { values?: { type?: string; value?: string }[] };
  tags?: Record<string, string>;
  request?: Record<string, unknown>;
  extra?: Record<string, unknown>;
};

/** A local HTTP server standing in for Sentry: keeps every envelope posted to /api/<project>/envelope/. */
export async function sentryStandIn() {
  const envelopes: string[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      if (/^\/api\/\d+\/envelope\/?$/.test(new URL(req.url ?? '/', 'http://sentry').pathname))
        envelopes.push((req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw).toString('utf8'));
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    dsn: `http://publickey@127.0.0.1:${port}/1`,
    envelopes,
    /** Every error event received: the JSON line after each `{"type":"event"}` item header. */
    events(): SentryEvent[] {
      return envelopes.flatMap((env) => {
        const lines = env.split('\n');
        return lines.flatMap((line, i) =>
          line.startsWith('{') && JSON.parse(line).type === 'event' && lines[i + 1]
            ? [JSON.parse(lines[i + 1]!) as SentryEvent]
            : [],
        );
      });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections(); // the SDK keeps its connection alive
      }),
  };
}
