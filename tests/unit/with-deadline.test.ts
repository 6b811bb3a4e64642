import { describe, expect, it } from 'vitest';
import { RegistryUnavailableError, withDeadline } from '@/server/registry';

/** A query failing with `err` (postgres.js errors carry a `code`; drizzle wraps them, the original as the cause). */
const failing = (err: unknown) => Promise.reject(err);
const pgError = (code: string, message = 'query failed') => Object.assign(new Error(message), { code });
const rejection = (p: Promise<unknown>) =>
  p.then(
    () => 'resolved',
    (err: unknown) => err,
  );

describe('withDeadline', () => {
  it('passes the answer through', async () => {
    expect(await withDeadline(Promise.resolve([{ id: 1 }]), 1_000)).toEqual([{ id: 1 }]);
  });

  it('no answer in time is RegistryUnavailable', async () => {
    const err = await rejection(withDeadline(new Promise(() => {}), 20));
    expect(err).toBeInstanceOf(RegistryUnavailableError);
    expect(((err as Error).cause as Error).message).toBe('no answer in 20 ms');
  });

  it.each([
    ['connection refused', pgError('ECONNREFUSED')],
    ['a connection closed mid-query', pgError('CONNECTION_CLOSED')],
    ['the server shutting down', pgError('57P01')],
    ['too many connections', pgError('53300')],
    ['a connection failure class (08)', pgError('08006')],
    ['an outage wrapped by drizzle', new Error('Failed query: select 1', { cause: pgError('ECONNRESET') })],
  ])('an outage is RegistryUnavailable, with the original as its cause: %s', async (_name, original) => {
    const err = await rejection(withDeadline(failing(original), 1_000));
    expect(err).toBeInstanceOf(RegistryUnavailableError);
    expect((err as Error).cause).toBe(original);
  });

  it.each([
    [
      'a unique violation',
      pgError('23505', 'duplicate key value violates unique constraint "phone_number_index_pkey"'),
    ],
    ['a unique violation wrapped by drizzle', new Error('Failed query: insert …', { cause: pgError('23505') })],
    ['a foreign key violation', pgError('23503')],
    ['a syntax error', pgError('42601')],
    ['a bug of ours', new TypeError('Cannot read properties of undefined')],
    ['something that is not an Error', 'plain text'],
  ])('any other error is rethrown as it is: %s', async (_name, original) => {
    expect(await rejection(withDeadline(failing(original), 1_000))).toBe(original);
  });

  it('a RegistryUnavailable from inside is not wrapped again', async () => {
    const inner = new RegistryUnavailableError(pgError('ECONNREFUSED'));
    expect(await rejection(withDeadline(failing(inner), 1_000))).toBe(inner);
  });
});
