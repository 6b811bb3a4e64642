import { TRPCError } from '@trpc/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createContext } from '@/server/trpc';
import { createTestRegistry, type TestRegistry } from './support/harness';
import { createCaller } from './support/accounts';

const variants = [
  'race@example.org',
  'RACE@example.org',
  '  race@example.org',
  'race@EXAMPLE.ORG  ',
  ' Race@Example.Org ',
  'rAcE@eXaMpLe.oRg',
];

describe('concurrent signups with one email', () => {
  let reg: TestRegistry;
  const anonymous = () => createCaller(createContext({ session: null, services: reg.services }));
  const input = (email: string, n: number) => ({
    churchName: `Racing Chapel ${n}`,
    timezone: 'America/New_York',
    adminName: `Racer ${n}`,
    email,
    password: 'correct horse battery',
  });
  const count = async (query: Promise<{ n: number }[]>) => (await query)[0]!.n;

  beforeAll(async () => {
    reg = await createTestRegistry(); // no worker: the race is about the registry, not provisioning
  });
  afterAll(async () => {
    await reg?.cleanup();
  });

  it('lets exactly one of 20 simultaneous signups win; the rest get CONFLICT', async () => {
    const attempts = Array.from({ length: 20 }, (_, i) =>
      anonymous().onboarding.signup(input(variants[i % variants.length]!, i)),
    );
    const results = await Promise.allSettled(attempts);

    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(19);
    for (const { reason } of lost) {
      expect(reason).toBeInstanceOf(TRPCError);
      expect(reason.code).toBe('CONFLICT');
      expect(reason.message).toMatch(/already exists/i);
      expect(reason.message).not.toMatch(/admin_email_index|duplicate key|constraint|23505|stp_/i);
    }

    const sql = reg.services.registry.sql;
    const index = await sql<{ email: string; tenant_id: string }[]>`select email, tenant_id from admin_email_index`;
    expect(index).toEqual([{ email: 'race@example.org', tenant_id: expect.any(String) }]);
    // The losers' transactions left nothing: one tenant, church, job and queue job, all for the winner.
    expect(await count(sql`select count(*)::int as n from tenants`)).toBe(1);
    expect(await count(sql`select count(*)::int as n from tenants where id = ${index[0]!.tenant_id}`)).toBe(1);
    expect(await count(sql`select count(*)::int as n from churches`)).toBe(1);
    expect(
      await count(sql`select count(*)::int as n from provisioning_jobs where tenant_id = ${index[0]!.tenant_id}`),
    ).toBe(1);
    expect(await count(sql`select count(*)::int as n from provisioning_jobs`)).toBe(1);
    expect(await count(reg.admin`select count(*)::int as n from graphile_worker._private_jobs`)).toBe(1);
  });

  it('refuses a later signup with an email already taken, however it is written', async () => {
    for (const email of ['race@example.org', '\tRACE@Example.org ']) {
      const err = await anonymous()
        .onboarding.signup(input(email, 99))
        .then(
          () => null,
          (e: unknown) => e,
        );
      expect(err).toBeInstanceOf(TRPCError);
      expect((err as TRPCError).code).toBe('CONFLICT');
      expect((err as TRPCError).message).toMatch(/already exists/i);
    }
    expect(await count(reg.services.registry.sql`select count(*)::int as n from tenants`)).toBe(1);

    // A different email is still welcome: the conflict is about the email, not a stuck registry.
    const ok = await anonymous().onboarding.signup(input('other@example.org', 100));
    expect(ok.ticket).toEqual(expect.any(String));
    expect(await count(reg.services.registry.sql`select count(*)::int as n from admin_email_index`)).toBe(2);
  });
});
