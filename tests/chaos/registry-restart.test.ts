import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inArray } from 'drizzle-orm';
import { messages } from '@/db/tenant/schema';
import { readSession } from '@/server/auth/session';
import { health } from '@/server/health';
import type { Services } from '@/server/services';
import { sleep } from '../support/harness';
import { FakeProvider } from '../support/messaging';
import {
  expectFailedCleanly,
  expectInboundStoredOnce,
  expectSentOnce,
  loadTestFrame,
  mixedLoad,
  phaseClock,
  redeliverRefused,
  servedAgainAt,
  tally,
  type PageQuery,
  type Workspace,
} from './support';

/**
 * Chaos 2: the PostgreSQL server holding the registry (and the churches' databases) is stopped mid-load and started
 * again on the same port a few seconds later. While it is down every call must fail fast with SERVICE_UNAVAILABLE
 * (never a 500, never a hang) and every webhook must be answered 503; afterwards the same services object must serve
 * again by itself, and the 503'd webhooks, delivered again, must each be stored exactly once.
 */

const REGISTRY_TIMEOUT_MS = 500;
const FAST_MS = 3_000; // REGISTRY_TIMEOUT_MS plus a generous margin
const OUTAGE_MS = 3_000;
const RECOVERY_MS = 15_000; // after the restart, both churches must be served again within this

type Phase = 'up' | 'stopping' | 'down' | 'starting' | 'back' | 'done';

describe('chaos: the registry PostgreSQL restarted mid-load', () => {
  const fake = new FakeProvider();
  const test = loadTestFrame({
    pgName: 'chaos-registry-pg',
    env: { REGISTRY_TIMEOUT_MS: String(REGISTRY_TIMEOUT_MS), SENDS_PER_SECOND_PER_CHURCH: '50' },
    provider: fake,
    churches: ['Restart Chapel North', 'Restart Chapel South'],
    members: 20,
  });
  const { frame } = test;
  let services: Services;
  let workspaces: Workspace[];

  beforeAll(async () => {
    ({ services, ws: workspaces } = await test.start());
  });

  afterAll(() => test.stop());

  it('fails fast (SERVICE_UNAVAILABLE, 503) while down; recovers on the same services, nothing lost', async () => {
    const original = services;
    const clock = phaseClock<Phase>('up');
    const startedAt = clock.startedAt;
    const queries: PageQuery[] = ['church.profile', 'members.list', 'account.me'];
    const load = mixedLoad(services, workspaces, clock, {
      calls: { loops: 2, pick: (loop, i) => ({ church: (loop + i) % workspaces.length, what: queries[i % 3]! }) },
      hookPauseMs: 40,
      send: { label: 'restart send', pauseMs: 150 },
    });
    const { calls, hooks, sends } = load;

    let recoveredAt: number | null = null;
    try {
      await sleep(2_000);
      clock.enter('stopping');
      await test.state.pg!.stop();
      clock.enter('down');
      await sleep(OUTAGE_MS);
      clock.enter('starting');
      await test.state.pg!.start();
      clock.enter('back');
      // Serving again: both churches answer, through the same services object.
      recoveredAt = await servedAgainAt(RECOVERY_MS, () => {
        const recent = calls.filter((c) => c.at >= startedAt.back!);
        return workspaces.every((_, n) => recent.filter((c) => c.church === n && c.ok).length >= 3);
      });
      await sleep(1_500);
    } finally {
      await load.finish();
    }

    // Telnyx delivers the 503'd events again (each re-signed, as a real retry is): every one must now be stored.
    const { refused, retried } = await redeliverRefused(services, hooks);

    const summary = {
      phaseStartsMs: clock.offsets(),
      callsByPhase: Object.fromEntries(
        (['up', 'stopping', 'down', 'starting', 'back'] as Phase[]).map((p) => [
          p,
          tally(calls.filter((c) => c.phase === p)),
        ]),
      ),
      slowestFailureMs: Math.max(0, ...calls.filter((c) => !c.ok).map((c) => c.ms)),
      hooks: { total: hooks.length, refused: refused.length, statuses: [...new Set(hooks.map((h) => h.status))] },
      sends: tally(sends.map((s) => s.outcome)),
      recoveryMs: recoveredAt && recoveredAt - startedAt.back!,
      retried: tally(retried.map((r) => ({ ok: r === 200, code: String(r), ms: 0, at: 0 }))),
      failures: [...new Set(calls.filter((c) => !c.ok).map((c) => `${c.phase}/${c.code}/${c.message}`))].slice(0, 12),
    };
    console.log('[chaos registry]', JSON.stringify(summary));

    expect(recoveredAt, `both churches served again within ${RECOVERY_MS} ms of the restart`).not.toBeNull();

    // The outage was real, and while it lasted every call failed fast, as SERVICE_UNAVAILABLE, without internals.
    const downCalls = calls.filter((c) => c.phase === 'down' && c.endPhase === 'down');
    expect(downCalls.length).toBeGreaterThan(5);
    expect(downCalls.filter((c) => c.ok)).toEqual([]);
    expectFailedCleanly(
      calls.filter((c) => !c.ok),
      FAST_MS,
      { label: 'failures other than SERVICE_UNAVAILABLE', is: (c) => c.code !== 'SERVICE_UNAVAILABLE' },
    );
    // Before the outage everything worked; after recovery everything works again.
    expect(calls.filter((c) => c.phase === 'up' && c.endPhase === 'up' && !c.ok)).toEqual([]);
    expect(calls.filter((c) => c.at >= recoveredAt! && !c.ok).map((c) => `${c.what}: ${c.code} ${c.message}`)).toEqual(
      [],
    );
    expect(services).toBe(original);
    expect((await health(services)).status).toBe('ok');
    for (const w of workspaces) expect(await readSession(services, w.owner.cookie)).not.toBeNull();

    // Webhooks: 200 or 503, nothing else (never a 500, never a hang); 503 while down; all 200 on delivery again.
    expect(hooks.filter((h) => h.status !== 200 && h.status !== 503)).toEqual([]);
    const downHooks = hooks.filter((h) => h.phase === 'down' && h.endPhase === 'down');
    expect(downHooks.length).toBeGreaterThan(0);
    expect(downHooks.filter((h) => h.status !== 503)).toEqual([]);
    expect(retried.filter((s) => s !== 200)).toEqual([]);
    // A text kept just before the registry went (its delivery cut short) reaches its church by the drain.
    await expectInboundStoredOnce(services, workspaces, hooks, 75_000);

    // Outbound: every send that was accepted is sent exactly once; one refused mid-outage is sent at most once.
    const accepted = sends.filter((s) => s.outcome.ok);
    expect(
      sends
        .filter((s) => !s.outcome.ok && s.outcome.code !== 'SERVICE_UNAVAILABLE')
        .map((s) => `${s.phase}: ${s.outcome.code} ${s.outcome.message}`),
    ).toEqual([]);
    await expectSentOnce(fake, sends, 45_000, 500);
    for (const [n, w] of workspaces.entries()) {
      const bodies = sends.filter((s) => s.church === n).map((s) => s.body);
      const rows = await services.connections.withTenant(w.church.tenantId, (db) =>
        db.select({ body: messages.body }).from(messages).where(inArray(messages.body, bodies)),
      );
      expect(rows.length).toBe(new Set(rows.map((r) => r.body)).size); // no message row twice
      expect(rows.length).toBeGreaterThanOrEqual(accepted.filter((s) => s.church === n).length);
    }

    expect(frame.unhandled.errors).toEqual([]);
  });
});
