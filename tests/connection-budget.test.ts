import { randomUUID } from 'node:crypto';
import { sql as dsql } from 'drizzle-orm';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isDatabaseOutage } from '@/server/registry';
import { cloneDatabase, ensureLoginRole } from '@/server/tenancy/cluster';
import { ConnectionBudgetError } from '@/server/tenancy/connection-budget';
import { ConnectionManager, type ConnectionManagerOptions } from '@/server/tenancy/connection-manager';
import type { TenantRoute } from '@/server/tenancy/resolver';
import { randomToken } from '@/server/tokens';
import { hostPortOf, withDatabase } from '@/server/tenancy/urls';
import { createTestRegistry, serverUrl, sleep, until, type TestRegistry } from './support/harness';

const TENANTS = 200;
const BUDGET = 50;
const CALLS = 2_000;
const CONCURRENCY = 100;

/** Run `fn` over `items` with at most `limit` in flight. */
async function pool<T>(items: T[], limit: number, fn: (item: T, i: number) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        await fn(items[i]!, i);
      }
    }),
  );
}

/** Deterministic pseudo-random numbers (mulberry32), so a failing run can be replayed. */
function rng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('connection manager under a connection budget', () => {
  let reg: TestRegistry;
  let monitor: postgres.Sql; // superuser, outside the budget: watches what the server actually sees
  const routes = new Map<string, TenantRoute>();
  let ids: string[] = [];
  let rolePattern: string;
  const managers: ConnectionManager[] = [];

  const resolve = async (tenantId: string) => routes.get(tenantId) ?? null;
  const manager = (opts: Partial<ConnectionManagerOptions>) => {
    const cm = new ConnectionManager({
      budget: BUDGET,
      poolSize: 2,
      idleSeconds: 60,
      waitMs: 10_000,
      resolve,
      ...opts,
    });
    managers.push(cm);
    return cm;
  };
  const serverConnections = async () => {
    const [row] = await monitor<
      { n: number }[]
    >`select count(*)::int as n from pg_stat_activity where usename like ${rolePattern}`;
    return row!.n;
  };
  const whoami = (cm: ConnectionManager, tenantId: string) =>
    cm.withTenant(tenantId, async (db) => {
      const rows = await db.execute<{ db: string; usr: string }>(
        dsql`select current_database() as db, current_user as usr`,
      );
      return rows[0]!;
    });

  beforeAll(async () => {
    reg = await createTestRegistry();
    const { naming } = reg.services;
    rolePattern = `${naming.prefix.replace(/_/g, '\\_')}\\_r\\_%`;
    monitor = postgres(withDatabase(serverUrl(), 'postgres'), { max: 1, onnotice: () => {} });
    const [server] = await reg.services.registry.sql<
      { id: number; admin_url_env: string }[]
    >`select id, admin_url_env from db_servers limit 1`;
    const admin = reg.services.cluster.sql({ id: server!.id, adminUrlEnv: server!.admin_url_env });
    const { host, port } = hostPortOf(serverUrl());

    ids = Array.from({ length: TENANTS }, () => randomUUID());
    const started = Date.now();
    await pool(ids, 8, async (id) => {
      const route: TenantRoute = {
        tenantId: id,
        status: 'active',
        schemaVersion: 1_000,
        host,
        port,
        database: naming.database(id),
        user: naming.role(id),
        password: randomToken(18),
      };
      await cloneDatabase(admin, route.database, naming.template);
      await ensureLoginRole(admin, route.user, route.password, route.database, naming.tenantGroup);
      routes.set(id, route);
    });
    console.info(`created ${TENANTS} tenant databases and roles in ${Date.now() - started} ms`);
  }, 180_000);

  afterAll(async () => {
    await Promise.all(managers.map((m) => m.close().catch(() => {})));
    await monitor?.end({ timeout: 5 });
    if (!reg) return;
    // Drop the tenant databases in parallel first; cleanup() then has little left to do.
    const dropper = postgres(withDatabase(serverUrl(), 'postgres'), { max: 8, onnotice: () => {} });
    await pool([...routes.values()], 8, async (r) => {
      await dropper.unsafe(`drop database if exists "${r.database}" with (force)`).catch(() => {});
    });
    await dropper.end({ timeout: 5 });
    await reg.cleanup();
  }, 180_000);

  it(`has ${TENANTS} real tenant databases, each reachable only through its own role`, async () => {
    const [row] = await monitor<
      { n: number }[]
    >`select count(*)::int as n from pg_database where datname like ${rolePattern.replace('\\_r\\_', '\\_t\\_')}`;
    expect(row!.n).toBe(TENANTS);
    const cm = manager({});
    const first = routes.get(ids[0]!)!;
    expect(await whoami(cm, first.tenantId)).toEqual({ db: first.database, usr: first.user });
    await cm.close();
  });

  it(`never exceeds ${BUDGET} connections: ${CALLS} calls, ${TENANTS} tenants, ${CONCURRENCY} at once`, async () => {
    // What is tested is the budget, not speed: a machine where a connection takes 40 ms (forking a backend is slow on
    // some VMs) must not time callers out of the queue. The wait itself is tested below, on its own.
    const cm = manager({ waitMs: 60_000 });
    const random = rng(20261123);
    const picks = Array.from({ length: CALLS }, () => ids[Math.floor(random() * ids.length)]!);

    let sampledPeak = 0;
    let samples = 0;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        sampledPeak = Math.max(sampledPeak, await serverConnections());
        samples++;
        await sleep(20); // the sampling interval, not a wait for a condition
      }
    })();

    const failures: unknown[] = [];
    const wrongDb: string[] = [];
    let done = 0;
    const started = Date.now();
    try {
      await pool(picks, CONCURRENCY, async (tenantId) => {
        try {
          const [row] = await cm.withTenant(tenantId, (db) =>
            db.execute<{ db: string; one: number }>(dsql`select current_database() as db, 1 as one, pg_sleep(0.002)`),
          );
          if (row?.db !== routes.get(tenantId)!.database || row.one !== 1) wrongDb.push(`${tenantId} got ${row?.db}`);
          done++;
        } catch (err) {
          failures.push(err);
        }
      });
    } finally {
      sampling = false;
      await sampler;
    }
    const elapsed = Date.now() - started;
    const stats = cm.stats();
    console.info(`churn: ${CALLS} calls in ${elapsed} ms, ${samples} samples, sampled peak ${sampledPeak}`, stats);

    expect(failures.slice(0, 3)).toEqual([]);
    expect(wrongDb.slice(0, 3)).toEqual([]);
    expect(done).toBe(CALLS);
    // The budget held, as the server saw it and as the manager counted it.
    expect(sampledPeak).toBeLessThanOrEqual(BUDGET);
    expect(stats.peakConnections).toBeLessThanOrEqual(BUDGET);
    // ...and the run really pressed against it (otherwise the bounds above prove nothing).
    expect(samples).toBeGreaterThan(5);
    expect(stats.peakConnections).toBeGreaterThanOrEqual(BUDGET / 2);
    expect(sampledPeak).toBeGreaterThan(0);
    expect(stats.evicted).toBeGreaterThan(0);
    expect(stats.created).toBeGreaterThan(BUDGET / 2);
    expect(stats.budgetTimeouts).toBe(0);

    // Nothing lost track of.
    expect(stats.potentialLeaks).toBe(0);
    expect(stats.waiting).toBe(0);
    expect(stats.cached).toBeLessThanOrEqual(BUDGET / 2);
    expect(stats.reserved).toBe(stats.cached * 2);
    expect(stats.openConnections).toBeLessThanOrEqual(BUDGET);

    await cm.close();
    const after = cm.stats();
    expect(after.openConnections).toBe(0);
    expect(after.cached).toBe(0);
    expect(after.reserved).toBe(0);
    expect(after.potentialLeaks).toBe(0);
    expect(after.closed).toBe(after.created);
    // A backend may take a moment to exit after its client hung up.
    await until(async () => (await serverConnections()) === 0, { timeoutMs: 10_000 });
    expect(await serverConnections()).toBe(0);
  }, 180_000);

  it('closes idle pools after idleSeconds, but never one that is in use', async () => {
    const cm = manager({ idleSeconds: 1 });
    const some = ids.slice(0, 6);
    // Opened under leases, so none can idle out however slowly a busy machine opens the seven (1 s is short).
    const leases = [];
    for (const id of ids.slice(0, 7)) {
      const lease = await cm.acquire(id);
      expect(await lease.db.execute(dsql`select current_database() as db`)).toEqual([{ db: routes.get(id)!.database }]);
      leases.push(lease);
    }
    expect(cm.stats()).toMatchObject({ cached: 7, created: 7 });
    const held = leases.pop()!;
    for (const lease of leases) lease.release();

    await until(async () => cm.stats().cached === 1, { timeoutMs: 6_000, everyMs: 100 });
    let stats = cm.stats();
    expect(stats.evicted).toBe(6);
    expect(stats.closed).toBe(6);
    expect(stats.created).toBe(7);
    expect(stats.reserved).toBe(2); // only the leased pool still holds its share of the budget
    expect(stats.potentialLeaks).toBe(0);
    // The leased pool survived and still works.
    expect(await held.db.execute(dsql`select current_database() as db`)).toEqual([
      { db: routes.get(ids[6]!)!.database },
    ]);

    held.release();
    await until(async () => cm.stats().cached === 0, { timeoutMs: 6_000, everyMs: 100 });
    stats = cm.stats();
    expect(stats).toMatchObject({
      cached: 0,
      reserved: 0,
      closed: 7,
      created: 7,
      evicted: 7,
      potentialLeaks: 0,
      closing: 0,
    });
    await until(async () => cm.stats().openConnections === 0, { timeoutMs: 10_000 });
    await until(async () => (await serverConnections()) === 0, { timeoutMs: 10_000 });

    // An evicted tenant simply gets a new pool next time.
    expect((await whoami(cm, some[0]!)).db).toBe(routes.get(some[0]!)!.database);
    expect(cm.stats().created).toBe(8);
    await cm.close();
  });

  it('refuses with ConnectionBudgetError after waitMs while every pool is busy; serves once one is free', async () => {
    const cm = manager({ budget: 2, poolSize: 2, waitMs: 200 });
    const [a, b] = [ids[10]!, ids[11]!];
    const leaseA = await cm.acquire(a);
    await leaseA.db.execute(dsql`select 1`);

    const started = Date.now();
    const err = await cm.acquire(b).then(
      (lease) => {
        lease.release();
        return null;
      },
      (e: unknown) => e,
    );
    const waited = Date.now() - started;
    expect(err).toBeInstanceOf(ConnectionBudgetError);
    expect(waited).toBeGreaterThanOrEqual(180);
    expect(waited).toBeLessThan(1_000);
    expect(cm.stats()).toMatchObject({ budgetTimeouts: 1, cached: 1, reserved: 2, waiting: 0, potentialLeaks: 0 });
    expect(cm.stats().openConnections).toBeLessThanOrEqual(2);

    leaseA.release();
    expect((await whoami(cm, b)).db).toBe(routes.get(b)!.database);
    expect(cm.stats()).toMatchObject({ budgetTimeouts: 1, evicted: 1, cached: 1, reserved: 2, potentialLeaks: 0 });
    expect(cm.stats().peakConnections).toBeLessThanOrEqual(2);
    await cm.close();
    expect(cm.stats().openConnections).toBe(0);
  });

  it('cancels a statement past statementTimeoutMs (a 503 to the caller); the pool goes on serving', async () => {
    const cm = manager({ statementTimeoutMs: 300 });
    const t = ids[12]!;
    const started = Date.now();
    const err = await cm
      .withTenant(t, (db) => db.execute(dsql`select pg_sleep(5)`))
      .then(
        () => null,
        (e: unknown) => e,
      );
    expect(err).toMatchObject({ cause: { code: '57014' } }); // Drizzle's error wraps PostgreSQL's query_canceled
    expect(isDatabaseOutage(err)).toBe(true);
    expect(Date.now() - started).toBeLessThan(3_000);
    const [row] = await cm.withTenant(t, (db) =>
      db.execute<{ timeout: string }>(dsql`select current_setting('statement_timeout') as timeout`),
    );
    expect(row).toEqual({ timeout: '300ms' });
    expect(cm.stats().potentialLeaks).toBe(0);
    await cm.close();
  });

  it('hands the budget to a waiting request as soon as a lease is released', async () => {
    const cm = manager({ budget: 2, poolSize: 2, waitMs: 5_000 });
    const [a, b] = [ids[12]!, ids[13]!];
    const leaseA = await cm.acquire(a);
    const waiting = whoami(cm, b);
    await until(async () => cm.stats().waiting === 1, { timeoutMs: 4_000 }); // in line, well before its 5 s are up
    const released = Date.now();
    leaseA.release();
    expect((await waiting).db).toBe(routes.get(b)!.database);
    expect(Date.now() - released).toBeLessThan(2_000); // handed over, not left to time out
    expect(cm.stats()).toMatchObject({ budgetTimeouts: 0, cached: 1, potentialLeaks: 0 });
    await cm.close();
    expect(cm.stats().openConnections).toBe(0);
  });
});
