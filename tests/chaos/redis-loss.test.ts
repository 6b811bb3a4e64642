import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inArray } from 'drizzle-orm';
import { messages } from '@/db/tenant/schema';
import { SigninError, signInWithPassword } from '@/server/auth/signin';
import { health } from '@/server/health';
import { startWorker } from '@/server/jobs/worker';
import type { Services } from '@/server/services';
import { freshIp, provisionChurch, RedisServer, signIn, type Church, type SignedInClient } from '../support/accounts';
import { sleep, until } from '../support/harness';
import { readyNumber, FakeProvider, insertMembers } from '../support/messaging';
import { personNumber, postSigned, received } from '../support/webhooks';
import {
  chaosFrame,
  chaosRegistry,
  drive,
  outcomeOf,
  pageQuery,
  phaseClock,
  startPrivatePg,
  tally,
  teardown,
  type ChaosRegistry,
  type Outcome,
  type PageQuery,
  type PrivatePg,
} from './support';

/**
 * Chaos 1: Redis is SIGKILLed while requests, sign-ins, sends and webhooks keep coming, then restarted on the same
 * port. Redis is an accelerator only: nothing may fail, throttling must hold on the PostgreSQL fallback, the same
 * services object must find Redis again by itself, and every message written during the run exists exactly once.
 */

const RATE = 5; // SENDS_PER_SECOND_PER_CHURCH
const FAILURES_PER_EMAIL = 3;
const BURST = 15; // sends queued at once at the start of each phase: three seconds' worth at RATE

type Phase = 'up' | 'killing' | 'down' | 'restarting' | 'back' | 'done';
const STEADY: Phase[] = ['up', 'down', 'back'];

describe('chaos: Redis killed mid-load, then restarted', () => {
  let pg: PrivatePg | undefined;
  let redis: RedisServer | undefined;
  let reg: ChaosRegistry | undefined;
  let services: Services;
  let worker: Awaited<ReturnType<typeof startWorker>> | undefined;
  let church: Church;
  let owner: SignedInClient;
  let churchNumber: string;
  let memberIds: string[] = [];
  const fake = new FakeProvider();
  const frame = chaosFrame();

  beforeAll(async () => {
    frame.begin();
    redis = await RedisServer.start();
    pg = await startPrivatePg('chaos-redis-pg');
    // The probes below fail one account again and again from fresh addresses: the account-wide lockout (tested in
    // tests/hardening.test.ts) is set out of their way, so what they measure is the per-address lockout.
    reg = await chaosRegistry(
      pg,
      {
        REDIS_URL: redis.url,
        SENDS_PER_SECOND_PER_CHURCH: String(RATE),
        SIGNIN_FAILURES_PER_EMAIL: String(FAILURES_PER_EMAIL),
        SIGNIN_FAILURES_PER_ACCOUNT: '10000',
      },
      fake,
    );
    services = reg.services;
    await until(async () => services.redis.state === 'ok', { timeoutMs: 10_000 });
    await services.sessions.start();
    // Provisioned here, before any worker runs.
    church = await provisionChurch(services, { churchName: 'Redis Loss Chapel' });
    worker = await startWorker(services);
    owner = await signIn(services, church.email, church.password);
    churchNumber = await readyNumber(services, owner);
    memberIds = (
      await insertMembers(
        services,
        church.tenantId,
        Array.from({ length: 3 * BURST }, (_, i) => ({ firstName: `Member${i}` })),
      )
    ).map((m) => m.id);
    frame.captureLogs();
  });

  afterAll(() => frame.end(teardown({ worker, reg, redis, pg })));

  it('keeps serving on the PostgreSQL fallbacks, recovers by itself, and loses or doubles nothing', async () => {
    const clock = phaseClock<Phase>('up');
    const phaseStarted = clock.startedAt;
    const calls: (Outcome & { phase: Phase; what: string })[] = [];
    const sends: { id: string; body: string; phase: Phase }[] = [];
    const sendFailures: (Outcome & { phase: Phase })[] = [];
    const hooks: { id: string; status: number; phase: Phase }[] = [];
    type Probe = { from: Phase; to: Phase; ip: string; wrong: string[]; final: string; fresh: 'ok' | string };
    const probes: Probe[] = [];
    const states: { phase: Phase; state: string }[] = [];

    // 1. Signed-in procedure calls, each first reading the session as the route handler does.
    const queries: PageQuery[] = ['account.me', 'members.list', 'conversations.list', 'broadcasts.list'];
    const callLoad = drive(
      2,
      () => clock.done,
      async (loop, i) => {
        const what = queries[(loop + i) % 4]!;
        const startedIn = clock.now;
        const o = await outcomeOf(pageQuery(services, owner.cookie, what));
        calls.push({ ...o, phase: startedIn, what });
      },
    );

    // 2. Sign-in throttling, probed again and again: FAILURES_PER_EMAIL wrong passwords from one address, then the
    //    right one must be refused; a right password from a fresh address must work.
    const probeLoad = drive(
      1,
      () => clock.done,
      async () => {
        const from = clock.now;
        const ip = freshIp();
        const attempt = (password: string, at = ip) =>
          signInWithPassword(services, { email: church.email, password }, at).then(
            () => 'ok',
            (err: unknown) => (SigninError.is(err) ? err.message : `unexpected: ${String(err)}`),
          );
        const wrong: string[] = [];
        for (let k = 0; k < FAILURES_PER_EMAIL; k++) wrong.push(await attempt('not the password'));
        const final = await attempt(church.password);
        const fresh = await attempt(church.password, freshIp());
        probes.push({ from, to: clock.now, ip, wrong, final, fresh });
      },
    );

    // 3. Inbound texts (they do not need Redis, and must not notice it either).
    let hookSeq = 0;
    const hookLoad = drive(
      1,
      () => clock.done,
      async () => {
        const m = received(personNumber(++hookSeq), churchNumber, `inbound ${hookSeq}`);
        const p = clock.now;
        const res = await postSigned(services, m.body);
        hooks.push({ id: m.id, status: res.status, phase: p });
      },
      50,
    );

    // 4. Outbound: a burst at the start of each steady phase, more than the send rate allows at once.
    let sendSeq = 0;
    const burst = async () => {
      const p = clock.now;
      await Promise.all(
        Array.from({ length: BURST }, async () => {
          const n = sendSeq++;
          const body = `chaos send ${n} (${p})`;
          let id = '';
          const o = await outcomeOf(
            owner.caller.messages.send({ memberId: memberIds[n % memberIds.length]!, body }).then((m) => {
              id = m.id;
            }),
          );
          if (o.ok) sends.push({ id, body, phase: p });
          else sendFailures.push({ ...o, phase: p });
        }),
      );
    };

    const snapshot = async () => states.push({ phase: clock.now, state: (await health(services)).redis });

    try {
      await burst();
      await snapshot();
      await sleep(2_500);

      // Kill Redis abruptly while everything above keeps running.
      clock.enter('killing');
      await redis!.kill();
      await until(async () => services.redis.state === 'degraded', { timeoutMs: 5_000, everyMs: 10 });
      clock.enter('down');
      await snapshot();
      await burst();
      await sleep(4_000);
      await snapshot();

      // Same port, same services object: it must notice by itself.
      clock.enter('restarting');
      await redis!.start();
      await until(async () => services.redis.state === 'ok', { timeoutMs: 30_000, everyMs: 20 });
      clock.enter('back');
      await snapshot();
      await burst();
      // Long enough for throttle probes that ran wholly against the restarted Redis.
      await until(async () => probes.some((p) => p.from === 'back' && p.to === 'back'), {
        timeoutMs: 15_000,
        everyMs: 50,
      });
      await sleep(1_000);
    } finally {
      await clock.finish(callLoad, probeLoad, hookLoad);
    }

    // Every send is delivered to the provider before we count.
    const ids = sends.map((s) => s.id);
    await until(
      async () => {
        const rows = await services.connections.withTenant(church.tenantId, (db) =>
          db.select({ status: messages.status }).from(messages).where(inArray(messages.id, ids)),
        );
        return rows.length === ids.length && rows.every((r) => r.status !== 'queued' && r.status !== 'sending');
      },
      { timeoutMs: 60_000, everyMs: 200 },
    );

    const summary = {
      phaseStartsMs: clock.offsets(),
      calls: tally(calls),
      probes: probes.map((p) => `${p.from}->${p.to}: ${p.final === 'ok' ? 'NOT LOCKED' : 'locked'}`),
      sends: sends.length,
      hooks: hooks.length,
      states,
    };
    console.log('[chaos redis]', JSON.stringify(summary));

    // Redis state as reported by health: ok → degraded → ok, on the one services object.
    expect(states.filter((s) => s.phase === 'up').map((s) => s.state)).toEqual(['ok']);
    expect(states.filter((s) => s.phase === 'down').map((s) => s.state)).toEqual(['degraded', 'degraded']);
    expect(states.filter((s) => s.phase === 'back').map((s) => s.state)).toEqual(['ok']);
    expect((await health(services)).status).toBe('ok');

    // Requests kept succeeding in every phase, including the moment of the kill and of the restart.
    expect(
      calls.filter((c) => !c.ok),
      'failed calls',
    ).toEqual([]);
    for (const p of STEADY) expect(calls.filter((c) => c.phase === p).length, `calls in ${p}`).toBeGreaterThan(5);
    expect(calls.filter((c) => c.phase === 'killing' || c.phase === 'restarting').every((c) => c.ok)).toBe(true);

    // Throttling held in every phase: each complete probe was locked after FAILURES_PER_EMAIL failures; the right
    // password from another address still signed in.
    for (const p of probes) {
      expect(p.wrong).toEqual(Array(FAILURES_PER_EMAIL).fill('Email or password is incorrect.'));
      expect(p.fresh).toBe('ok');
      // A probe that straddled a switch may end either way.
      if (p.from === p.to) expect(p.final, `probe in ${p.from}`).toMatch(/^Too many attempts\./);
      else expect(['ok', 'Too many attempts']).toContain(p.final === 'ok' ? 'ok' : p.final.slice(0, 17));
    }
    for (const p of STEADY)
      expect(probes.filter((x) => x.from === p && x.to === p).length, `complete probes in ${p}`).toBeGreaterThan(0);
    // ...and the counters really were where they should be: the registry's rate_limits while Redis was down, Redis
    // (and not the registry) once it was back.
    const counterKey = (p: Probe) => `signin_email_ip:${church.email}|${p.ip}`;
    for (const p of probes.filter((x) => x.from === 'down' && x.to === 'down')) {
      const [row] = await reg!.registryAdmin<
        { points: number }[]
      >`select points from rate_limits where key = ${counterKey(p)}`;
      expect(row?.points, 'PostgreSQL counted the failures while Redis was down').toBeGreaterThanOrEqual(
        FAILURES_PER_EMAIL,
      );
    }
    for (const p of probes.filter((x) => x.from === 'back' && x.to === 'back')) {
      expect(await redis!.keys(counterKey(p)), 'Redis counts again once back').toHaveLength(1);
      expect(await reg!.registryAdmin`select 1 from rate_limits where key = ${counterKey(p)}`).toHaveLength(0);
    }

    // Nothing lost, nothing twice: every queued text exists once and was handed to the provider once.
    expect(sendFailures).toEqual([]);
    expect(sends).toHaveLength(3 * BURST);
    const rows = await services.connections.withTenant(church.tenantId, (db) =>
      db.select().from(messages).where(inArray(messages.id, ids)),
    );
    expect(rows).toHaveLength(ids.length);
    expect(rows.every((r) => r.status === 'sent')).toBe(true);
    for (const s of sends)
      expect(
        fake.calls.filter((c) => c.text === s.body),
        s.body,
      ).toHaveLength(1);
    const outbound = await services.connections.withTenant(church.tenantId, (db) =>
      db.$count(messages, inArray(messages.direction, ['outbound'])),
    );
    expect(outbound).toBe(ids.length);

    // The per-church rate held while Redis was down (a fixed 1 s window allows at most 2×RATE in any sliding second).
    const downFrom = phaseStarted.down!;
    const downTo = phaseStarted.restarting!;
    const inDown = fake.calls.filter((c) => c.at >= downFrom && c.at < downTo).map((c) => c.at);
    expect(maxInWindow(inDown, 1_000)).toBeLessThanOrEqual(2 * RATE);
    expect(inDown.length).toBeGreaterThan(0);
    // And overall: 45 texts at 5 a second cannot have gone out in much under 9 seconds.
    const at = fake.calls.map((c) => c.at).sort((a, b) => a - b);
    expect(at.at(-1)! - at[0]!).toBeGreaterThanOrEqual(((3 * BURST) / RATE - 2) * 1_000);

    // Every inbound text answered 200 and stored exactly once.
    expect(hooks.filter((h) => h.status !== 200)).toEqual([]);
    const stored = await services.connections.withTenant(church.tenantId, (db) =>
      db
        .select({ providerMessageId: messages.providerMessageId })
        .from(messages)
        .where(
          inArray(
            messages.providerMessageId,
            hooks.map((h) => h.id),
          ),
        ),
    );
    expect(stored).toHaveLength(hooks.length);
    expect(new Set(stored.map((s) => s.providerMessageId)).size).toBe(hooks.length);

    // No unhandled errors, no error-level log lines.
    expect(frame.unhandled.errors).toEqual([]);
    expect(frame.logs!.errors().map((l) => l.msg)).toEqual([]);
  });
});

function maxInWindow(times: number[], windowMs: number) {
  const t = [...times].sort((a, b) => a - b);
  let best = 0;
  for (let i = 0, j = 0; i < t.length; i++) {
    while (t[i]! - t[j]! >= windowMs) j++;
    best = Math.max(best, i - j + 1);
  }
  return best;
}
