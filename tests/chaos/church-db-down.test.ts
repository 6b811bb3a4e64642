import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
  type ChaosRegistry,
  type PageQuery,
  type Workspace,
} from './support';

/**
 * Chaos 4: one church's database stops accepting connections (ALLOW_CONNECTIONS false, its sessions terminated) while
 * every church keeps being used. Only that church may notice: its calls fail fast and cleanly (SERVICE_UNAVAILABLE or
 * another non-500 answer, no internals); its webhooks are still answered 200 at once, kept in the registry; the other
 * churches see nothing. Once its database accepts connections again it is served again, and the texts that waited
 * reach it by its drain job, each stored once, without Telnyx having to send anything again.
 */

const FAST_MS = 3_000;
const BROKEN_MS = 4_000;
const RECOVERY_MS = 15_000;

type Phase = 'up' | 'breaking' | 'broken' | 'healing' | 'healed' | 'done';

describe('chaos: one church database unreachable', () => {
  const fake = new FakeProvider();
  // The registry stays up here: a roomier deadline than the restart test's, so a busy machine never trips it.
  const test = loadTestFrame({
    pgName: 'chaos-tenant-pg',
    env: { REGISTRY_TIMEOUT_MS: '1000', SENDS_PER_SECOND_PER_CHURCH: '50' },
    provider: fake,
    churches: ['Unreachable Chapel', 'Steady Chapel', 'Calm Chapel'],
    members: 10,
  });
  const { frame } = test;
  let reg: ChaosRegistry;
  let services: Services;
  let ws: Workspace[];
  let brokenDb = '';

  beforeAll(async () => {
    ({ reg, services, ws } = await test.start());
    const [row] = await reg.registryAdmin<
      { db_name: string }[]
    >`select db_name from tenants where id = ${ws[0]!.church.tenantId}`;
    brokenDb = row!.db_name;
  });

  afterAll(() =>
    test.stop([
      [
        'allow connections',
        reg && brokenDb ? () => reg.admin.unsafe(`alter database "${brokenDb}" allow_connections true`) : undefined,
      ],
    ]),
  );

  it('only that church fails (fast, clean); its texts are kept (200) and arrive once when it recovers', async () => {
    const clock = phaseClock<Phase>('up');
    const at = clock.startedAt;
    // Two loops per church, so a slow answer for the broken church never holds the others up.
    const queries: PageQuery[] = ['church.profile', 'members.list', 'account.me', 'conversations.list'];
    const load = mixedLoad(services, ws, clock, {
      calls: { loops: 6, pick: (loop, i) => ({ church: loop % ws.length, what: queries[i % 4]! }) },
      hookPauseMs: 30,
      send: { label: 'church-down send', pauseMs: 100 },
    });
    const { calls, hooks, sends } = load;

    let recoveredAt: number | null = null;
    try {
      await sleep(1_500);
      clock.enter('breaking');
      await reg.admin.unsafe(`alter database "${brokenDb}" allow_connections false`);
      await reg.admin`select pg_terminate_backend(pid) from pg_stat_activity where datname = ${brokenDb}`;
      clock.enter('broken');
      await sleep(BROKEN_MS);
      clock.enter('healing');
      await reg.admin.unsafe(`alter database "${brokenDb}" allow_connections true`);
      clock.enter('healed');
      recoveredAt = await servedAgainAt(
        RECOVERY_MS,
        () => calls.filter((c) => c.church === 0 && c.at >= at.healed! && c.ok).length >= 3,
      );
      await sleep(1_000);
    } finally {
      await load.finish();
    }

    // Nothing was refused, so Telnyx has nothing to deliver again.
    const { refused, retried } = await redeliverRefused(services, hooks);

    const byChurch = (n: number) => calls.filter((c) => c.church === n);
    console.log(
      '[chaos church-db]',
      JSON.stringify({
        phaseStartsMs: clock.offsets(),
        broken: tally(byChurch(0)),
        others: tally([...byChurch(1), ...byChurch(2)]),
        slowestFailureMs: Math.max(0, ...calls.filter((c) => !c.ok).map((c) => c.ms)),
        hooks: {
          total: hooks.length,
          refusedByChurch: [0, 1, 2].map((n) => refused.filter((h) => h.church === n).length),
          retried,
          slowestMs: Math.max(0, ...hooks.map((h) => h.ms)),
        },
        sends: [0, 1, 2].map((n) => tally(sends.filter((s) => s.church === n).map((s) => s.outcome))),
        recoveryMs: recoveredAt && recoveredAt - at.healed!,
        failures: [
          ...new Set(calls.filter((c) => !c.ok).map((c) => `${c.church}/${c.phase}/${c.code}/${c.message}`)),
        ].slice(0, 10),
      }),
    );

    // The other churches saw nothing: every call, send and webhook succeeded throughout.
    expect(
      [...byChurch(1), ...byChurch(2)].filter((c) => !c.ok).map((c) => `${c.church} ${c.phase} ${c.what}: ${c.code}`),
    ).toEqual([]);
    expect([...byChurch(1), ...byChurch(2)].filter((c) => c.phase === 'broken').length).toBeGreaterThan(10);
    expect(sends.filter((s) => s.church !== 0 && !s.outcome.ok).map((s) => `${s.church}: ${s.outcome.code}`)).toEqual(
      [],
    );
    expect(hooks.filter((h) => h.church !== 0 && h.status !== 200)).toEqual([]);

    // The unreachable church: while it was down every call failed, fast, cleanly (never a 500, never a hang).
    const down = byChurch(0).filter((c) => c.phase === 'broken' && c.endPhase === 'broken');
    expect(down.length).toBeGreaterThan(3);
    expect(down.filter((c) => c.ok)).toEqual([]);
    expectFailedCleanly(
      byChurch(0).filter((c) => !c.ok),
      FAST_MS,
      { label: '500s', is: (c) => c.code === 'INTERNAL_SERVER_ERROR' || !!c.code?.startsWith('thrown:') },
    );
    expect(
      sends.filter(
        (s) => s.church === 0 && !s.outcome.ok && (s.outcome.code === 'INTERNAL_SERVER_ERROR' || s.outcome.hung),
      ),
    ).toEqual([]);

    // Its webhooks were answered 200 at once (kept in the registry), never 503, 500 or a hang.
    const brokenHooks = hooks.filter((h) => h.church === 0 && h.phase === 'broken' && h.endPhase === 'broken');
    expect(brokenHooks.length).toBeGreaterThan(0);
    expect(hooks.filter((h) => h.status !== 200).map((h) => `${h.church} ${h.phase}: ${h.status}`)).toEqual([]);
    expect(
      hooks
        .filter((h) => h.ms >= FAST_MS)
        .map((h) => `${h.church} ${h.phase}>${h.endPhase}: ${h.status} in ${h.ms} ms`),
      'slow webhooks',
    ).toEqual([]);

    // It recovered, on the same services, and everything since has worked.
    expect(recoveredAt, `served again within ${RECOVERY_MS} ms of ALLOW_CONNECTIONS true`).not.toBeNull();
    expect(
      byChurch(0)
        .filter((c) => c.at >= recoveredAt! && !c.ok)
        .map((c) => `${c.what}: ${c.code}`),
    ).toEqual([]);
    expect(retried).toEqual([]);
    // The texts that waited reach it by its drain job (which retries at most a minute apart), each once.
    await expectInboundStoredOnce(services, ws, hooks, 75_000);
    expect(await services.messaging.inbound.stats()).toMatchObject({ pending: 0 });

    // Accepted sends are all sent exactly once (the healthy churches' during the outage too).
    await expectSentOnce(fake, sends, 30_000, 300);

    expect(frame.unhandled.errors).toEqual([]);
  });
});
