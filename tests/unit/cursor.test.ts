import { TRPCError } from '@trpc/server';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { Invalid } from '@/server/domain-errors';
import { decodeCursor, decodeCursorAs, encodeCursor, exactTimeKey } from '@/server/cursor';

const INVALID = 'That page link is no longer valid. Start from the first page.';
const raw = (text: string) => Buffer.from(text).toString('base64url');

/** What the caller gets for a tampered cursor: a 400 with the page's message, never a 500. */
function refusal(fn: () => unknown): { code: string; message: string } | 'accepted' {
  try {
    fn();
    return 'accepted';
  } catch (err) {
    // A TRPCError, or a domain Invalid that errorBoundary maps to the same 400: either is the right answer.
    const code = err instanceof TRPCError ? err.code : Invalid.is(err) ? 'BAD_REQUEST' : `not a 400: ${String(err)}`;
    return { code, message: (err as Error).message };
  }
}

describe('encodeCursor / decodeCursor', () => {
  it.each<[string, unknown[]]>([
    ['a time and an id', ['2026-03-10T12:00:00.123456Z', '0b7e4c1a-5d3f-4e2a-9c8b-1a2b3c4d5e6f']],
    ['a boolean, a time and an id', [true, '2026-03-10T12:00:00.000000Z', '0b7e4c1a-5d3f-4e2a-9c8b-1a2b3c4d5e6f']],
    ['names with accents, quotes and emoji', ['Zoë "Z" O’Brien', 'José 😀', 'x']],
    ['numbers and null', [0, -1.5, null]],
    ['nested', [[1, [2]], { a: 'b' }]],
    ['empty', []],
  ])('round trip: %s', (_name, key) => {
    const cursor = encodeCursor(key);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]*$/); // safe in a URL as it is
    expect(decodeCursor(cursor)).toEqual(key);
  });

  it('the encoding is base64url of the JSON, so it is stable across versions', () => {
    expect(encodeCursor(['a', 1])).toBe('WyJhIiwxXQ');
  });

  it.each([null, undefined, ''])('no cursor (%j) is the first page', (cursor) => {
    expect(decodeCursor(cursor)).toBeNull();
  });

  it.each([
    ['not base64 at all', '%%%'],
    ['base64 of garbage bytes', 'AA'],
    ['truncated JSON', raw('[1,2')],
    ['a JSON object', raw('{"a":1}')],
    ['a JSON string', raw('"str"')],
    ['JSON null', raw('null')],
    ['a number', raw('42')],
    ['a NUL inside a string', raw('["a\\u0000"]')],
    ['a lone surrogate', raw('["\\ud800"]')],
    ['a NUL in an object key', raw('[{"\\u0000":1}]')],
  ])('refused with a 400: %s', (_name, cursor) => {
    expect(refusal(() => decodeCursor(cursor))).toEqual({ code: 'BAD_REQUEST', message: INVALID });
  });
});

describe('decodeCursorAs', () => {
  const listCursor = z.tuple([z.boolean(), exactTimeKey, z.string().uuid()]);
  const id = '0b7e4c1a-5d3f-4e2a-9c8b-1a2b3c4d5e6f';

  it('returns the typed key for a cursor of the right shape', () => {
    const key: [boolean, string, string] = [false, '2026-03-10T12:00:00.123456Z', id];
    expect(decodeCursorAs(listCursor, encodeCursor(key))).toEqual(key);
    expect(decodeCursorAs(listCursor, null)).toBeNull();
  });

  it.each<[string, unknown[]]>([
    ['a field missing', [false, '2026-03-10T12:00:00.123456Z']],
    ['a field too many', [false, '2026-03-10T12:00:00.123456Z', id, 'x']],
    ['a wrong type', ['false', '2026-03-10T12:00:00.123456Z', id]],
    ['not a uuid', [false, '2026-03-10T12:00:00.123456Z', "1' OR 1=1"]],
    ['a time without microseconds', [false, '2026-03-10T12:00:00.123Z', id]],
  ])('refuses well-formed JSON of the wrong shape with a 400: %s', (_name, key) => {
    expect(refusal(() => decodeCursorAs(listCursor, encodeCursor(key)))).toEqual({
      code: 'BAD_REQUEST',
      message: INVALID,
    });
  });
});

describe('exactTimeKey', () => {
  it.each([
    ['2026-03-10T12:00:00.123456Z', true],
    ['2024-02-29T23:59:59.999999Z', true], // a leap day
    ['1900-01-01T00:00:00.000000Z', true],
    ['9999-12-31T23:59:59.999999Z', true],
    ['2023-02-29T12:00:00.000000Z', false], // no leap day that year: PostgreSQL would refuse it
    ['2026-02-30T12:00:00.000000Z', false],
    ['2026-13-01T00:00:00.000000Z', false],
    ['2026-01-01T24:00:00.000000Z', false],
    ['2026-01-01T23:59:60.000000Z', false],
    ['0000-01-01T00:00:00.000000Z', false], // Date.parse takes year 0; PostgreSQL has none
    ['1899-12-31T23:59:59.999999Z', false],
    ['2026-03-10T12:00:00.123Z', false], // milliseconds only: the keyset would skip rows
    ['2026-03-10 12:00:00.123456Z', false],
    ['2026-03-10T12:00:00.123456+00:00', false],
    ['2026-03-10T12:00:00.123456', false],
  ])('%s → %s', (text, ok) => {
    expect(exactTimeKey.safeParse(text).success).toBe(ok);
  });
});
