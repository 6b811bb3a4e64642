import { DrizzleQueryError } from 'drizzle-orm/errors';
import { describe, expect, it } from 'vitest';
import { withoutQueryParams } from '@/server/observability/redact';

describe('withoutQueryParams', () => {
  it('drops a failed query’s parameters from its message and stack, keeping the query', () => {
    const cause = new Error('duplicate key value violates unique constraint');
    const err = new DrizzleQueryError('insert into members (email, notes) values ($1, $2)', ['ann@x.org', 'hi'], cause);
    const clean = withoutQueryParams(err);
    expect(clean.message).toBe('Failed query: insert into members (email, notes) values ($1, $2)\nparams: [redacted]');
    expect(clean.stack).toContain('params: [redacted]');
    expect(clean.stack).not.toContain('ann@x.org');
    expect(clean.cause).toBe(cause); // the database's own error says what happened
    expect(clean.name).toBe(err.name);
    expect(clean).not.toBe(err);
    expect(err.message).toContain('ann@x.org'); // a copy: the original is left as it was
    expect(clean).not.toHaveProperty('params');
  });

  it('parameters that are not strings, and none at all', () => {
    const date = new Date(0);
    const many = new DrizzleQueryError('select $1, $2, $3, $4', [{ a: 1 }, null, 5, date], undefined);
    expect(withoutQueryParams(many).message).toBe('Failed query: select $1, $2, $3, $4\nparams: [redacted]');
    const none = new DrizzleQueryError('select 1', [], undefined);
    expect(withoutQueryParams(none).message).toBe('Failed query: select 1\nparams: [redacted]');
  });

  it('a parameter holding replacement patterns or a line like the marker is not interpreted', () => {
    const err = new DrizzleQueryError('select $1, $2', ["$& $' $1", 'line\nparams: secret'], undefined);
    expect(withoutQueryParams(err).message).toBe('Failed query: select $1, $2\nparams: [redacted]');
  });

  it('keeps the name of an error that has one', () => {
    const err = Object.assign(new Error('Failed query: x\nparams: a'), { name: 'QueryError', params: ['a'] });
    expect(withoutQueryParams(err)).toMatchObject({
      name: 'QueryError',
      message: 'Failed query: x\nparams: [redacted]',
    });
  });

  it('an error without parameters is returned as it is', () => {
    const plain = new Error('params: not from drizzle');
    expect(withoutQueryParams(plain)).toBe(plain);
    const odd = Object.assign(new Error('x'), { params: 'not an array' });
    expect(withoutQueryParams(odd)).toBe(odd);
  });
});
