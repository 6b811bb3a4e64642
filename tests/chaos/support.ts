import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { TRPCError } from '@trpc/server';
import { inArray } from 'drizzle-orm';
import postgres from 'postgres';
import { expect } from 'vitest';
import { messages } from '@/db/tenant/schema';
import { startEmbeddedPostgres } from '@/scripts/embedded-pg';
import { readSession } from '@/server/auth/session';
import { loadConfig } from '@/server/config';
import { startWorker } from '@/server/jobs/worker';
import type { MessagingProvider } from '@/server/messaging/provider';
import { createServices, type Services } from '@/server/services';
import { prepareDatabases } from '@/server/tenancy/setup';
import { withDatabase } from '@/server/tenancy/urls';
import { caller, freePort, provisionChurch, signIn, type Church, type SignedInClient } from '../support/accounts';
import { sleep, testSecretKey, testSecrets, until } from '../support/harness';
import { readyNumber, insertMembers, type FakeProvider } from '../support/messaging';
import { personNumber, postSigned, received } from '../support/webhooks';

/**
 * Failure tests bring up (and break) processes of their own: an embedded PostgreSQL under .data/<name>-<pid>, a
 * redis-server, worker processes. Nothing here touches the machine's shared PostgreSQL or Redis. Every helper that
 * starts something returns a way to end it, and tests end everything in afterAll even when they fail.
 */

const DATA = path.resolve('.data');

/** Data directories a crashed run left behind (no live postmaster, untouched for 10 minutes). Never a live one. */
function sweepStaleDirs() {
  if (!existsSync(DATA)) return;
  for (const entry of readdirSync(DATA)) {
    if (!/^chaos-[a-z-]+-pg-\d+$/.test(entry)) continue;
    const dir = path.join(DATA, entry);
    try {
      if (Date.now() - statSync(dir).mtimeMs < 10 * 60_000) continue;
      const pidFile = path.join(dir, 'postmaster.pid');
      if (existsSync(pidFile)) {
        const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
        if (pid > 0 && isAlive(pid)) continue;
      }
      rmSync(dir, { recursive: true, force: true });
      rmSync(`${dir}.password`, { force: true });
    } catch {
      /* another run's business */
    }
  }
}

function isAlive(pid: number) {
  try {
    return process.kill(pid, 0);
  } catch {
    return false;
  }
}

export type PrivatePg = Awaited<ReturnType<typeof startPrivatePg>>;

/**
 * A private embedded PostgreSQL server (its own data dir and port), which a test may stop and start again on the
 * same port. `destroy` stops it and removes its data: call it in afterAll.
 */
export async function startPrivatePg(name: string) {
  sweepStaleDirs();
  const dirName = `${name}-${process.pid}`;
  const dir = path.join(DATA, dirName);
  rmSync(dir, { recursive: true, force: true });
  let server = await startEmbeddedPostgres(dirName, await freePort());
  let running = true;
  const port = server.port;
  const url = server.url; // no database: withDatabase() picks one
  return {
    port,
    url,
    dbUrl: (database: string) => withDatabase(url, database),
    get running() {
      return running;
    },
    /** Fast shutdown (SIGINT): sessions are terminated, the port closes. Resolves once the server has exited. */
    async stop() {
      if (!running) return;
      running = false;
      await server.stop();
    },
    /** Start again, on the same port (refuses to go elsewhere: clients hold this port in their URLs). */
    async start() {
      if (running) return;
      const again = await startEmbeddedPostgres(dirName, port);
      if (again.port !== port) {
        await again.stop();
        throw new Error(`port ${port} was taken while PostgreSQL was down`);
      }
      server = again;
      running = true;
    },
    async destroy() {
      await this.stop().catch(() => {});
      rmSync(dir, { recursive: true, force: true });
      rmSync(`${dir}.password`, { force: true });
    },
  };
}

/**
 * A registry on a private server, migrated and ready, and services over it. `servicesWith` builds more instances over
 * the same registry (closed by `close`). `admin` is the privileged user on the server's `postgres` database.
 */
export async function chaosRegistry(pg: PrivatePg, env: Record<string, string> = {}, provider?: MessagingProvider) {
  const name = `stp_chaos_${randomBytes(4).toString('hex')}`;
  const url = pg.dbUrl(name);
  await prepareDatabases(url, { secretKey: testSecretKey });
  const all: Services[] = [];
  const build = (moreEnv: Record<string, string> = {}, p = provider) => {
    const s = createServices(
      loadConfig({ DATABASE_URL: url, ...testSecrets, LOG_LEVEL: 'error', ...env, ...moreEnv }),
      p ? { provider: p } : {},
    );
    all.push(s);
    return s;
  };
  const services = build();
  const admin = postgres(pg.dbUrl('postgres'), { max: 3, onnotice: () => {}, connect_timeout: 3 });
  const registryAdmin = postgres(url, { max: 3, onnotice: () => {}, connect_timeout: 3 });
  return {
    name,
    url,
    services,
    admin,
    registryAdmin,
    servicesWith: build,
    async close() {
      await Promise.all(all.map((s) => s.close().catch(() => {})));
      await admin.end({ timeout: 1 }).catch(() => {});
      await registryAdmin.end({ timeout: 1 }).catch(() => {});
    },
  };
}
export type ChaosRegistry = Awaited<ReturnType<typeof chaosRegistry>>;

/**
 * Run cleanup steps in order, each bounded by `ms`: a step that hangs (a pool stuck on a dead server, a worker
 * waiting for a job that never ends) must not keep the later steps — stopping servers, removing data — from running.
 */
export type CleanupStep = [string, (() => Promise<unknown>) | undefined];
export async function cleanup(steps: CleanupStep[], ms = 10_000) {
  const problems: string[] = [];
  for (const [name, step] of steps) {
    if (!step) continue;
    let timer: NodeJS.Timeout | undefined;
    const outcome = await Promise.race([
      step().then(
        () => 'ok',
        (err: unknown) => `failed: ${String(err)}`,
      ),
      new Promise<string>((resolve) => {
        timer = setTimeout(resolve, ms, `did not finish within ${ms} ms`);
      }),
    ]);
    clearTimeout(timer);
    if (outcome !== 'ok') problems.push(`${name} ${outcome}`);
  }
  if (problems.length) console.warn(`[chaos cleanup] ${problems.join('; ')}`);
}

// ------------------------------------------------------------------------------------------------
// Outcomes: every call is timed, guarded against hanging, and reduced to what the caller would see.
// ------------------------------------------------------------------------------------------------

export type Outcome = { ok: boolean; ms: number; code?: string; message?: string; at: number; hung?: boolean };

/** Settle `p` (at most `hangMs`), timed. A call still pending after `hangMs` is recorded as hung. */
export async function outcomeOf(p: Promise<unknown>, hangMs = 10_000): Promise<Outcome> {
  const at = Date.now();
  let guard: NodeJS.Timeout | undefined;
  const hang = new Promise<'hung'>((resolve) => {
    guard = setTimeout(() => resolve('hung'), hangMs);
  });
  try {
    const settled = await Promise.race([
      p.then(
        () => ({ ok: true }) as const,
        (err: unknown) => ({ ok: false, err }) as const,
      ),
      hang,
    ]);
    const ms = Date.now() - at;
    if (settled === 'hung') return { ok: false, ms, at, hung: true, code: 'HUNG' };
    if (settled.ok) return { ok: true, ms, at };
    const err = settled.err as { code?: string; message?: string };
    return {
      ok: false,
      ms,
      at,
      code: err instanceof TRPCError ? err.code : `thrown:${err?.constructor?.name ?? typeof err}:${err?.code ?? ''}`,
      message: err?.message,
    };
  } finally {
    clearTimeout(guard);
  }
}

/** Words that must never reach a caller: database names, hosts, drivers, SQL. */
export const INTERNALS = new RegExp(
  String.raw`stp_|postgres|127\.0\.0\.1|localhost|ECONN|\b\d{4,5}\b|stack|` +
    String.raw`select |insert |update |database "|relation|tenant_|_t_[0-9a-f]`,
  'i',
);

/** Count outcomes by code ('ok' for successes). */
export function tally(outcomes: Outcome[]) {
  const counts: Record<string, number> = {};
  for (const o of outcomes) counts[o.ok ? 'ok' : o.code!] = (counts[o.ok ? 'ok' : o.code!] ?? 0) + 1;
  return counts;
}

/**
 * Run `task` from `concurrency` loops until `stop()` says so; each loop waits `pauseMs` between calls. Returns the
 * promise of all loops ending (await it after flipping the stop condition).
 */
export function drive(
  concurrency: number,
  stop: () => boolean,
  task: (loop: number, i: number) => Promise<void>,
  pauseMs = 20,
) {
  return Promise.all(
    Array.from({ length: concurrency }, async (_, loop) => {
      for (let i = 0; !stop(); i++) {
        await task(loop, i);
        await sleep(pauseMs);
      }
    }),
  );
}

// ------------------------------------------------------------------------------------------------
// Log lines: the server logs one JSON object per line to stdout. Failure tests make many on purpose (every refused
// request, every reconnect), so they are kept for assertions and not echoed; anything else passes through.
// ------------------------------------------------------------------------------------------------

export type LogLine = { level: string; msg: string; [k: string]: unknown };

export function quietLogs() {
  const lines: LogLine[] = [];
  const original = process.stdout.write;
  process.stdout.write = function (this: unknown, chunk: unknown, ...rest: unknown[]) {
    const text = String(chunk);
    const other: string[] = [];
    for (const line of text.split('\n')) {
      if (!line.startsWith('{')) {
        other.push(line);
        continue;
      }
      try {
        const parsed = JSON.parse(line);
        if (parsed && typeof parsed.msg === 'string') lines.push(parsed);
        else other.push(line);
      } catch {
        other.push(line);
      }
    }
    const passOn = other.join('\n');
    if (passOn.trim() === '') {
      const cb = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
      cb?.();
      return true;
    }
    return (original as (...a: unknown[]) => boolean).call(process.stdout, passOn, ...rest);
  } as typeof process.stdout.write;
  return {
    lines,
    errors: () => lines.filter((l) => l.level === 'error'),
    restore() {
      process.stdout.write = original;
    },
  };
}

// ------------------------------------------------------------------------------------------------
// Unhandled errors: recorded for assertions (vitest reports them too).
// ------------------------------------------------------------------------------------------------

export function trackUnhandled() {
  const errors: unknown[] = [];
  const onRejection = (reason: unknown) => errors.push(reason);
  const onException = (err: unknown) => errors.push(err);
  process.on('unhandledRejection', onRejection);
  process.on('uncaughtException', onException);
  return {
    errors,
    stop() {
      process.off('unhandledRejection', onRejection);
      process.off('uncaughtException', onException);
    },
  };
}

// ------------------------------------------------------------------------------------------------
// Around each test: error-level logging only, unhandled errors and log lines recorded, an ordered cleanup.
// ------------------------------------------------------------------------------------------------

/**
 * Create it in the describe body (unhandled errors are recorded from then on). In beforeAll call `begin()` first
 * (LOG_LEVEL=error) and `captureLogs()` last (log lines kept, not echoed); in afterAll `end(steps)`: logging and
 * LOG_LEVEL back as they were, then `cleanup(steps)`.
 */
export function chaosFrame() {
  const unhandled = trackUnhandled();
  const savedLogLevel = process.env.LOG_LEVEL;
  let logs: ReturnType<typeof quietLogs> | undefined;
  return {
    unhandled,
    get logs() {
      return logs;
    },
    begin() {
      process.env.LOG_LEVEL = 'error';
    },
    captureLogs() {
      logs = quietLogs();
    },
    async end(steps: CleanupStep[]) {
      logs?.restore();
      unhandled.stop();
      if (savedLogLevel === undefined) delete process.env.LOG_LEVEL;
      else process.env.LOG_LEVEL = savedLogLevel;
      await cleanup(steps);
    },
  };
}

/** The phase a test is in, which the loads read (they stop at 'done'), and when each phase began. */
export function phaseClock<P extends string>(first: P) {
  let now = first;
  const startedAt = { [first]: Date.now() } as Partial<Record<P, number>>;
  return {
    get now() {
      return now;
    },
    get done() {
      return now === 'done';
    },
    startedAt,
    enter(p: P) {
      now = p;
      startedAt[p] = Date.now();
    },
    /** Enter 'done' and wait for the loads to stop. */
    async finish(...loads: Promise<unknown>[]) {
      this.enter('done' as P);
      await Promise.all(loads);
    },
    /** When each phase began, in ms since the first. */
    offsets: () =>
      Object.fromEntries(Object.entries(startedAt).map(([k, v]) => [k, (v as number) - startedAt[first]!])),
  };
}
export type Clock<P extends string> = { readonly now: P; readonly done: boolean };

/** When `served()` first holds (polled every 50 ms) as a timestamp, or null when it has not within `timeoutMs`. */
export function servedAgainAt(timeoutMs: number, served: () => boolean) {
  return until(async () => served() && Date.now(), { timeoutMs, everyMs: 50 }).catch(() => null);
}

/** The usual cleanup steps, in this order: the queue worker, the services, Redis, PostgreSQL (its data removed). */
export function teardown(r: {
  worker?: { stop(): Promise<unknown> };
  reg?: ChaosRegistry;
  redis?: { kill(): Promise<unknown> };
  pg?: PrivatePg;
}): CleanupStep[] {
  return [
    ['worker', r.worker && (() => r.worker!.stop())],
    ['services', r.reg && (() => r.reg!.close())],
    ['redis', r.redis && (() => r.redis!.kill())],
    ['postgres', r.pg && (() => r.pg!.destroy())],
  ];
}

/**
 * The frame of a test that loads churches while it breaks something: a private PostgreSQL (`pgName`), services over
 * it (`env`, `provider`) with sessions started, a workspace per church name (`members` each) and the queue worker.
 * Create it in the describe body; `await start()` in beforeAll, `stop(steps)` in afterAll (`steps` run first). What
 * was started is in `state` as it starts, so a setup that fails halfway is still cleaned up.
 */
export function loadTestFrame(opts: {
  pgName: string;
  env: Record<string, string>;
  provider: MessagingProvider;
  churches: string[];
  members: number;
}) {
  const frame = chaosFrame();
  const state: { pg?: PrivatePg; reg?: ChaosRegistry; worker?: { stop(): Promise<unknown> }; ws: Workspace[] } = {
    ws: [],
  };
  return {
    frame,
    state,
    async start() {
      frame.begin();
      state.pg = await startPrivatePg(opts.pgName);
      state.reg = await chaosRegistry(state.pg, opts.env, opts.provider);
      await state.reg.services.sessions.start();
      for (const name of opts.churches) state.ws.push(await workspace(state.reg.services, name, opts.members));
      state.worker = await startWorker(state.reg.services);
      frame.captureLogs();
      return { services: state.reg.services, reg: state.reg, ws: state.ws };
    },
    stop: (first: CleanupStep[] = []) => frame.end([...first, ...teardown(state)]),
  };
}

// ------------------------------------------------------------------------------------------------
// Churches under load: page queries, inbound texts and sends, each recorded with the phase it began and ended in.
// ------------------------------------------------------------------------------------------------

/** A church through the real signup and provisioning, its owner signed in, a number assigned, members M0…M(n-1). */
export type Workspace = { church: Church; owner: SignedInClient; number: string; memberIds: string[] };
export async function workspace(services: Services, churchName: string, members: number): Promise<Workspace> {
  const church = await provisionChurch(services, { churchName });
  const owner = await signIn(services, church.email, church.password);
  const number = await readyNumber(services, owner);
  const memberIds = (
    await insertMembers(
      services,
      church.tenantId,
      Array.from({ length: members }, (_, i) => ({ firstName: `M${i}` })),
    )
  ).map((m) => m.id);
  return { church, owner, number, memberIds };
}

export type PageQuery = 'church.profile' | 'members.list' | 'account.me' | 'conversations.list' | 'broadcasts.list';

/** A query as the route handler makes it: the session read from the cookie first, then the procedure. */
export async function pageQuery(services: Services, cookie: string, what: PageQuery) {
  const session = await readSession(services, cookie);
  if (!session) throw new Error('the session was not accepted');
  const c = caller(services, session);
  if (what === 'church.profile') await c.church.profile();
  else if (what === 'members.list') await c.members.list({});
  else if (what === 'account.me') await c.account.me();
  else if (what === 'conversations.list') await c.conversations.list({});
  else await c.broadcasts.list({});
}

export type Call<P extends string> = Outcome & { phase: P; endPhase: P; what: PageQuery; church: number };

/**
 * Page queries from `loops` loops until the clock says done; `pick` chooses each call's church (an index)
 * and query.
 */
function driveCalls<P extends string>(
  services: Services,
  ws: Workspace[],
  clock: Clock<P>,
  calls: Call<P>[],
  loops: number,
  pick: (loop: number, i: number) => { church: number; what: PageQuery },
) {
  return drive(
    loops,
    () => clock.done,
    async (loop, i) => {
      const { church, what } = pick(loop, i);
      const phase = clock.now;
      const o = await outcomeOf(pageQuery(services, ws[church]!.owner.cookie, what));
      calls.push({ ...o, phase, endPhase: clock.now, what, church });
    },
  );
}

/** An inbound text as delivered; `status` is the HTTP status, or -1 when the post hung, -2 when it threw. */
export type Hook<P extends string> = {
  id: string;
  body: string;
  church: number;
  phase: P;
  endPhase: P;
  status: number;
  ms: number;
};

/** Inbound texts, one at a time, to each workspace's number in turn, until the clock says done. */
function driveWebhooks<P extends string>(
  services: Services,
  ws: Workspace[],
  clock: Clock<P>,
  hooks: Hook<P>[],
  pauseMs: number,
) {
  return inTurn(ws, clock, pauseMs, async (church, n) => {
    const m = received(personNumber(n + 1), ws[church]!.number, `inbound ${n + 1}`);
    const phase = clock.now;
    const at = Date.now();
    const hook = (status: number) =>
      hooks.push({ id: m.id, body: m.body, church, phase, endPhase: clock.now, status, ms: Date.now() - at });
    const o = await outcomeOf(postSigned(services, m.body).then((r) => hook(r.status)));
    if (!o.ok) hook(o.hung ? -1 : -2);
  });
}

export type Send<P extends string> = { body: string; church: number; phase: P; outcome: Outcome };

/** Texts sent by each workspace's owner in turn (bodies `${label} 0`, `${label} 1`, …), until the clock says done. */
function driveSends<P extends string>(
  ws: Workspace[],
  clock: Clock<P>,
  sends: Send<P>[],
  label: string,
  pauseMs: number,
) {
  return inTurn(ws, clock, pauseMs, async (church, n) => {
    const w = ws[church]!;
    const body = `${label} ${n}`;
    const phase = clock.now;
    const outcome = await outcomeOf(
      w.owner.caller.messages.send({ memberId: w.memberIds[(n + 1) % w.memberIds.length]!, body }),
    );
    sends.push({ body, church, phase, outcome });
  });
}

/** One loop, each turn for the next workspace (its index) with the turn's number `n` (0, 1, …), until done. */
function inTurn<P extends string>(
  ws: Workspace[],
  clock: Clock<P>,
  pauseMs: number,
  turn: (church: number, n: number) => Promise<void>,
) {
  return drive(
    1,
    () => clock.done,
    (_loop, n) => turn(n % ws.length, n),
    pauseMs,
  );
}

/**
 * The three loads at once against `ws` until `finish()`: page queries from `calls.loops` loops (`calls.pick` chooses
 * each one's church and query), inbound texts every `hookPauseMs`, and sends labelled `send.label` every
 * `send.pauseMs`. Each outcome is recorded with the phase it began and ended in.
 */
export function mixedLoad<P extends string>(
  services: Services,
  ws: Workspace[],
  clock: ReturnType<typeof phaseClock<P>>,
  opts: {
    calls: { loops: number; pick: (loop: number, i: number) => { church: number; what: PageQuery } };
    hookPauseMs: number;
    send: { label: string; pauseMs: number };
  },
) {
  const calls: Call<P>[] = [];
  const hooks: Hook<P>[] = [];
  const sends: Send<P>[] = [];
  const loads = [
    driveCalls(services, ws, clock, calls, opts.calls.loops, opts.calls.pick),
    driveWebhooks(services, ws, clock, hooks, opts.hookPauseMs),
    driveSends(ws, clock, sends, opts.send.label, opts.send.pauseMs),
  ];
  return { calls, hooks, sends, finish: () => clock.finish(...loads) };
}

/**
 * Calls that failed did so cleanly: none hung, none took `fastMs` or longer, none named internals, and none is what
 * `wrong.is` says a failure must not be (a 500, say).
 */
export function expectFailedCleanly<P extends string>(
  failures: Call<P>[],
  fastMs: number,
  wrong: { label: string; is: (c: Call<P>) => boolean },
) {
  expect(
    failures.filter((c) => c.hung),
    'calls that hung',
  ).toEqual([]);
  expect(
    failures.filter(wrong.is).map((c) => `${c.phase} ${c.what}: ${c.code} ${c.message}`),
    wrong.label,
  ).toEqual([]);
  expect(
    failures.filter((c) => c.ms >= fastMs).map((c) => `${c.phase} ${c.what}: ${c.ms} ms`),
    'slow failures',
  ).toEqual([]);
  expect(failures.filter((c) => INTERNALS.test(c.message ?? '')).map((c) => c.message)).toEqual([]);
}

/**
 * Telnyx delivering the refused events (status other than 200) again: each posted once more (re-signed, 5 s at most).
 * Returns those hooks and the new statuses, as in Hook.
 */
export async function redeliverRefused<H extends { body: string; status: number }>(services: Services, hooks: H[]) {
  const refused = hooks.filter((h) => h.status !== 200);
  const retried: number[] = [];
  for (const h of refused) {
    const o = await outcomeOf(
      postSigned(services, h.body).then((r) => retried.push(r.status)),
      5_000,
    );
    if (!o.ok) retried.push(o.hung ? -1 : -2);
  }
  return { refused, retried };
}

/**
 * Every inbound text each church was sent is stored in its database, exactly once. `waitMs`: texts kept in the
 * registry while their church was down reach it by its drain job, so wait up to that long for them.
 */
export async function expectInboundStoredOnce(
  services: Services,
  ws: Workspace[],
  hooks: { id: string; church: number }[],
  waitMs = 0,
) {
  for (const [n, w] of ws.entries()) {
    const ids = [...new Set(hooks.filter((h) => h.church === n).map((h) => h.id))];
    const storedIds = () =>
      services.connections.withTenant(w.church.tenantId, (db) =>
        db.select({ id: messages.providerMessageId }).from(messages).where(inArray(messages.providerMessageId, ids)),
      );
    if (waitMs > 0)
      await until(async () => (await storedIds()).length >= ids.length, { timeoutMs: waitMs, everyMs: 250 }).catch(
        () => {},
      );
    const stored = await storedIds();
    expect(stored.length, `church ${n}: inbound rows`).toBe(ids.length);
    expect(new Set(stored.map((s) => s.id)).size).toBe(ids.length);
  }
}

/**
 * Every accepted send reaches the provider exactly once, a refused one at most once: waits up to `timeoutMs` for the
 * accepted ones, then `settleMs` more for any that would go out twice.
 */
export async function expectSentOnce(
  fake: FakeProvider,
  sends: { body: string; outcome: Outcome }[],
  timeoutMs: number,
  settleMs: number,
) {
  const accepted = sends.filter((s) => s.outcome.ok);
  await until(async () => accepted.every((s) => fake.calls.some((c) => c.text === s.body)), {
    timeoutMs,
    everyMs: 200,
  });
  await sleep(settleMs);
  for (const s of sends) {
    const sent = fake.calls.filter((c) => c.text === s.body).length;
    if (s.outcome.ok) expect(sent, s.body).toBe(1);
    else expect(sent, s.body).toBeLessThanOrEqual(1);
  }
}

// ------------------------------------------------------------------------------------------------
// The real worker (`npx tsx scripts/worker.ts`) as a child process in its own process group, so SIGKILL reaches
// npm, tsx and node alike — like a machine losing the process.
// ------------------------------------------------------------------------------------------------

const workers = new Set<ChildProcess>();
process.once('exit', () => {
  for (const w of workers) killGroup(w, 'SIGKILL');
});

function killGroup(child: ChildProcess, signal: NodeJS.Signals) {
  if (!child.pid || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    /* already gone */
  }
}

export type WorkerProcess = {
  child: ChildProcess;
  output: () => string;
  kill: (signal?: NodeJS.Signals) => Promise<void>;
};

export function spawnWorker(env: Record<string, string>): WorkerProcess {
  const child = spawn('npx', ['tsx', 'scripts/worker.ts'], {
    cwd: path.resolve('.'),
    env: { ...process.env, ...env },
    detached: true, // its own process group
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  workers.add(child);
  let out = '';
  const keep = (d: Buffer) => {
    out = (out + d.toString('utf8')).slice(-20_000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = once(child, 'exit').then(() => workers.delete(child));
  return {
    child,
    output: () => out,
    async kill(signal = 'SIGKILL') {
      killGroup(child, signal);
      await exited;
      // The group's other members (tsx's node child) die with it; give the kernel a moment to close their sockets.
      await sleep(50);
    },
  };
}
