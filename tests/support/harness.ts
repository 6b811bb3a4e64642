import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { loadConfig } from '@/server/config';
import { createServices, type Services } from '@/server/services';
import { namingFor } from '@/server/tenancy/naming';
import type { MessagingProvider } from '@/server/messaging/provider';
import type { ProvisionDeps } from '@/server/tenancy/provisioner';
import { prepareDatabases } from '@/server/tenancy/setup';
import { withDatabase } from '@/server/tenancy/urls';

/** The PostgreSQL server the suite runs against (embedded, or DATABASE_URL's), set by scripts/test.ts. */
export function serverUrl(): string {
  const url = process.env.TEST_DATABASE_URL;
  if (!url) throw new Error('TEST_DATABASE_URL is not set: run the suite with `npm test`');
  return url;
}

export const testSecretKey = randomBytes(32).toString('base64');
export const testAuthSecret = randomBytes(32).toString('base64');
/** The settings every test server needs besides its registry URL. */
export const testSecrets = {
  STEEPLE_SECRET_KEY: testSecretKey,
  NEXTAUTH_SECRET: testAuthSecret,
  SIGNUPS_PER_HOUR_PER_IP: '100000',
  // The simulated carrier review approves at once (tests of the wait set their own).
  SIMULATED_APPROVAL_SECONDS: '0',
};

/** What a test may swap in: a provisioning fault seam, and a fake SMS provider (third-party APIs only). */
type Overrides = { faults?: ProvisionDeps['faults']; provider?: MessagingProvider };

/**
 * A registry of its own (uniquely named database, its own template and role prefix) on the test server,
 * migrated and ready. `servicesWith` builds more services over the same registry with other settings.
 * `cleanup` closes them all and drops every database and role it created.
 */
export async function createTestRegistry(
  env: Record<string, string> = {},
  overrides: ProvisionDeps['faults'] | Overrides = {},
) {
  const { faults, provider } = typeof overrides === 'function' ? { faults: overrides, provider: undefined } : overrides;
  const name = `stp_${randomBytes(5).toString('hex')}`;
  const url = withDatabase(serverUrl(), name);
  await prepareDatabases(url, { secretKey: testSecretKey });
  const build = (moreEnv: Record<string, string>, p?: MessagingProvider) =>
    createServices(loadConfig({ DATABASE_URL: url, ...testSecrets, LOG_LEVEL: 'error', ...env, ...moreEnv }), {
      faults,
      ...(p ? { provider: p } : {}),
    });
  const services = build({}, provider);
  const extra: Services[] = [];
  // The privileged user, for assertions on the queue's internals (the app's registry role cannot see them).
  const admin = postgres(url, { max: 2, onnotice: () => {} });
  const churchDbs: postgres.Sql[] = [];
  return {
    name,
    url,
    services,
    admin,
    /** Another set of services over the same registry, with more settings (closed by cleanup). */
    servicesWith(moreEnv: Record<string, string>, p?: MessagingProvider) {
      const s = build(moreEnv, p);
      extra.push(s);
      return s;
    },
    /** A church's own database through the privileged user, for assertions and fixtures (closed by cleanup). */
    async churchDb(tenantId: string) {
      const [t] = await admin<{ db_name: string }[]>`select db_name from tenants where id = ${tenantId}`;
      const sql = postgres(withDatabase(serverUrl(), t!.db_name), { max: 1, onnotice: () => {} });
      churchDbs.push(sql);
      return sql;
    },
    async cleanup() {
      await Promise.all(churchDbs.map((sql) => sql.end({ timeout: 5 }).catch(() => {})));
      await admin.end({ timeout: 5 });
      for (const s of extra) await s.close().catch(() => {});
      await services.close();
      await dropRegistry(name);
    },
  };
}

/** Drop a test registry and everything it created on a server (the test server unless another is named). */
export async function dropRegistry(name: string, server = serverUrl()) {
  const naming = namingFor(name);
  const sql = postgres(withDatabase(server, 'postgres'), { max: 1, onnotice: () => {} });
  try {
    const dbs = await sql<
      { datname: string }[]
    >`select datname from pg_database where datname like ${naming.prefix + '\\_%'} or datname = ${name}`;
    for (const { datname } of dbs) {
      if (datname !== name && !naming.owns(datname)) continue;
      await sql.unsafe(`alter database "${datname}" is_template false`).catch(() => {});
      await sql.unsafe(`drop database if exists "${datname}" with (force)`);
    }
    const roles = await sql<
      { rolname: string }[]
    >`select rolname from pg_roles where rolname like ${naming.prefix + '\\_%'}`;
    for (const { rolname } of roles) await sql.unsafe(`drop role if exists "${rolname}"`);
  } finally {
    await sql.end();
  }
}

export type TestRegistry = Awaited<ReturnType<typeof createTestRegistry>>;
export type { Services };

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function until<T>(
  probe: () => Promise<T | undefined | null | false>,
  { timeoutMs = 15_000, everyMs = 25 } = {},
): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > end) throw new Error(`condition not met within ${timeoutMs} ms`);
    await sleep(everyMs);
  }
}

/** How a query ended within `ms`: 'ok', its error code, or 'hung' (for the postgres.js patch's guards). */
export const settleWithin = <T>(p: Promise<T>, ms: number) =>
  Promise.race([
    p.then(
      () => 'ok',
      (e: { code?: string }) => e.code ?? 'error',
    ),
    sleep(ms).then(() => 'hung'),
  ]);
