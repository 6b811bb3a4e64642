import { sql, type SQL } from 'drizzle-orm';
import type { AnyPgColumn } from 'drizzle-orm/pg-core';
import { z } from 'zod';
import { Invalid } from './domain-errors';
import { hasUnstorableText } from './inputs';

const INVALID = 'That page link is no longer valid. Start from the first page.';

/** Opaque keyset cursors: the sort key of the last item, base64url JSON. A tampered cursor is a 400, not a 500. */
export const encodeCursor = (key: unknown[]) => Buffer.from(JSON.stringify(key)).toString('base64url');

export function decodeCursor(cursor: string | null | undefined): unknown[] | null {
  if (!cursor) return null;
  try {
    const key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(key) && !hasUnstorableText(key)) return key;
  } catch {}
  throw new Invalid(INVALID);
}

/** Decode and check the key's shape, so a tampered cursor never reaches SQL (where it would be a 500). */
export function decodeCursorAs<T>(schema: z.ZodType<T>, cursor: string | null | undefined): T | null {
  const key = decodeCursor(cursor);
  if (!key) return null;
  const parsed = schema.safeParse(key);
  if (!parsed.success) throw new Invalid(INVALID);
  return parsed.data;
}

/**
 * A timestamp as exact text for a cursor: UTC with microseconds, whatever the session's DateStyle and TimeZone
 * (a JavaScript Date would drop the microseconds and the keyset would skip or repeat rows).
 */
export const exactTime = (column: AnyPgColumn | SQL): SQL<string> =>
  sql<string>`to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

/** The text exactTime produces, and only a real calendar time (PostgreSQL would refuse 2026-02-30, or year 0). */
export const exactTimeKey = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/)
  .refine((s) => {
    if (s < '1900') return false; // Date.parse takes year 0000, which PostgreSQL has not got
    const t = Date.parse(`${s.slice(0, 23)}Z`);
    return !Number.isNaN(t) && new Date(t).toISOString().slice(0, 19) === s.slice(0, 19);
  });
