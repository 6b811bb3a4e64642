import { and, eq, inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { messages } from '@/db/tenant/schema';
import { readSession } from '@/server/auth/session';
import { SigninError, signInWithPassword } from '@/server/auth/signin';
import { startWorker } from '@/server/jobs/worker';
import type { MessagingProvider, OutboundText } from '@/server/messaging/provider';
import type { Services } from '@/server/services';
import {
  caller,
  errorOf,
  freshIp,
  provisionChurch,
  signIn,
  type Church,
  type SignedInClient,
} from './support/accounts';
import { createTestRegistry, sleep, until, type TestRegistry } from './support/harness';
import { readyNumber, FakeProvider, insertMembers } from './support/messaging';

/**
 * Two server instances over one registry, each with its own queue worker, as two machines behind a load balancer
 * would run. The app must be stateless across them: a session from one works on the other and a sign-out on one is
 * honoured by the other; the sign-in throttle is one limit, not one per instance; and every job — provisioning, single
 * texts, broadcasts — runs exactly once however the two workers share the queue, at one shared sending rate.
 *
 * (tests/sessions.test.ts covers revocation across instances in depth, with and without Redis; here the point is the
 * two workers, so the session and throttle checks are brief.)
 */

const RATE = 10; // SENDS_PER_SECOND_PER_CHURCH, shared by both workers
const FAILURES_PER_EMAIL = 4;

/** Each instance's provider: the same fake Telnyx behind both, tagged with the instance whose worker called it. */
function tagged(tag: 'A' | 'B', shared: FakeProvider, by: Map<string, 'A' | 'B'>): MessagingProvider {
  return {
    name: 'outbox',
    async send(m: OutboundText) {
      const r = await shared.send(m);
      by.set(`${m.to}|${m.text}`, tag);
      return r;
    },
  };
}

describe('two instances, two queue workers, one registry', () => {
  let reg: TestRegistry;
  let a: Services;
  let b: Services;
  const workers: Awaited<ReturnType<typeof startWorker>>[] = [];
  const fake = new FakeProvider();
  const sentBy = new Map<string, 'A' | 'B'>();
  let church: Church;
  let ownerA: SignedInClient;

  beforeAll(async () => {
    // Small pools: the suite shares its server (a stock one allows 100 connections) with everything else.
    const env = {
      SENDS_PER_SECOND_PER_CHURCH: String(RATE),
      SIGNIN_FAILURES_PER_EMAIL: String(FAILURES_PER_EMAIL),
      WORKER_CONCURRENCY: '4',
      REGISTRY_POOL_SIZE: '4',
    };
    reg = await createTestRegistry(env, { provider: tagged('A', fake, sentBy) });
    a = reg.services;
    b = reg.servicesWith(env, tagged('B', fake, sentBy));
    fake.delayMs = 15; // a send takes a moment, as a real API call does, so both workers have jobs in hand at once
    church = await provisionChurch(a, { churchName: 'Two Instance Chapel' });
    ownerA = await signIn(a, church.email, church.password);
    await readyNumber(a, ownerA);
    workers.push(await startWorker(a), await startWorker(b));
  });
  afterAll(async () => {
    for (const w of workers) await w.stop().catch(() => {});
    await reg?.cleanup();
  });

  it('a session signed in on A is accepted by B; signing out on A is refused by B within a second', async () => {
    const c = await signIn(a, church.email, church.password);
    const onB = await readSession(b, c.cookie);
    expect(onB).toEqual(c.session);
    expect(await caller(b, onB).account.me()).toMatchObject({ email: church.email, role: 'owner' });

    expect(await a.sessions.revokeSession(c.signed.sessionId)).toBe(1);
    const started = Date.now();
    await until(async () => (await readSession(b, c.cookie)) === null, { timeoutMs: 1_000, everyMs: 10 });
    expect(Date.now() - started).toBeLessThanOrEqual(1_000);
    expect(await readSession(a, c.cookie)).toBeNull();
  });

  it(`sign-in failures count on both instances: ${FAILURES_PER_EMAIL} in all lock the pair out on both`, async () => {
    const ip = freshIp();
    for (let i = 0; i < FAILURES_PER_EMAIL; i++) {
      const err = await errorOf(
        signInWithPassword(i % 2 ? b : a, { email: church.email, password: 'wrong password!' }, ip),
      );
      expect(err.message).toBe('Email or password is incorrect.');
    }
    for (const s of [a, b]) {
      const locked = await errorOf(signInWithPassword(s, { email: church.email, password: church.password }, ip));
      expect(locked).toBeInstanceOf(SigninError);
      expect(locked.message).toMatch(/^Too many attempts\./);
    }
    // Another address is not affected, on either instance.
    expect((await signInWithPassword(b, { email: church.email, password: church.password }, freshIp())).adminId).toBe(
      church.adminId,
    );
  });

  it('signups through either instance are provisioned once each, whichever worker takes them', async () => {
    const signups = await Promise.all(
      [a, b, a, b].map((s, i) => provisionChurch(s, { provision: false, churchName: `Two Worker Signup ${i}` })),
    );
    const jobIds = signups.map((s) => s.jobId);
    const jobs = await until(
      async () => {
        const rows = await reg.admin<
          { state: string; attempts: number; steps: { name: string; state: string; attempts: number }[] }[]
        >`
          select state, attempts, steps from provisioning_jobs where id = any(${jobIds}::uuid[])`;
        return rows.length === jobIds.length && rows.every((r) => r.state === 'ready') && rows;
      },
      { timeoutMs: 30_000, everyMs: 50 },
    );
    for (const j of jobs) {
      expect(j.attempts).toBe(1);
      expect(j.steps.every((s) => s.state === 'done' && s.attempts === 1)).toBe(true);
    }
    const prefix = a.naming.prefix;
    const dbs = await reg.admin<
      { n: number }[]
    >`select count(*)::int as n from pg_database where datname like ${prefix + '\\_t\\_%'}`;
    const tenants = await reg.admin<{ n: number }[]>`select count(*)::int as n from tenants where status = 'active'`;
    expect(dbs[0]!.n).toBe(tenants[0]!.n);
    for (const s of signups)
      expect((await signInWithPassword(b, { email: s.email, password: s.password }, freshIp())).tenantId).toBe(
        s.tenantId,
      );
  });

  it('40 texts queued on A and two broadcasts (one per instance) go out exactly once, at one shared rate', async () => {
    const singles = await insertMembers(
      a,
      church.tenantId,
      Array.from({ length: 40 }, (_, i) => ({ firstName: `Single${i}` })),
    );
    const choir = await insertMembers(
      a,
      church.tenantId,
      Array.from({ length: 15 }, (_, i) => ({ firstName: `Choir${i}`, tags: ['choir'] })),
    );
    const youth = await insertMembers(
      a,
      church.tenantId,
      Array.from({ length: 15 }, (_, i) => ({ firstName: `Youth${i}`, tags: ['youth'] })),
    );
    const ownerB = await signIn(b, church.email, church.password);
    const callsBefore = fake.calls.length;

    const started = Date.now();
    const queued = await Promise.all(
      singles.map((m, i) => ownerA.caller.messages.send({ memberId: m.id, body: `Single text ${i}` })),
    );
    const [bcA, bcB] = await Promise.all([
      ownerA.caller.broadcasts.create({
        body: 'Choir: rehearsal moved to 7pm',
        audience: { type: 'tag', tag: 'choir' },
      }),
      ownerB.caller.broadcasts.create({
        body: 'Youth: retreat forms due Sunday',
        audience: { type: 'tag', tag: 'youth' },
      }),
    ]);

    const total = singles.length + choir.length + youth.length;
    await until(async () => fake.calls.length - callsBefore >= total, { timeoutMs: 30_000, everyMs: 50 });
    for (const id of [bcA.id, bcB.id]) {
      await until(async () => (await ownerA.caller.broadcasts.get({ id })).state === 'sent', {
        timeoutMs: 10_000,
        everyMs: 50,
      });
    }
    const elapsed = Date.now() - started;
    await sleep(500); // anything sent twice would show up by now
    const calls = fake.calls.slice(callsBefore);

    // Each text once: the singles by their own words, the broadcasts once per member of the audience.
    expect(calls).toHaveLength(total);
    for (const [i, m] of singles.entries())
      expect(
        calls.filter((c) => c.to === m.phone && c.text === `Single text ${i}`),
        `single ${i}`,
      ).toHaveLength(1);
    for (const m of choir)
      expect(calls.filter((c) => c.to === m.phone)).toEqual([
        expect.objectContaining({ text: 'Choir: rehearsal moved to 7pm' }),
      ]);
    for (const m of youth)
      expect(calls.filter((c) => c.to === m.phone)).toEqual([
        expect.objectContaining({ text: 'Youth: retreat forms due Sunday' }),
      ]);

    // The rows agree: every message sent, none twice, broadcasts counted right.
    const rows = await a.connections.withTenant(church.tenantId, (db) =>
      db
        .select()
        .from(messages)
        .where(
          inArray(
            messages.id,
            queued.map((q) => q.id),
          ),
        ),
    );
    expect(rows).toHaveLength(40);
    expect(rows.every((r) => r.status === 'sent' && r.providerMessageId)).toBe(true);
    expect(new Set(rows.map((r) => r.providerMessageId)).size).toBe(40);
    for (const [bc, audience] of [
      [bcA, choir],
      [bcB, youth],
    ] as const) {
      const got = await ownerB.caller.broadcasts.get({ id: bc.id });
      expect(got).toMatchObject({
        state: 'sent',
        recipients: audience.length,
        sent: audience.length,
        failed: 0,
        pending: 0,
      });
      const bRows = await b.connections.withTenant(church.tenantId, (db) =>
        db
          .select()
          .from(messages)
          .where(and(eq(messages.broadcastId, bc.id))),
      );
      expect(bRows).toHaveLength(audience.length);
      expect(bRows.every((r) => r.status === 'sent')).toBe(true);
    }

    // Both workers took part (the queue really was shared), and still nothing ran twice.
    const singleTexts = new Set(singles.map((m, i) => `${m.phone}|Single text ${i}`));
    const byWorker = { A: 0, B: 0 };
    for (const [key, tag] of sentBy) if (singleTexts.has(key)) byWorker[tag]++;
    expect(byWorker.A + byWorker.B).toBe(40);
    expect(byWorker.A, JSON.stringify(byWorker)).toBeGreaterThan(0);
    expect(byWorker.B, JSON.stringify(byWorker)).toBeGreaterThan(0);

    // One rate for the church, not one per worker: 70 texts at 10 a second take about 7 seconds, not 3.5.
    expect(elapsed).toBeGreaterThanOrEqual((total / RATE - 1.5) * 1_000);
    const times = calls.map((c) => c.at).sort((x, y) => x - y);
    let maxPerSecond = 0;
    for (let i = 0, j = 0; i < times.length; i++) {
      while (times[i]! - times[j]! >= 1_000) j++;
      maxPerSecond = Math.max(maxPerSecond, i - j + 1);
    }
    // A fixed one-second window allows at most twice the rate in any sliding second.
    expect(maxPerSecond).toBeLessThanOrEqual(2 * RATE);

    // No send job is left behind on either side.
    const left = await reg.admin`
      select 1 from graphile_worker.jobs j where j.task_identifier in ('send_message', 'run_broadcast')`;
    expect(left).toHaveLength(0);
  });
});
