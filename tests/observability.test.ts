import * as Sentry from '@sentry/node';
import { and, eq, ne } from 'drizzle-orm';
import postgres from 'postgres';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { GET as metricsRoute } from '@/app/api/metrics/route';
import { GET as trpcGet } from '@/app/api/trpc/[trpc]/route';
import { tenants } from '@/db/registry/schema';
import { messages } from '@/db/tenant/schema';
import { sessionCookieName } from '@/server/auth/session';
import { handleStripeWebhook } from '@/server/billing/webhook';
import { loadConfig } from '@/server/config';
import { log } from '@/server/log';
import { signWebhook } from '@/server/messaging/signature';
import { runWithContext, setContextFields } from '@/server/observability/context';
import { initSentry } from '@/server/observability/sentry';
import { createServices, type Services } from '@/server/services';
import { withDatabase } from '@/server/tenancy/urls';
import { captureLogs, cookieFor, freePort, provisionChurch, signIn, type Church } from './support/accounts';
import { createTestRegistry, serverUrl, testSecrets, until, type TestRegistry } from './support/harness';
import { METRICS_TOKEN, sample, scrape, sentryStandIn } from './support/observability';
import { routeNumberTo, personNumber, post, postSigned, received } from './support/webhooks';

const PASSWORD = 'observability horse battery';
const SECRET_TEXT = 'Pastor, my confidential prayer request';

describe('observability', () => {
  let reg: TestRegistry;
  let services: Services;
  let church: Church;
  let number: string;
  let sentry: Awaited<ReturnType<typeof sentryStandIn>>;
  const holder = globalThis as unknown as { __steeple?: Services };

  const metricsText = async () => (await scrape(services)).text();
  /** Call a procedure through the real tRPC route, as the browser does. */
  const callRoute = async (procedure: string, opts: { cookie?: string; requestId?: string } = {}) => {
    const headers: Record<string, string> = {};
    if (opts.cookie) headers.cookie = `${sessionCookieName(services)}=${opts.cookie}`;
    if (opts.requestId !== undefined) headers['x-request-id'] = opts.requestId;
    return trpcGet(new Request(`http://test/api/trpc/${procedure}`, { headers }));
  };
  const signedInCookie = async (c: Church) => {
    const { signed } = await signIn(services, c.email, c.password);
    return cookieFor(services, signed);
  };

  beforeAll(async () => {
    sentry = await sentryStandIn();
    await initSentry(sentry.dsn);
    reg = await createTestRegistry({ METRICS_TOKEN });
    services = reg.services;
    holder.__steeple = services; // the route handlers' getServices() hands out this registry's services
    church = await provisionChurch(services, { churchName: 'Observed Chapel', password: PASSWORD });
    number = await routeNumberTo(services, church.tenantId);
  });
  afterAll(async () => {
    delete holder.__steeple;
    await reg?.cleanup();
    await sentry?.close();
  });

  describe('GET /api/metrics', () => {
    it('is 404 when METRICS_TOKEN is not configured', async () => {
      const off = reg.servicesWith({ METRICS_TOKEN: '' });
      expect(off.config.METRICS_TOKEN).toBeUndefined();
      const res = await scrape(off);
      expect(res.status).toBe(404);
      expect(await res.text()).not.toMatch(/steeple_/);
    });

    it.each([
      ['no Authorization header', null, undefined],
      ['a wrong token', 'wrong-token-0123456789012', undefined],
      ['the token with a different scheme', null, `Basic ${METRICS_TOKEN}`],
      ['a prefix of the token', METRICS_TOKEN.slice(0, -1), undefined],
    ])('is 401 with %s', async (_, token, header) => {
      const res = header
        ? await metricsRoute(new Request('http://test/api/metrics', { headers: { authorization: header } }))
        : await scrape(services, token);
      expect(res.status).toBe(401);
      expect(await res.text()).not.toMatch(/steeple_/);
    });

    it('is 200 through the route with the token: connection gauges, queue depth and process metrics', async () => {
      const res = await metricsRoute(
        new Request('http://test/api/metrics', { headers: { authorization: `Bearer ${METRICS_TOKEN}` } }),
      );
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
      const text = await res.text();
      const stats = services.connections.stats();
      expect(sample(text, 'steeple_tenant_connection_budget')).toBe(services.config.CONNECTION_BUDGET);
      expect(sample(text, 'steeple_tenant_pools_cached')).toBe(stats.cached);
      expect(sample(text, 'steeple_tenant_connections_open')).toBe(stats.openConnections);
      // The church provisioned above.
      expect(sample(text, 'steeple_tenant_pools_created_total')).toBeGreaterThanOrEqual(1);
      expect(sample(text, 'steeple_tenant_pool_potential_leaks')).toBe(0);
      for (const name of [
        'steeple_tenant_connections_peak',
        'steeple_tenant_connections_reserved',
        'steeple_tenant_connection_waiters',
        'steeple_tenant_pools_closing',
        'steeple_tenant_pools_closed_total',
        'steeple_tenant_pools_evicted_total',
        'steeple_tenant_connection_budget_timeouts_total',
      ]) {
        expect(sample(text, name), name).toBeTypeOf('number');
      }
      // The signup's queue job is still there (no worker runs in this test): one ready job at least.
      expect(sample(text, 'steeple_registry_up')).toBe(1);
      expect(sample(text, 'steeple_queue_jobs', { state: 'ready' })).toBeGreaterThanOrEqual(1);
      for (const state of ['scheduled', 'running', 'failed'])
        expect(sample(text, 'steeple_queue_jobs', { state })).toBe(0);
      expect(sample(text, 'process_resident_memory_bytes')).toBeGreaterThan(0);
    });

    it('still answers 200 while the registry is unreachable, marking the registry metrics as skipped', async () => {
      const port = await freePort(); // nothing listens there
      const dead = createServices(
        loadConfig({
          DATABASE_URL: withDatabase(`postgres://postgres@127.0.0.1:${port}/x`, reg.name),
          ...testSecrets,
          LOG_LEVEL: 'error',
          METRICS_TOKEN,
          REGISTRY_TIMEOUT_MS: '300',
        }),
      );
      try {
        const res = await scrape(dead);
        expect(res.status).toBe(200);
        const text = await res.text();
        expect(sample(text, 'steeple_registry_up')).toBe(0);
        expect(sample(text, 'steeple_queue_jobs', { state: 'ready' })).toBeUndefined();
        expect(sample(text, 'steeple_tenant_connection_budget')).toBe(dead.config.CONNECTION_BUDGET);
      } finally {
        await dead.close();
      }
    });
  });

  describe('counted events', () => {
    it('counts real Telnyx webhooks by outcome: stored, duplicate, unauthorized, bad_request', async () => {
      const before = await metricsText();
      const at = (text: string, outcome: string) =>
        sample(text, 'steeple_webhooks_total', { provider: 'telnyx', outcome }) ?? 0;
      const m = received(personNumber(1), number, 'See you Sunday');
      expect((await postSigned(services, m.body)).status).toBe(200);
      expect((await postSigned(services, m.body)).status).toBe(200);
      expect((await post(services, m.body, {})).status).toBe(401);
      expect((await postSigned(services, '{"data":')).status).toBe(400);
      const after = await metricsText();
      for (const outcome of ['stored', 'duplicate', 'unauthorized', 'bad_request'])
        expect(at(after, outcome) - at(before, outcome), outcome).toBe(1);
    });

    it('counts a Stripe webhook while billing is off as not_configured', async () => {
      const at = (text: string) =>
        sample(text, 'steeple_webhooks_total', { provider: 'stripe', outcome: 'not_configured' }) ?? 0;
      const before = at(await metricsText());
      expect(
        (
          await handleStripeWebhook(
            new Request('http://test/api/webhooks/stripe', { method: 'POST', body: '{}' }),
            services,
          )
        ).status,
      ).toBe(404);
      expect(at(await metricsText()) - before).toBe(1);
    });

    it('times procedure calls through the route, by procedure, type and outcome', async () => {
      const at = (text: string, outcome: string) =>
        sample(text, 'steeple_request_duration_seconds_count', { procedure: 'account.me', type: 'query', outcome }) ??
        0;
      const before = await metricsText();
      const cookie = await signedInCookie(church);
      expect((await callRoute('account.me', { cookie })).status).toBe(200);
      expect((await callRoute('account.me')).status).toBe(401);
      const after = await metricsText();
      expect(at(after, 'ok') - at(before, 'ok')).toBe(1);
      expect(at(after, 'UNAUTHORIZED') - at(before, 'UNAUTHORIZED')).toBe(1);
      expect(
        sample(after, 'steeple_request_duration_seconds_bucket', {
          procedure: 'account.me',
          outcome: 'ok',
          le: '+Inf',
        }),
      ).toBeGreaterThanOrEqual(1);
    });

    it('times provisioning by outcome after a signup', async () => {
      const at = (text: string) =>
        sample(text, 'steeple_provisioning_duration_seconds_count', { outcome: 'ready' }) ?? 0;
      const before = at(await metricsText());
      await provisionChurch(services);
      const after = await metricsText();
      expect(at(after) - before).toBe(1);
      expect(sample(after, 'steeple_provisioning_duration_seconds_sum', { outcome: 'ready' })).toBeGreaterThan(0);
    });
  });

  describe('request ids', () => {
    it('echoes a safe x-request-id and replaces an unsafe or missing one', async () => {
      expect((await callRoute('account.me', { requestId: 'req-123_abc.DEF' })).headers.get('x-request-id')).toBe(
        'req-123_abc.DEF',
      );
      for (const unsafe of ['has spaces', 'x'.repeat(65), 'quote"d', '']) {
        const id = (await callRoute('account.me', { requestId: unsafe })).headers.get('x-request-id');
        expect(id).toMatch(/^[0-9a-f-]{36}$/);
      }
    });
  });

  it('Sentry never receives request bodies, cookies, query strings or credential headers', async () => {
    Sentry.captureEvent({
      message: 'scrub me',
      tags: { requestId: 'req-scrub' },
      request: {
        url: 'http://test/x',
        method: 'POST',
        data: SECRET_TEXT,
        cookies: { session: 'COOKIE1' },
        query_string: 'token=QUERY1',
        headers: { cookie: 'COOKIE2', authorization: 'Bearer AUTH1', 'user-agent': 'tester' },
      },
    });
    await Sentry.flush(5_000);
    const event = await until(async () => sentry.events().find((e) => e.tags?.requestId === 'req-scrub'), {
      timeoutMs: 5_000,
    });
    expect(event.request).toEqual({ url: 'http://test/x', method: 'POST', headers: { 'user-agent': 'tester' } });
    for (const secret of [SECRET_TEXT, 'COOKIE1', 'COOKIE2', 'QUERY1', 'AUTH1'])
      expect(sentry.envelopes.join('\n')).not.toContain(secret);
  });

  describe('logs', () => {
    let logs: ReturnType<typeof captureLogs>;
    let savedLevel: string | undefined;
    beforeEach(() => {
      savedLevel = process.env.LOG_LEVEL;
      process.env.LOG_LEVEL = 'debug';
      logs = captureLogs();
    });
    afterEach(() => {
      logs.restore();
      if (savedLevel === undefined) delete process.env.LOG_LEVEL;
      else process.env.LOG_LEVEL = savedLevel;
    });

    it('one JSON line: level, time, msg, context; errors as {name, message, stack, code}; secrets hidden', () => {
      const err = Object.assign(new Error('duplicate key'), { code: '23505' });
      runWithContext({ requestId: 'req-1' }, () => {
        setContextFields({ tenantId: 'tenant-1', procedure: 'members.create' });
        log.info('member not created', {
          err,
          password: PASSWORD,
          passwordHash: '$argon2id$secret',
          nested: { deeper: { body: SECRET_TEXT, apiKey: 'KEY123', authorization: 'Bearer abc' } },
          list: [{ text: SECRET_TEXT, dbSecret: 'ENCRYPTED' }],
          memberCount: 3,
        });
      });
      const line = logs.lines.find((l) => l.msg === 'member not created')!;
      expect(line).toMatchObject({
        level: 'info',
        requestId: 'req-1',
        tenantId: 'tenant-1',
        procedure: 'members.create',
        memberCount: 3,
      });
      expect(new Date(line.time as string).getTime()).toBeGreaterThan(0);
      expect(line.err).toEqual({ name: 'Error', message: 'duplicate key', stack: err.stack, code: '23505' });
      const raw = JSON.stringify(line);
      for (const secret of [PASSWORD, SECRET_TEXT, 'argon2id', 'KEY123', 'Bearer abc', 'ENCRYPTED'])
        expect(raw).not.toContain(secret);
      expect(line).toMatchObject({
        password: '[redacted]',
        nested: { deeper: { body: '[redacted]' } },
        list: [{ text: '[redacted]', dbSecret: '[redacted]' }],
      });
    });

    it('respects LOG_LEVEL while the process runs', () => {
      process.env.LOG_LEVEL = 'warn';
      log.info('quiet info');
      log.warn('loud warning');
      process.env.LOG_LEVEL = 'nonsense'; // falls back to info
      log.debug('quiet debug');
      log.info('loud info');
      expect(logs.lines.map((l) => l.msg)).toEqual(['loud warning', 'loud info']);
    });

    it('a signup, a sign-in and an inbound text never log the password or the text', async () => {
      const c = await provisionChurch(services, { password: PASSWORD });
      const n = await routeNumberTo(services, c.tenantId);
      await signIn(services, c.email, PASSWORD);
      expect((await postSigned(services, received(personNumber(2), n, SECRET_TEXT).body)).status).toBe(200);
      expect(logs.lines.length).toBeGreaterThan(0); // provisioning logs at info
      const raw = JSON.stringify(logs.lines);
      expect(raw).not.toContain(PASSWORD);
      expect(raw).not.toContain(SECRET_TEXT);
    });

    describe('a church whose database is broken', () => {
      let broken: Church;
      let brokenNumber: string;
      let brokenCookie: string;
      beforeAll(async () => {
        broken = await provisionChurch(services, { churchName: 'Broken Chapel', password: PASSWORD });
        brokenNumber = await routeNumberTo(services, broken.tenantId);
        brokenCookie = await signedInCookie(broken); // before the break: sign-in reads the admins table too
        const [row] = await services.registry.db
          .select({ dbName: tenants.dbName })
          .from(tenants)
          .where(eq(tenants.id, broken.tenantId));
        const sql = postgres(withDatabase(serverUrl(), row!.dbName), { max: 1, onnotice: () => {} });
        // Procedures then fail unexpectedly (INTERNAL_SERVER_ERROR) and texts cannot be stored: both are logged errors.
        await sql`alter table admins rename to admins_gone`;
        await sql`alter table messages rename to messages_gone`;
        await sql.end();
      });

      it('a failing procedure logs requestId, tenantId and procedure; Sentry gets it with those tags', async () => {
        const res = await callRoute('account.me', { cookie: brokenCookie, requestId: 'req-broken-1' });
        expect(res.status).toBe(500);
        expect(res.headers.get('x-request-id')).toBe('req-broken-1');
        const line = logs.lines.find((l) => l.msg === 'procedure failed' && l.requestId === 'req-broken-1');
        expect(line).toMatchObject({
          level: 'error',
          requestId: 'req-broken-1',
          tenantId: broken.tenantId,
          procedure: 'account.me',
        });
        expect((line!.err as { message: string }).message).toMatch(/admins/);

        await Sentry.flush(5_000);
        const event = await until(async () => sentry.events().find((e) => e.tags?.requestId === 'req-broken-1'), {
          timeoutMs: 5_000,
        });
        expect(event.tags).toMatchObject({
          requestId: 'req-broken-1',
          tenantId: broken.tenantId,
          procedure: 'account.me',
        });
        expect(event.exception?.values?.at(-1)?.value).toMatch(/admins/);
        expect(event.extra).toMatchObject({ log: 'procedure failed' });
      });

      it("a failed query's parameters (a text, a password hash) never reach log or Sentry; its SQL does", async () => {
        const err = await services.connections
          .withTenant(broken.tenantId, (db) =>
            db
              .select()
              .from(messages)
              .where(and(eq(messages.body, SECRET_TEXT), ne(messages.fromNumber, PASSWORD))),
          )
          .catch((e: Error) => e);
        expect(err).toBeInstanceOf(Error);
        expect((err as Error).message).toContain(SECRET_TEXT); // drizzle puts the values in its message...
        runWithContext({ requestId: 'req-params-1' }, () => log.error('lookup failed', { err }));
        const line = logs.lines.find((l) => l.requestId === 'req-params-1')!;
        expect((line.err as { message: string }).message).toMatch(
          /^Failed query: select .* from "messages"[\s\S]*\nparams: \[redacted\]$/,
        );
        await Sentry.flush(5_000);
        const event = await until(async () => sentry.events().find((e) => e.tags?.requestId === 'req-params-1'), {
          timeoutMs: 5_000,
        });
        expect(event.exception?.values?.map((v) => v.value).join('\n')).toContain('params: [redacted]');
        for (const text of [JSON.stringify(logs.lines), ...sentry.envelopes]) {
          expect(text).not.toContain(SECRET_TEXT); // ...and neither the log nor Sentry ever shows them
          expect(text).not.toContain(PASSWORD);
        }
      });

      it('undeliverable text kept; error logged (requestId, tenantId); text not in log, Sentry, registry', async () => {
        const m = received(personNumber(3), brokenNumber, SECRET_TEXT);
        const res = await post(services, m.body, {
          ...signWebhook(services.messaging.signingKey!, m.body),
          'x-request-id': 'req-hook-1',
        });
        expect(res.status).toBe(200); // kept in the registry: Telnyx need not retry, the drain will
        expect(await res.json()).toEqual({ outcome: 'queued' });
        const line = logs.lines.find((l) => l.requestId === 'req-hook-1' && l.level === 'error');
        expect(line).toMatchObject({
          msg: 'inbound event not delivered; it will be tried again',
          tenantId: broken.tenantId,
        });
        const text = await metricsText();
        expect(
          sample(text, 'steeple_webhooks_total', { provider: 'telnyx', outcome: 'queued' }),
        ).toBeGreaterThanOrEqual(1);
        expect(sample(text, 'steeple_inbound_pending')).toBeGreaterThanOrEqual(1);
        const [kept] = await services.registry.sql<
          { attempts: number; last_error: string }[]
        >`select attempts, last_error from inbound_events where event_key = ${'received:' + m.id}`;
        expect(kept!.attempts).toBe(1);
        expect(kept!.last_error).toMatch(/messages/);
        expect(kept!.last_error).not.toContain(SECRET_TEXT);

        await Sentry.flush(5_000);
        const event = await until(async () => sentry.events().find((e) => e.tags?.requestId === 'req-hook-1'), {
          timeoutMs: 5_000,
        });
        expect(event.tags).toMatchObject({ tenantId: broken.tenantId });
        expect(event.request?.data).toBeUndefined();
        for (const text of [JSON.stringify(logs.lines), ...sentry.envelopes]) {
          expect(text).not.toContain(SECRET_TEXT);
          expect(text).not.toContain(PASSWORD);
        }
      });
    });
  });
});
