import type { Sql } from 'postgres';

/**
 * Run `fn` holding a session advisory lock taken on `conn` (one connection: a session lock belongs to it), or throw
 * `busy()` at once when another process holds it. Used by fleet operations that must never run twice at a time.
 */
export async function whileLocked<T>(conn: Sql, key: string, busy: () => Error, fn: () => Promise<T>): Promise<T> {
  const [row] = await conn<{ ok: boolean }[]>`select pg_try_advisory_lock(hashtext(${key})) as ok`;
  if (!row?.ok) throw busy();
  try {
    return await fn();
  } finally {
    await conn`select pg_advisory_unlock(hashtext(${key}))`.catch(() => {});
  }
}
