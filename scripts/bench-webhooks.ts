import http from 'node:http';
import { randomUUID } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import { sql } from 'drizzle-orm';
import { phoneNumberIndex } from '../db/registry/schema';
import { handleTelnyxWebhook } from '../server/messaging/webhook';
import { signWebhook } from '../server/messaging/signature';
import { telnyxReceivedEvent } from '../server/messaging/telnyx-events';
import { percentile, startBench } from './bench-env';

/**
 * `npm run bench:webhooks`: inbound Telnyx webhooks over HTTP, routed and stored across BENCH_CHURCHES churches
 * (default 100). BENCH_MESSAGES unique messages (default 10,000) from 25 people per church, plus BENCH_DUPLICATES
 * (default 10%) re-deliveries of the same events, some of them concurrent with the original. Each request is signed
 * (Ed25519), verified, routed through the phone index, kept in the registry, delivered to the church's own database
 * (at once, or by the drain job when an older text from the same person is still in flight) and acknowledged.
 * A load generator in a worker thread keeps BENCH_CONCURRENCY (default 32) requests in flight against a node:http
 * server running the real route handler. Prints throughput and latency, then counts every church's messages and
 * fails unless none is lost and none is stored twice. Target: at least 500 messages/s on 2 cores.
 */
const CHURCHES = Number(process.env.BENCH_CHURCHES ?? 100);
const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 10_000);
const DUPLICATES = Number(process.env.BENCH_DUPLICATES ?? 0.1);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 32);
const PEOPLE_PER_CHURCH = 25;

// On the embedded server (max_connections 300) every church's pool stays cached: this measures webhooks, not
// eviction. A stock server (max_connections 100) cannot hold 100 churches' pools: one connection each, 70 in all.
const stock = !!process.env.DATABASE_URL;
process.env.TENANT_POOL_SIZE ??= stock ? '1' : '2';
process.env.CONNECTION_BUDGET ??= String(stock ? 70 : 2 * CHURCHES + 20);
const bench = await startBench('benchhooks');
const { services, config } = bench;
console.log(
  `bench:webhooks on ${bench.where}: ${CHURCHES} churches, ` +
    `${MESSAGES} messages + ${Math.round(DUPLICATES * 100)}% duplicates, ${CONCURRENCY} in flight; ` +
    `budget ${config.CONNECTION_BUDGET}, ${config.TENANT_POOL_SIZE} per church`,
);

// 1. Churches, each with a number.
const churches: { tenantId: string; number: string }[] = [];
let made = 0;
await Promise.all(
  Array.from({ length: 10 }, async () => {
    while (made < CHURCHES) {
      const n = made++;
      const { tenantId } = await bench.churchReady();
      churches[n] = { tenantId, number: `+1202555${String(1000 + n).padStart(4, '0')}` };
    }
  }),
);
await services.registry.db.insert(phoneNumberIndex).values(
  churches.map((c) => ({
    e164: c.number,
    tenantId: c.tenantId,
    provider: 'simulated' as const,
    registeredAt: new Date(),
  })),
);

// 2. The traffic, signed up front: unique events, then duplicates mixed in near their originals.
type Sent = { church: number; body: string };
// One text in five is a single word ("Amen"): what costs a church-keyword lookup before it is stored.
const ONE_WORD = ['Amen', 'Thanks', 'Blessings', 'Ok', 'Praying']; // none a carrier word (YES would be)
const unique: Sent[] = Array.from({ length: MESSAGES }, (_, i) => {
  const church = Math.floor(Math.random() * CHURCHES);
  const personIndex = Math.floor(Math.random() * PEOPLE_PER_CHURCH);
  const person = `+1312${String(church).padStart(3, '0')}${String(personIndex).padStart(4, '0')}`;
  return {
    church,
    body: telnyxReceivedEvent({
      from: person,
      to: churches[church]!.number,
      text: i % 5 ? `Message ${randomUUID().slice(0, 8)} for the prayer list` : ONE_WORD[(i / 5) % ONE_WORD.length]!,
      id: `bench-${randomUUID()}`,
    }),
  };
});
const traffic = [...unique];
for (let i = 0; i < Math.round(MESSAGES * DUPLICATES); i++) {
  const original = Math.floor(Math.random() * MESSAGES);
  traffic.splice(
    Math.min(traffic.length, original + 1 + Math.floor(Math.random() * CONCURRENCY)),
    0,
    unique[original]!,
  );
}
const requests = traffic.map((t) => ({ body: t.body, headers: signWebhook(services.messaging.signingKey!, t.body) }));

// 3. The real handler behind a real HTTP server.
const server = http.createServer(async (req, res) => {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const response = await handleTelnyxWebhook(
    new Request('http://bench/api/webhooks/telnyx', {
      method: 'POST',
      headers: req.headers as Record<string, string>,
      body: Buffer.concat(chunks),
    }),
    services,
  );
  res.writeHead(response.status, { 'content-type': 'application/json' }).end(await response.text());
});
await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/`;

// 4. Load, from a worker thread so the client does not share the server's event loop.
const loadGenerator = `
  const http = require('node:http');
  const { parentPort, workerData } = require('node:worker_threads');
  const { url, requests, concurrency } = workerData;
  // Plain node:http with keep-alive: the lightest client, so the two cores go to the server and PostgreSQL.
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const post = (r) => new Promise((resolve, reject) => {
    const headers = {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(r.body),
      ...r.headers,
    };
    const req = http.request(url, { method: 'POST', agent, headers }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode));
    });
    req.on('error', reject);
    req.end(r.body);
  });
  (async () => {
    const latencies = new Array(requests.length); const statuses = {};
    let next = 0; const started = performance.now();
    await Promise.all(Array.from({ length: concurrency }, async () => {
      while (next < requests.length) {
        const i = next++; const t0 = performance.now();
        const status = await post(requests[i]);
        latencies[i] = performance.now() - t0; statuses[status] = (statuses[status] || 0) + 1;
      }
    }));
    agent.destroy();
    parentPort.postMessage({ elapsed: performance.now() - started, latencies, statuses });
  })();`;
bench.resetPeaks();
const result = await new Promise<{ elapsed: number; latencies: number[]; statuses: Record<string, number> }>(
  (resolve, reject) => {
    const w = new Worker(loadGenerator, { eval: true, workerData: { url, requests, concurrency: CONCURRENCY } });
    w.once('message', resolve);
    w.once('error', reject);
  },
);
server.close();

// 5. Texts that had to wait their turn (an older one from the same person still in flight) are in the registry until
//    the worker's drain delivers them: wait for that, and say how many and how long.
const waiting = (await services.messaging.inbound.stats()).pending;
const drainStarted = performance.now();
for (let waited = 0; (await services.messaging.inbound.stats()).pending > 0 && waited < 120_000; waited += 100)
  await new Promise((r) => setTimeout(r, 100));
const drainMs = performance.now() - drainStarted;

// 6. Count what was stored, church by church.
const expected = new Map<number, Set<string>>();
for (const u of unique) {
  const set = expected.get(u.church) ?? new Set<string>();
  set.add(JSON.parse(u.body).data.payload.id);
  expected.set(u.church, set);
}
let lost = 0;
let duplicated = 0;
for (const [i, ids] of expected) {
  const rows = await services.connections.withTenant(churches[i]!.tenantId, (db) =>
    db.execute<{ id: string; n: number }>(
      sql`select provider_message_id as id, count(*)::int as n from messages where direction = 'inbound' group by 1`,
    ),
  );
  const stored = new Map(rows.map((r) => [r.id, r.n]));
  for (const id of ids) if (!stored.has(id)) lost++;
  for (const [, n] of stored) duplicated += n - 1;
  duplicated += [...stored.keys()].filter((id) => !ids.has(id)).length;
}

const perSecond = (traffic.length / result.elapsed) * 1000;
const lat = result.latencies;
console.log(
  `requests:    ${traffic.length} (${MESSAGES} unique + ${traffic.length - MESSAGES} duplicates) ` +
    `in ${(result.elapsed / 1000).toFixed(1)} s`,
);
console.log(
  `throughput:  ${perSecond.toFixed(0)} messages/s (${((MESSAGES / result.elapsed) * 1000).toFixed(0)} unique/s)`,
);
console.log(
  `latency:     p50 ${percentile(lat, 50).toFixed(1)} ms · p95 ${percentile(lat, 95).toFixed(1)} ms · ` +
    `p99 ${percentile(lat, 99).toFixed(1)} ms · max ${Math.max(...lat).toFixed(0)} ms`,
);
console.log(`statuses:    ${JSON.stringify(result.statuses)}`);
console.log(
  `kept:        every event in the registry first; ${waiting} waited for their turn ` +
    `and were delivered by the drain in ${(drainMs / 1000).toFixed(1)} s after the load`,
);
console.log(`stored:      lost ${lost}, duplicated ${duplicated}`);
console.log(
  `connections: peak ${bench.peaks().total} (church roles ${bench.peaks().tenant}); ` +
    `evictions ${services.connections.counters.evicted}; ` +
    `potentialLeaks ${services.connections.stats().potentialLeaks}`,
);
const ok = lost === 0 && duplicated === 0 && result.statuses['200'] === traffic.length;
console.log(ok ? 'PASS: nothing lost, nothing stored twice' : 'FAIL');
console.log(perSecond >= 500 ? 'target met: ≥ 500 messages/s' : 'target missed: < 500 messages/s');
await bench.close();
process.exit(ok ? 0 : 1);
