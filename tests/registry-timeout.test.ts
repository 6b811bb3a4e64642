import { randomUUID } from 'node:crypto';
import net, { type AddressInfo } from 'node:net';
import { TRPCError } from '@trpc/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '@/server/config';
import { health } from '@/server/health';
import { createRegistry, type Registry, RegistryUnavailableError } from '@/server/registry';
import { createServices, type Services } from '@/server/services';
import { TenantResolver } from '@/server/tenancy/resolver';
import { createContext } from '@/server/trpc';
import { createTestRegistry, testSecretKey, testSecrets, type TestRegistry } from './support/harness';
import { createCaller } from './support/accounts';

const TIMEOUT_MS = 300;
const LIMIT_MS = 1_000; // timeoutMs plus a generous margin: "fails fast" means well under this

/** Settle `p`, timing it; a promise that never settles fails the test instead of hanging it. */
async function timed<T>(p: Promise<T>) {
  const started = Date.now();
  let guard: NodeJS.Timeout | undefined;
  const hang = new Promise<never>((_, reject) => {
    guard = setTimeout(() => reject(new Error('did not settle within 5 s: the call hangs')), 5_000);
  });
  try {
    const value = await Promise.race([p, hang]).then(
      (v) => ({ ok: true as const, value: v }),
      (error: unknown) => ({ ok: false as const, error }),
    );
    return { ...value, ms: Date.now() - started };
  } finally {
    clearTimeout(guard);
  }
}

const internals = /stp_|registry|postgres|127\.0\.0\.1|localhost|ECONN|timeout|\d{4,5}|stack|select|tenant/i;

describe('a registry that accepts connections and never answers', () => {
  let blackHole: net.Server;
  const held = new Set<net.Socket>();
  let accepted = 0;
  let url: string;
  const clients: Registry[] = [];
  let services: Services | undefined;
  let real: TestRegistry;

  beforeAll(async () => {
    blackHole = net.createServer((socket) => {
      accepted++;
      held.add(socket);
      socket.on('error', () => {});
      socket.on('close', () => held.delete(socket));
      // Never write a byte: the client waits for an answer that never comes.
    });
    await new Promise<void>((resolve) => blackHole.listen(0, '127.0.0.1', resolve));
    const { port } = blackHole.address() as AddressInfo;
    url = `postgres://postgres@127.0.0.1:${port}/stp_blackhole`;
    real = await createTestRegistry();
  });

  afterAll(async () => {
    try {
      // Stop listening first, so clients that reconnect are refused at once; then hang up on the ones held.
      const closed = new Promise<void>((resolve) => blackHole.close(() => resolve()));
      const hangUp = () => held.forEach((s) => s.destroy());
      hangUp();
      await Promise.all(clients.map((c) => c.sql.end({ timeout: 1 }).catch(() => {})));
      await services?.close().catch(() => {});
      hangUp();
      await closed;
    } finally {
      await real?.cleanup();
    }
  });

  const blackHoleRegistry = () => {
    const registry = createRegistry(url, 2, TIMEOUT_MS);
    clients.push(registry);
    return registry;
  };
  const blackHoleServices = () => {
    services ??= createServices(
      loadConfig({ DATABASE_URL: url, ...testSecrets, REGISTRY_TIMEOUT_MS: String(TIMEOUT_MS), LOG_LEVEL: 'error' }),
    );
    return services;
  };

  it('resolve() rejects with RegistryUnavailableError shortly after timeoutMs', async () => {
    const resolver = new TenantResolver(blackHoleRegistry(), {
      timeoutMs: TIMEOUT_MS,
      ttlMs: 5_000,
      secretKey: testSecretKey,
    });
    const before = accepted;
    const result = await timed(resolver.resolve(randomUUID()));
    expect(result.ok).toBe(false);
    expect((result as { error: unknown }).error).toBeInstanceOf(RegistryUnavailableError);
    expect(result.ms).toBeGreaterThanOrEqual(TIMEOUT_MS - 20); // it waited for the deadline...
    expect(result.ms).toBeLessThan(LIMIT_MS); // ...and not for the driver's own timeouts
    expect(accepted).toBeGreaterThan(before); // the client really reached the black hole
  });

  it('keeps failing fast for many concurrent lookups, without piling up', async () => {
    const resolver = new TenantResolver(blackHoleRegistry(), {
      timeoutMs: TIMEOUT_MS,
      ttlMs: 5_000,
      secretKey: testSecretKey,
    });
    const results = await Promise.all(Array.from({ length: 20 }, () => timed(resolver.resolve(randomUUID()))));
    for (const r of results) {
      expect(r.ok).toBe(false);
      expect((r as { error: unknown }).error).toBeInstanceOf(RegistryUnavailableError);
      expect(r.ms).toBeLessThan(LIMIT_MS);
    }
  });

  it('control: the same resolver against a live registry answers', async () => {
    const resolver = new TenantResolver(real.services.registry, {
      timeoutMs: TIMEOUT_MS,
      ttlMs: 5_000,
      secretKey: testSecretKey,
    });
    const result = await timed(resolver.resolve(randomUUID()));
    expect(result).toMatchObject({ ok: true, value: null });
  });

  it('tRPC answers SERVICE_UNAVAILABLE, fast and without internals', async () => {
    const svc = blackHoleServices();
    const session = { tenantId: randomUUID(), adminId: randomUUID(), sessionId: 'test-session-1' };
    const caller = createCaller(createContext({ session, services: svc }));
    const calls: Array<() => Promise<unknown>> = [() => caller.church.profile(), () => caller.church.admins()];
    for (const call of calls) {
      const result = await timed(call());
      expect(result.ok).toBe(false);
      const err = (result as { error: unknown }).error;
      expect(err).toBeInstanceOf(TRPCError);
      expect((err as TRPCError).code).toBe('SERVICE_UNAVAILABLE');
      expect((err as TRPCError).message).toMatch(/try again/i);
      expect((err as TRPCError).message).not.toMatch(internals);
      expect((err as TRPCError).cause).toBeUndefined(); // nothing underneath to leak
      expect(result.ms).toBeLessThan(LIMIT_MS);
    }
    expect(svc.connections.stats()).toMatchObject({ created: 0, openConnections: 0 }); // no tenant pool was opened

    // Control: with a live registry the same call is refused for what it is (unknown church), not as unavailable.
    const live = createCaller(createContext({ session, services: real.services }));
    await expect(live.church.profile()).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
  });

  it('signup and provisioning status answer SERVICE_UNAVAILABLE instead of hanging', async () => {
    const caller = createCaller(createContext({ session: null, services: blackHoleServices() }));
    const status = await timed(caller.onboarding.status({ ticket: 'x'.repeat(43) }));
    expect(status.ok).toBe(false);
    expect((status as { error: TRPCError }).error.code).toBe('SERVICE_UNAVAILABLE');
    expect(status.ms).toBeLessThan(LIMIT_MS);

    // Signup hashes the password first, then needs a registry connection: bounded by the connect timeout (1 s here).
    const signup = await timed(
      caller.onboarding.signup({
        churchName: 'Lost Church',
        timezone: 'UTC',
        adminName: 'A',
        email: 'lost@example.org',
        password: 'long enough pw',
      }),
    );
    expect(signup.ok).toBe(false);
    const err = (signup as { error: TRPCError }).error;
    expect(err.code).toBe('SERVICE_UNAVAILABLE');
    expect(err.message).not.toMatch(internals);
    expect(signup.ms).toBeLessThan(2_500);
  });

  it('health() reports the registry unreachable, within the deadline', async () => {
    const result = await timed(health(blackHoleServices()));
    expect(result.ok).toBe(true);
    const report = (result as { value: Awaited<ReturnType<typeof health>> }).value;
    expect(report.status).toBe('unavailable');
    expect(report.registry.status).toBe('unreachable');
    expect(report.registry.latencyMs).toBeGreaterThanOrEqual(TIMEOUT_MS - 20);
    expect(result.ms).toBeLessThan(LIMIT_MS);

    // Control: a live registry is healthy.
    const ok = await health(real.services);
    expect(ok.status).toBe('ok');
    expect(ok.registry.status).toBe('ok');
    // ...and reports each database server and the job queue.
    expect(ok.servers).toEqual([{ name: 'default', accepting: true, status: 'ok', latencyMs: expect.any(Number) }]);
    expect(ok.queue).toEqual({
      ready: expect.any(Number),
      scheduled: expect.any(Number),
      running: expect.any(Number),
      failed: expect.any(Number),
    });
    const before = ok.queue!.scheduled;
    await real.admin`select graphile_worker.add_job('health_probe', '{}'::json, run_at => now() + interval '1 hour')`;
    expect((await health(real.services)).queue!.scheduled).toBe(before + 1);
  });
});
