import { TRPCError } from '@trpc/server';

/** Opaque keyset cursors: the sort key of the last item, base64url JSON. A tampered cursor is a 400, not a 500. */
export const encodeCursor = (key: unknown[]) => Buffer.from(JSON.stringify(key)).toString('base64url');

export function decodeCursor(cursor: string | null | undefined): unknown[] | null {
  if (!cursor) return null;
  try {
    const key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(key)) return key;
  } catch {}
  throw new TRPCError({ code: 'BAD_REQUEST', message: 'That page link is no longer valid. Start from the first page.' });
}
