import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reconnectBackoff } from '@/server/registry';
import { withDatabase } from '@/server/tenancy/urls';
import { serverUrl, settleWithin, sleep } from './support/harness';

/**
 * postgres.js 3.4.9 kept a query that died with its connection (say, terminated by the server) as the connection's
 * "current query". The next connect's FATAL (e.g. 55000, "not currently accepting connections") was then filed
 * against that dead query, so the new query never settled and the driver reconnected in a tight loop until the
 * database came back. `patches/postgres+3.4.9.patch` clears that state when a socket closes; this is its guard.
 */

describe('postgres.js after a connection is killed', () => {
  const admin = postgres(serverUrl(), { max: 2, onnotice: () => {} });
  const db = `stp_reconnect_${randomBytes(4).toString('hex')}`;
  let sql: postgres.Sql;

  beforeAll(async () => {
    await admin.unsafe(`create database "${db}"`);
    // The options a church pool uses: one connection, the capped backoff.
    sql = postgres(withDatabase(serverUrl(), db), {
      max: 1,
      connect_timeout: 5,
      backoff: reconnectBackoff,
      onnotice: () => {},
    });
  });

  afterAll(async () => {
    await sql?.end({ timeout: 1 });
    await admin.unsafe(`drop database if exists "${db}" with (force)`);
    await admin.end();
  });

  it('fails the next query at once while the database refuses connections; serves again once it accepts', async () => {
    await sql`select 1`;
    const inFlight = settleWithin(sql`select pg_sleep(10)`, 8_000);
    await sleep(200);
    await admin.unsafe(`alter database "${db}" allow_connections false`);
    await admin`select pg_terminate_backend(pid) from pg_stat_activity where datname = ${db}`;
    expect(['57P01', 'CONNECTION_CLOSED', 'ECONNRESET']).toContain(await inFlight);

    // Each query now fails on its own connect attempt with 55000; before the patch the first one hung here.
    for (let i = 0; i < 3; i++) expect(await settleWithin(sql`select 1`, 2_000)).toBe('55000');

    await admin.unsafe(`alter database "${db}" allow_connections true`);
    expect(await settleWithin(sql`select 1`, 2_000)).toBe('ok');
  });
});
