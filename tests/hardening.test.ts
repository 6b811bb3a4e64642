import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { GET as healthGet } from '@/app/api/health/route';
import { GET as trpcGet, POST as trpcPost } from '@/app/api/trpc/[trpc]/route';
import { POST as telnyxPost } from '@/app/api/webhooks/telnyx/route';
import { SigninError, signInWithPassword } from '@/server/auth/signin';
import { ConfigError, loadConfig } from '@/server/config';
import { addressKey, clientAddress } from '@/server/http/client-address';
import { churchName, withoutLinks } from '@/server/inputs';
import { LIMITS } from '@/server/http/limits';
import type { Services } from '@/server/services';
import { scramVerifier } from '@/server/tenancy/scram';
import { ensureRole } from '@/server/tenancy/cluster';
import { namingFor } from '@/server/tenancy/naming';
import { prepareDatabases } from '@/server/tenancy/setup';
import { teardownTenant } from '@/server/tenancy/teardown';
import { runProvisioning } from '@/server/tenancy/provisioner';
import { withDatabase } from '@/server/tenancy/urls';
import { errorOf, freshIp, provisionChurch, signIn, type Church, type SignedInClient } from './support/accounts';
import { FakeStripe } from './support/fake-stripe';
import {
  createTestRegistry,
  dropRegistry,
  serverUrl,
  testSecretKey,
  testSecrets,
  type TestRegistry,
} from './support/harness';
import { insertMembers, readyNumber } from './support/messaging';

// Count argon2 verifications: how many guesses really reached the password check.
const argon = vi.hoisted(() => ({ verifies: 0 }));
vi.mock('@/server/auth/password', async (importOriginal) => {
  const real = await importOriginal<typeof import('@/server/auth/password')>();
  return {
    ...real,
    verifyPassword: (stored: string, password: string) => (argon.verifies++, real.verifyPassword(stored, password)),
  };
});

const holder = globalThis as unknown as { __steeple?: Services };

/** A body that never ends: a chunk every millisecond, for as long as anyone reads it. */
function endlessBody() {
  const chunk = new Uint8Array(16 * 1024).fill(97);
  let pulled = 0;
  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      pulled += chunk.byteLength;
      await new Promise((r) => setTimeout(r, 1));
      controller.enqueue(chunk);
    },
  });
  return { stream, pulled: () => pulled };
}

const post = (url: string, body: BodyInit, headers: Record<string, string> = {}) =>
  new Request(url, {
    method: 'POST',
    body,
    headers: { 'content-type': 'application/json', ...headers },
    duplex: 'half',
  } as RequestInit);

describe('the client address', () => {
  const saved = process.env.STEEPLE_HTTP_FRONT;
  beforeAll(() => {
    process.env.STEEPLE_HTTP_FRONT = '1';
  });
  afterAll(() => {
    if (saved === undefined) delete process.env.STEEPLE_HTTP_FRONT;
    else process.env.STEEPLE_HTTP_FRONT = saved;
  });
  const h = (peer: string, xff?: string) =>
    new Headers({ 'x-steeple-peer': peer, ...(xff && { 'x-forwarded-for': xff }) });

  it('is the socket’s by default: X-Forwarded-For written by the client changes nothing', () => {
    expect(clientAddress(h('203.0.113.7', '1.2.3.4, 5.6.7.8'), 0)).toBe('203.0.113.7');
    expect(clientAddress(h('::ffff:203.0.113.7'), 0)).toBe('203.0.113.7');
    expect(clientAddress(h('2001:db8::1'), 0)).toBe('2001:db8::1');
  });

  it('behind TRUST_PROXY_HOPS proxies, is read that many entries from the right of X-Forwarded-For', () => {
    // The client claims 6.6.6.6; the proxy appended the address it saw, 198.51.100.9.
    expect(clientAddress(h('10.0.0.2', '6.6.6.6, 198.51.100.9'), 1)).toBe('198.51.100.9');
    expect(clientAddress(h('10.0.0.3', '6.6.6.6, 198.51.100.9, 10.0.0.2'), 2)).toBe('198.51.100.9');
    expect(clientAddress(h('10.0.0.2'), 1)).toBe('10.0.0.2'); // a chain shorter than the hops: the furthest known
    expect(clientAddress(h('10.0.0.2', 'not-an-address'), 1)).toBe('unknown');
  });

  it('limiters count an IPv6 address as its /64, however it is written; IPv4 as itself', () => {
    expect(addressKey('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:0db8:0001:0002:ffff:ffff:ffff:ffff')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:db8:1:3::1')).toBe('2001:db8:1:3::/64');
    expect(addressKey('::1')).toBe('0:0:0:0::/64');
    expect(addressKey('203.0.113.7')).toBe('203.0.113.7');
    expect(addressKey('unknown')).toBe('unknown');
  });

  it('without our front server, x-steeple-peer could be anyone’s, so it is not believed', () => {
    delete process.env.STEEPLE_HTTP_FRONT;
    expect(clientAddress(h('203.0.113.7', '1.2.3.4'), 0)).toBe('unknown');
    process.env.STEEPLE_HTTP_FRONT = '1';
  });
});

describe('sign-in and other throttles', () => {
  let reg: TestRegistry;
  let church: Church;
  let owner: SignedInClient;

  beforeAll(async () => {
    reg = await createTestRegistry({
      SIGNIN_FAILURES_PER_ACCOUNT: '8',
      PASSWORD_CHANGES_PER_HOUR: '3',
      INVITES_PER_HOUR_PER_CHURCH: '2',
    });
    church = await provisionChurch(reg.services, { churchName: 'Guarded Chapel' });
    owner = await signIn(reg.services, church.email, church.password);
  });
  afterAll(async () => {
    await reg?.cleanup();
  });

  it('twenty guesses at once for one account: only the limit’s worth reach the password check', async () => {
    const ip = freshIp();
    const before = argon.verifies;
    const outcomes = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        signInWithPassword(reg.services, { email: church.email, password: `guess ${i}` }, ip).then(
          () => 'in',
          (e: Error) => e.message,
        ),
      ),
    );
    // SIGNIN_FAILURES_PER_EMAIL (5) attempts are let through, counted before the check: exactly 15 are refused, and no
    // more than 5 reach argon2 (one of the five may still fail on its way, say a registry deadline on a busy machine).
    const refused = outcomes.filter((o) => /^Too many attempts\. Try again in \d+ minutes\.$/.test(o));
    const checked = outcomes.filter((o) => o === 'Email or password is incorrect.');
    expect(refused, JSON.stringify(outcomes)).toHaveLength(15);
    expect(argon.verifies - before).toBe(checked.length);
    expect(checked.length).toBeGreaterThanOrEqual(3);
    expect(checked.length).toBeLessThanOrEqual(5);
    // The right password from that address is refused too, without a check.
    expect(
      (await errorOf(signInWithPassword(reg.services, { email: church.email, password: church.password }, ip))).message,
    ).toMatch(/^Too many attempts/);
  });

  it('an account guessed from many addresses locks after SIGNIN_FAILURES_PER_ACCOUNT (its own message)', async () => {
    const victim = await provisionChurch(reg.services, { churchName: 'Sprayed Chapel' });
    for (let i = 0; i < 8; i++) {
      const err = await errorOf(
        signInWithPassword(reg.services, { email: victim.email, password: `guess ${i}` }, freshIp()),
      );
      expect(err.message).toBe('Email or password is incorrect.');
    }
    const before = argon.verifies;
    const locked = await errorOf(
      signInWithPassword(reg.services, { email: victim.email, password: victim.password }, freshIp()),
    );
    expect(locked).toBeInstanceOf(SigninError);
    expect(locked.message).toMatch(
      /^Too many failed sign-ins for this email\. For your security, sign-in to it is paused for \d+ minutes\.$/,
    );
    expect(argon.verifies).toBe(before);
    // An unknown email is counted the same way: the lockout says nothing about whether an account exists.
    const nobody = `nobody-${randomBytes(3).toString('hex')}@example.org`;
    for (let i = 0; i < 8; i++)
      await errorOf(signInWithPassword(reg.services, { email: nobody, password: 'x' }, freshIp()));
    expect(
      (await errorOf(signInWithPassword(reg.services, { email: nobody, password: 'x' }, freshIp()))).message,
    ).toMatch(/^Too many failed sign-ins for this email/);
  });

  it("one address guessing for ever is stopped by its own limits, never locking the owner's account", async () => {
    const c = await provisionChurch(reg.services, { churchName: 'Persistent Chapel' });
    const attacker = freshIp();
    for (let i = 0; i < 25; i++)
      await errorOf(signInWithPassword(reg.services, { email: c.email, password: `guess ${i}` }, attacker));
    expect(
      (await errorOf(signInWithPassword(reg.services, { email: c.email, password: c.password }, attacker))).message,
    ).toMatch(/^Too many attempts/);
    // Only the 5 that reached the account's counter count against it (SIGNIN_FAILURES_PER_ACCOUNT is 8 here).
    expect((await signInWithPassword(reg.services, { email: c.email, password: c.password }, freshIp())).tenantId).toBe(
      c.tenantId,
    );
  });

  it('an IPv6 client rotating addresses inside its /64 is still one address to the limits', async () => {
    const c = await provisionChurch(reg.services, { churchName: 'Rotated Chapel' });
    const prefix = `2001:db8:${randomBytes(2).toString('hex')}:${randomBytes(2).toString('hex')}`;
    for (let i = 0; i < 5; i++)
      await errorOf(
        signInWithPassword(reg.services, { email: c.email, password: `guess ${i}` }, `${prefix}::${i + 1}`),
      );
    expect(
      (await errorOf(signInWithPassword(reg.services, { email: c.email, password: 'guess 6' }, `${prefix}:0:0:0:99`)))
        .message,
    ).toMatch(/^Too many attempts/);
  });

  it('a wrong email and a wrong password are refused alike, and no sooner than the floor', async () => {
    const ip = freshIp();
    const timed = async (email: string) => {
      const started = performance.now();
      const err = await errorOf(signInWithPassword(reg.services, { email, password: 'not it at all' }, ip));
      return { message: err.message, ms: performance.now() - started };
    };
    const wrongPassword = await timed(church.email);
    const wrongEmail = await timed(`nobody-${randomBytes(3).toString('hex')}@example.org`);
    expect(wrongEmail.message).toBe(wrongPassword.message);
    for (const t of [wrongPassword, wrongEmail]) expect(t.ms).toBeGreaterThanOrEqual(295);
  });

  it('a right password gives its point back: only failures count towards the account’s lockout', async () => {
    const c = await provisionChurch(reg.services, { churchName: 'Forgetful Chapel' });
    for (let i = 0; i < 7; i++)
      await errorOf(signInWithPassword(reg.services, { email: c.email, password: 'nope' }, freshIp()));
    for (let i = 0; i < 5; i++)
      expect(
        (await signInWithPassword(reg.services, { email: c.email, password: c.password }, freshIp())).tenantId,
      ).toBe(c.tenantId);
    expect(
      (await errorOf(signInWithPassword(reg.services, { email: c.email, password: 'nope' }, freshIp()))).message,
    ).toBe('Email or password is incorrect.'); // the 8th failure
    expect(
      (await errorOf(signInWithPassword(reg.services, { email: c.email, password: c.password }, freshIp()))).message,
    ).toMatch(/^Too many failed sign-ins/);
  });

  it('changing the password is throttled per person, counted before the current password is checked', async () => {
    for (let i = 0; i < 3; i++)
      expect(
        (
          await errorOf(
            owner.caller.account.changePassword({
              currentPassword: 'wrong guess',
              newPassword: 'a brand new password',
            }),
          )
        ).code,
      ).toBe('BAD_REQUEST');
    const refused = await errorOf(
      owner.caller.account.changePassword({ currentPassword: church.password, newPassword: 'a brand new password' }),
    );
    expect(refused.code).toBe('TOO_MANY_REQUESTS');
    expect(refused.message).toMatch(/^Too many attempts\. Try again in \d+ minutes\.$/);
  });

  it('invitations are throttled per church and hour, shared by every admin of it', async () => {
    const c = await provisionChurch(reg.services, { churchName: 'Inviting Chapel' });
    const o = await signIn(reg.services, c.email, c.password);
    await o.caller.team.invite({ email: `one-${c.tenantId.slice(0, 6)}@example.org`, role: 'staff' });
    await o.caller.team.invite({ email: `two-${c.tenantId.slice(0, 6)}@example.org`, role: 'staff' });
    expect(
      (await errorOf(o.caller.team.invite({ email: `three-${c.tenantId.slice(0, 6)}@example.org`, role: 'staff' })))
        .code,
    ).toBe('TOO_MANY_REQUESTS');
    // Another church is not affected.
    const other = await signIn(reg.services, church.email, church.password).catch(() => null);
    if (other)
      expect(
        (await other.caller.team.invite({ email: `elsewhere-${c.tenantId.slice(0, 6)}@example.org`, role: 'staff' }))
          .url,
      ).toContain('/invite/');
  });
});

describe('bounded requests', () => {
  let reg: TestRegistry;
  let owner: SignedInClient;
  let cookie: string;

  beforeAll(async () => {
    reg = await createTestRegistry();
    holder.__steeple = reg.services; // the route handlers' getServices() hands out this registry's services
    const c = await provisionChurch(reg.services, { churchName: 'Bounded Chapel' });
    owner = await signIn(reg.services, c.email, c.password);
    const { sessionCookieName } = await import('@/server/auth/session');
    cookie = `${sessionCookieName(reg.services)}=${owner.cookie}`;
  });
  afterAll(async () => {
    delete holder.__steeple;
    await reg?.cleanup();
  });

  it('an endless body to the Telnyx webhook gets 413 within a second, having read no more than the limit', async () => {
    const body = endlessBody();
    const started = Date.now();
    const res = await telnyxPost(post('http://test/api/webhooks/telnyx', body.stream));
    expect(res.status).toBe(413);
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(body.pulled()).toBeLessThan(LIMITS.webhook + 64 * 1024);
  });

  it('an endless body to tRPC is a 413 within a second; a declared 8 MB one is refused before reading', async () => {
    const body = endlessBody();
    const started = Date.now();
    const res = await trpcPost(post('http://test/api/trpc/members.create', body.stream, { cookie }));
    expect(res.status).toBe(413);
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(body.pulled()).toBeLessThan(LIMITS.trpc + 64 * 1024);
    expect(((await res.json()) as { error: { json: { data: { code: string } } } }).error.json.data.code).toBe(
      'PAYLOAD_TOO_LARGE',
    );

    const big = JSON.stringify({ json: { firstName: 'x'.repeat(8 * 1024 * 1024), phone: '1' } });
    expect((await trpcPost(post('http://test/api/trpc/members.create', big, { cookie }))).status).toBe(413);
  });

  it('the CSV import may carry its 5 MB file, alone; no other call may', async () => {
    // 4,000 rows with long notes: about 4.6 MB, under the import's 5 MB and 20,000 rows.
    const note = 'n'.repeat(1_200);
    const row = (i: number) => `P${i},(202) 2${String(10_000 + i).slice(1, 3)}-${String(1000 + i).slice(-4)},${note}`;
    const csv = `first_name,phone,notes\n${Array.from({ length: 4_000 }, (_, i) => row(i)).join('\n')}`;
    expect(csv.length).toBeGreaterThan(4.5 * 1024 * 1024);
    const body = JSON.stringify({ json: { csv } });
    expect(body.length).toBeGreaterThan(LIMITS.trpc);
    const preview = await trpcPost(post('http://test/api/trpc/members.importPreview', body, { cookie }));
    expect(preview.status).toBe(200);
    // The same size in a batch with another procedure, or to another procedure, is too large.
    expect((await trpcPost(post('http://test/api/trpc/members.create', body, { cookie }))).status).toBe(413);
    const batch = JSON.stringify({ 0: { json: { csv } }, 1: { json: {} } });
    expect(
      (
        await trpcPost(
          post('http://test/api/trpc/members.importPreview,account.signOutEverywhere?batch=1', batch, { cookie }),
        )
      ).status,
    ).toBe(413);
    // Signed out (or with a forged cookie) the import gets no larger allowance than any other call.
    expect((await trpcPost(post('http://test/api/trpc/members.importPreview', body))).status).toBe(413);
    const forged = `${cookie.split('=')[0]}=x${owner.cookie.slice(1)}`;
    expect((await trpcPost(post('http://test/api/trpc/members.importPreview', body, { cookie: forged }))).status).toBe(
      413,
    );
  }, 60_000);

  it('a batch of more than 10 calls is refused whole; 10 are answered', async () => {
    const batch = (n: number) =>
      `http://test/api/trpc/${Array(n).fill('account.me').join(',')}?batch=1&input=${encodeURIComponent('{}')}`;
    expect((await trpcGet(new Request(batch(60), { headers: { cookie } }))).status).toBe(400);
    expect((await trpcGet(new Request(batch(11), { headers: { cookie } }))).status).toBe(400);
    const ten = await trpcGet(new Request(batch(10), { headers: { cookie } }));
    expect(ten.status).toBe(200);
    expect(((await ten.json()) as unknown[]).length).toBe(10);
  });

  it('every list, array and string input has a maximum', async () => {
    const tooLong = 'x'.repeat(10_000);
    const c = owner.caller;
    for (const call of [
      () => c.members.list({ search: tooLong }),
      () =>
        c.members.create({ firstName: 'A', phone: '2025550100', tags: Array.from({ length: 31 }, (_, i) => `t${i}`) }),
      () => c.members.create({ firstName: 'A', phone: '2025550100', consentNote: tooLong }),
      () => c.branches.create({ name: 'B', timezone: tooLong }),
      () => c.church.updateProfile({ churchName: 'C', timezone: 'UTC', country: tooLong }),
      () => c.conversations.list({ limit: 1_000 }),
      () => c.messages.send({ memberId: crypto.randomUUID(), body: tooLong }),
    ]) {
      expect((await errorOf(call())).code).toBe('BAD_REQUEST');
    }
  });
});

describe('health', () => {
  let reg: TestRegistry;
  const METRICS_TOKEN = 'hardening-metrics-token-012345';
  beforeAll(async () => {
    reg = await createTestRegistry({ METRICS_TOKEN });
    holder.__steeple = reg.services;
  });
  afterAll(async () => {
    delete holder.__steeple;
    await reg?.cleanup();
  });

  it('tells anyone only whether it is alive, with no privileged connection; operators get the details', async () => {
    const privileged = vi.spyOn(reg.services.cluster, 'sql');
    const open = await healthGet(new Request('http://test/api/health'));
    expect(open.status).toBe(200);
    expect(await open.json()).toEqual({ status: 'ok' });
    const wrong = await healthGet(
      new Request('http://test/api/health', { headers: { authorization: 'Bearer not-the-token-at-all' } }),
    );
    expect(await wrong.json()).toEqual({ status: 'ok' });
    expect(privileged).not.toHaveBeenCalled();

    const operator = await healthGet(
      new Request('http://test/api/health', { headers: { authorization: `Bearer ${METRICS_TOKEN}` } }),
    );
    expect(await operator.json()).toMatchObject({
      status: 'ok',
      registry: { status: 'ok' },
      servers: [{ name: 'default', status: 'ok' }],
      queue: expect.any(Object),
      inbound: { pending: 0 },
      connections: expect.any(Object),
    });
    expect(privileged).toHaveBeenCalled();
    privileged.mockRestore();
  });
});

describe('configuration', () => {
  const base = { DATABASE_URL: 'postgres://x@127.0.0.1/steeple', ...testSecrets };
  it('in production, NEXTAUTH_URL is required unless it is the embedded default', () => {
    expect(() => loadConfig({ ...base, NODE_ENV: 'production' })).toThrow(ConfigError);
    expect(() => loadConfig({ ...base, NODE_ENV: 'production' })).toThrow(/NEXTAUTH_URL is required in production/);
    expect(loadConfig({ ...base, NODE_ENV: 'production', NEXTAUTH_URL: 'https://app.example.org' }).NEXTAUTH_URL).toBe(
      'https://app.example.org',
    );
    expect(() => loadConfig({ ...base, NODE_ENV: 'production', STEEPLE_EMBEDDED: '1' })).not.toThrow();
    expect(() => loadConfig({ ...base, TRUST_PROXY_HOPS: '-1' })).toThrow(/TRUST_PROXY_HOPS/);
  });
});

describe('names strangers see', () => {
  it('a church name has its web addresses taken out and a length limit', () => {
    expect(withoutLinks('Grace Church www.grace.example.org')).toBe('Grace Church');
    expect(withoutLinks('Visit https://evil.example/login now')).toBe('Visit now');
    expect(withoutLinks('grace.church')).toBe(''); // .church is a real top-level domain
    expect(withoutLinks('Hope 203.0.113.9/login')).toBe('Hope');
    expect(withoutLinks("St. Mary's Parish")).toBe("St. Mary's Parish");
    expect(churchName.safeParse('https://phish.example').success).toBe(false);
    expect(churchName.safeParse('x'.repeat(81)).success).toBe(false);
    expect(churchName.parse('  Hope   Chapel  bit.ly/abc ')).toBe('Hope Chapel');
  });
});

describe('provisioning and the database server', () => {
  let reg: TestRegistry;
  beforeAll(async () => {
    reg = await createTestRegistry();
  });
  afterAll(async () => {
    await reg?.cleanup();
  });

  it('role passwords go to PostgreSQL as SCRAM verifiers: never the secret in SQL text; sign-in works', async () => {
    const role = `${reg.services.naming.prefix}_scramcheck`;
    const password = randomBytes(24).toString('base64url');
    const statements: string[] = [];
    const sql = postgres(serverUrl(), { max: 1, onnotice: () => {} });
    const spied = new Proxy(sql, {
      get: (t, k) => (k === 'unsafe' ? (text: string) => (statements.push(text), t.unsafe(text)) : Reflect.get(t, k)),
    });
    try {
      await ensureRole(spied, role, 'login');
      await ensureRole(spied, role, 'login', password);
      expect(statements.join('\n')).not.toContain(password);
      expect(statements.join('\n')).toMatch(/password 'SCRAM-SHA-256\$4096:/);
      const login = new URL(serverUrl());
      login.username = role;
      login.password = password;
      login.pathname = '/postgres';
      const asRole = postgres(login.toString(), { max: 1, onnotice: () => {} });
      // Trust authentication (the machine's server) accepts anyone; the embedded server checks SCRAM for real.
      expect((await asRole`select current_user as me`)[0]).toEqual({ me: role });
      await asRole.end();
      expect(scramVerifier(password, Buffer.alloc(16, 1))).toBe(scramVerifier(password, Buffer.alloc(16, 1)));
      expect(scramVerifier(password)).not.toBe(scramVerifier(password)); // a fresh salt each time
    } finally {
      await sql.unsafe(`drop role if exists "${role}"`).catch(() => {});
      await sql.end();
    }
  });

  it('the template comes from template0: what someone put in template1 is not copied to churches', async () => {
    const admin = postgres(withDatabase(serverUrl(), 'template1'), { max: 1, onnotice: () => {} });
    const marker = `stp_template1_marker_${randomBytes(3).toString('hex')}`;
    const name = `stp_${randomBytes(5).toString('hex')}`;
    try {
      await admin.unsafe(`create table ${marker} (x int)`);
      await prepareDatabases(withDatabase(serverUrl(), name), { secretKey: testSecretKey });
      const template = postgres(withDatabase(serverUrl(), namingFor(name).template), { max: 1, onnotice: () => {} });
      expect(await template`select to_regclass(${marker}) as t`).toEqual([{ t: null }]);
      expect((await template`select to_regclass('members') is not null as ok`)[0]).toEqual({ ok: true });
      await template.end();
    } finally {
      await admin.unsafe(`drop table if exists ${marker}`);
      await admin.end();
      await dropRegistry(name);
    }
  });

  it('a late provisioning failure never drops the database of a church that is active', async () => {
    const c = await provisionChurch(reg.services, { churchName: 'Safe Chapel' });
    expect(
      await teardownTenant(reg.services, c.tenantId, {
        from: ['provisioning', 'failed', 'deleting'],
        finalStatus: 'failed',
      }),
    ).toBe(false);
    // A retry of its job (say a duplicate delivery after a crash) that fails on its last attempt leaves it alone.
    await reg.admin`
      update provisioning_jobs set state = 'provisioning', steps = jsonb_set(steps, '{4,state}', '"pending"')
       where id = ${c.jobId}`;
    const failing = {
      ...reg.services.provision,
      faults: (p: string) => {
        if (p === 'before:activate') throw new Error('injected');
      },
    };
    expect(await runProvisioning(failing, c.jobId, { finalAttempt: true })).toBe('ready');
    const [t] = await reg.admin`select status, db_name from tenants where id = ${c.tenantId}`;
    expect(t!.status).toBe('active');
    // Its job reads as it did before the duplicate: ready, every step done.
    const [job] = await reg.admin<
      { state: string; steps: { state: string }[] }[]
    >`select state, steps from provisioning_jobs where id = ${c.jobId}`;
    expect(job!.state).toBe('ready');
    expect(job!.steps.every((s) => s.state === 'done')).toBe(true);
    expect(await reg.admin`select 1 from pg_database where datname = ${t!.db_name}`).toHaveLength(1);
    const s = await signIn(reg.services, c.email, c.password);
    expect((await s.caller.account.me()).churchName).toBe('Safe Chapel');
  });

  it('every job key names its church', async () => {
    const c = await provisionChurch(reg.services, { churchName: 'Keyed Chapel' });
    const o = await signIn(reg.services, c.email, c.password);
    await readyNumber(reg.services, o);
    const [m] = await insertMembers(reg.services, c.tenantId, [{ firstName: 'Keyed' }]);
    await o.caller.messages.send({ memberId: m!.id, body: 'hello' });
    await o.caller.broadcasts.create({
      body: 'all',
      audience: { type: 'all' },
      scheduledAt: new Date(Date.now() + 3_600_000),
    });
    const keys = (
      await reg.admin<{ key: string }[]>`select key from graphile_worker._private_jobs where key is not null`
    ).map((r) => r.key);
    const mine = keys.filter((k) => k.includes(c.tenantId));
    // Activation queued the owner's verification mail; buying the number added its order check; registering it, its
    // registration check.
    expect(mine.map((k) => k.split(':')[0]).sort()).toEqual([
      'broadcast',
      'number-order',
      'provision',
      'registration',
      'send',
      'verify-mail',
    ]);
    const named =
      /^(provision|send|broadcast|inbound|number-order|registration|verify-mail|stripe-customer):[0-9a-f-]{36}(:|$)/;
    expect(keys.every((k) => named.test(k))).toBe(true);
  });
});

describe('a trial’s daily texting allowance', () => {
  let fake: FakeStripe;
  let reg: TestRegistry;
  let owner: SignedInClient;
  let tenantId: string;
  beforeAll(async () => {
    fake = await FakeStripe.start();
    reg = await createTestRegistry({ ...fake.env(), TRIAL_DAILY_SEGMENTS: '5' });
    const c = await provisionChurch(reg.services, { churchName: 'Trial Chapel' });
    tenantId = c.tenantId;
    owner = await signIn(reg.services, c.email, c.password);
    await readyNumber(reg.services, owner);
  });
  afterAll(async () => {
    await reg?.cleanup();
    await fake?.stop();
  });

  it('is shared by the inbox and broadcasts, says when it resets, and lifts with a plan', async () => {
    const people = await insertMembers(reg.services, tenantId, [
      { firstName: 'One' },
      { firstName: 'Two' },
      { firstName: 'Three' },
    ]);
    expect(await owner.caller.billing.allowance()).toMatchObject({ limited: true, limit: 5, used: 0, remaining: 5 });
    // Three segments go to the inbox; a broadcast to three people then does not fit the two left.
    for (const p of people) await owner.caller.messages.send({ memberId: p.id, body: 'Welcome!' });
    const allowance = await owner.caller.billing.allowance();
    expect(allowance).toMatchObject({ limited: true, used: 3, remaining: 2 });
    const broadcast = await errorOf(owner.caller.broadcasts.create({ body: 'All of you', audience: { type: 'all' } }));
    expect(broadcast.code).toBe('TOO_MANY_REQUESTS');
    expect(broadcast.message).toMatch(
      new RegExp(
        '^During the free trial a church can send 5 text segments a day; ' +
          String.raw`2 are left today and this needs 3\. The allowance resets `,
      ),
    );
    // Tomorrow's broadcast fits a fresh day.
    const tomorrow = new Date(Date.now() + 26 * 3_600_000);
    expect(
      (await owner.caller.broadcasts.create({ body: 'Tomorrow', audience: { type: 'all' }, scheduledAt: tomorrow }))
        .state,
    ).toBe('scheduled');
    await owner.caller.messages.send({ memberId: people[0]!.id, body: 'One more' });
    await owner.caller.messages.send({ memberId: people[0]!.id, body: 'And one' });
    const out = await errorOf(owner.caller.messages.send({ memberId: people[0]!.id, body: 'Too many' }));
    expect(out.code).toBe('TOO_MANY_REQUESTS');
    expect(out.message).toMatch(
      /today’s are used up\. The allowance resets .* Choose a plan in Settings → Billing to lift it\.$/,
    );
    // A paying church has no allowance.
    await reg.admin`update billing_accounts set status = 'active' where tenant_id = ${tenantId}`;
    reg.services.access.forget(tenantId);
    expect(await owner.caller.billing.allowance()).toEqual({ limited: false });
    expect((await owner.caller.messages.send({ memberId: people[0]!.id, body: 'Now fine' })).status).toBe('queued');
  });

  it('ten sends at once cannot overrun it: each is counted after the one before', async () => {
    const c = await provisionChurch(reg.services, { churchName: 'Eager Chapel' });
    const o = await signIn(reg.services, c.email, c.password);
    await readyNumber(reg.services, o);
    const [p] = await insertMembers(reg.services, c.tenantId, [{ firstName: 'Busy' }]);
    const outcomes = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        o.caller.messages.send({ memberId: p!.id, body: `Hello ${i}` }).then(
          () => 'queued',
          (e: { code?: string }) => e.code,
        ),
      ),
    );
    expect(
      outcomes.filter((x) => x === 'queued'),
      JSON.stringify(outcomes),
    ).toHaveLength(5);
    expect(outcomes.filter((x) => x === 'TOO_MANY_REQUESTS')).toHaveLength(5);
    expect(await o.caller.billing.allowance()).toMatchObject({ used: 5, remaining: 0 });
  });
});

describe('a crash is never silent', () => {
  it('an uncaught error is logged with its stack before the process exits with 1', async () => {
    const script = `
      import { installCrashHandlers } from './server/observability/crash.ts';
      installCrashHandlers({ exitOnRejection: true });
      setImmediate(() => { throw new TypeError("Cannot read properties of null (reading 'write')"); });
      setTimeout(() => console.log('still alive'), 2000);
    `;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: process.cwd(),
      env: { ...process.env, LOG_LEVEL: 'info' },
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(1);
    const line = out.split('\n').find((l) => l.includes('uncaught exception'));
    expect(line, out).toBeTruthy();
    const parsed = JSON.parse(line!);
    expect(parsed).toMatchObject({
      level: 'error',
      msg: 'uncaught exception: the process will exit',
      err: { name: 'TypeError' },
    });
    expect(parsed.err.stack).toContain("Cannot read properties of null (reading 'write')");
    expect(out).not.toContain('still alive');
  }, 30_000);
});
