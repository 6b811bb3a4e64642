import { randomBytes } from 'node:crypto';
import net from 'node:net';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withDatabase } from '@/server/tenancy/urls';
import { serverUrl, settleWithin, sleep } from './support/harness';

/**
 * postgres.js 3.4.9 defers a write under 1024 bytes to a setImmediate and then calls `socket.write` without checking
 * that the connection still has a socket. A reserved connection whose backend was terminated keeps being used after
 * the driver has closed it (socket = null), so its next small query threw `TypeError: Cannot read properties of null
 * (reading 'write')` from that setImmediate: an uncaught exception no caller can catch, which takes the process down.
 * `patches/postgres+3.4.9.patch` makes that write fail the waiting queries with CONNECTION_CLOSED; this is its guard.
 *
 * It is deterministic: the query is only sent once the driver's own `onclose` has fired, so the socket is gone
 * for sure.
 */

describe('postgres.js after a reserved connection is killed', () => {
  const admin = postgres(serverUrl(), { max: 2, onnotice: () => {} });
  const db = `stp_nextwrite_${randomBytes(4).toString('hex')}`;
  let sql: postgres.Sql;
  let onClose = () => {};

  beforeAll(async () => {
    await admin.unsafe(`create database "${db}"`);
    sql = postgres(withDatabase(serverUrl(), db), {
      max: 2,
      connect_timeout: 5,
      onnotice: () => {},
      onclose: () => onClose(),
    });
  });

  afterAll(async () => {
    await sql?.end({ timeout: 1 });
    await admin.unsafe(`drop database if exists "${db}" with (force)`);
    await admin.end();
  });

  it('fails its next queries with CONNECTION_CLOSED instead of throwing from nextWrite', async () => {
    const uncaught: unknown[] = [];
    const record = (e: unknown) => uncaught.push(e);
    process.on('uncaughtException', record);
    let simple: string, withParameters: string;
    try {
      const reserved = await sql.reserve();
      const [row] = await reserved<{ pid: number }[]>`select pg_backend_pid() as pid`;
      const closed = new Promise<void>((r) => (onClose = r));
      await admin`select pg_terminate_backend(${row!.pid})`;
      expect(await settleWithin(closed, 5_000)).toBe('ok'); // the driver has closed the socket (socket = null)

      // Both are far below 1024 bytes, so their writes wait for a setImmediate. The second is the shape of the
      // advisory-unlock query in `withChurchLock` (a parameter, so a describe goes first).
      simple = await settleWithin(reserved`select 1`, 2_000);
      withParameters = await settleWithin(reserved`select ${1}::int as one`, 2_000);
      await sleep(50); // any stray setImmediate has run by now
      reserved.release();
    } finally {
      process.removeListener('uncaughtException', record);
    }
    expect(uncaught.map(String)).toEqual([]);
    expect(simple).toBe('CONNECTION_CLOSED');
    expect(withParameters).toBe('CONNECTION_CLOSED');
  });
});

/**
 * Two more ways a dead connection outlived its socket in 3.4.9, patched beside the one above: a reserved connection
 * released after it died was put back in the pool (with `max: 1`, every later query failed), and a query sent between
 * a socket's 'error' and its 'close' was never settled (the close skipped failing what was in flight).
 */
describe('postgres.js never keeps or waits on a dead connection', () => {
  const admin = postgres(serverUrl(), { max: 2, onnotice: () => {} });
  const db = `stp_deadconn_${randomBytes(4).toString('hex')}`;

  beforeAll(async () => {
    await admin.unsafe(`create database "${db}"`);
  });
  afterAll(async () => {
    await admin.unsafe(`drop database if exists "${db}" with (force)`);
    await admin.end();
  });

  it('a reserved connection released after its backend was killed does not poison a one-connection pool', async () => {
    let onClose = () => {};
    const sql = postgres(withDatabase(serverUrl(), db), {
      max: 1,
      connect_timeout: 5,
      onnotice: () => {},
      onclose: () => onClose(),
    });
    try {
      const reserved = await sql.reserve();
      const [row] = await reserved<{ pid: number }[]>`select pg_backend_pid() as pid`;
      const closed = new Promise<void>((r) => (onClose = r));
      await admin`select pg_terminate_backend(${row!.pid})`;
      expect(await settleWithin(closed, 5_000)).toBe('ok');
      reserved.release();
      // Before the patch the dead connection went back to the pool: every query from then on failed.
      for (let i = 0; i < 3; i++) expect(await settleWithin(sql`select 1`, 2_000)).toBe('ok');
    } finally {
      await sql.end({ timeout: 1 });
    }
  });

  it("a query sent between a socket's error and its close fails instead of waiting for ever", async () => {
    let socket: net.Socket | undefined;
    const { hostname, port } = new URL(serverUrl());
    const sql = postgres(withDatabase(serverUrl(), db), {
      max: 1,
      connect_timeout: 5,
      onnotice: () => {},
      // postgres.js's own socket factory option (not in its typings): we keep the socket to break it by hand.
      ...({ socket: () => (socket = net.connect(Number(port || 5432), hostname)) } as object),
    });
    try {
      await sql`select 1`;
      // The order a reset connection reports itself in: 'error' first, 'close' (with hadError) a moment later.
      socket!.pause(); // nothing more is read: whatever is sent now gets no answer
      socket!.emit('error', Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }));
      const inBetween = settleWithin(sql`select 2`, 2_000);
      await sleep(20);
      socket!.emit('close', true);
      socket!.destroy();
      expect(await inBetween).toBe('CONNECTION_CLOSED');
      expect(await settleWithin(sql`select 3`, 2_000)).toBe('ok'); // and the pool connects again
    } finally {
      await sql.end({ timeout: 1 });
    }
  });
});
