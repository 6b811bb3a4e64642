import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import net from 'node:net';
import { encode } from 'next-auth/jwt';
import { eq } from 'drizzle-orm';
import type { JobHelpers } from 'graphile-worker';
import { customerTask } from '@/server/billing/customer-job';
import { admins, quietHours } from '@/db/tenant/schema';
import { signInWithPassword, type SignedIn } from '@/server/auth/signin';
import { readSession, type Session } from '@/server/auth/session';
import { appRouter } from '@/server/routers/_app';
import type { Services } from '@/server/services';
import { runProvisioning } from '@/server/tenancy/provisioner';
import { sha256 } from '@/server/tokens';
import { createCallerFactory, createContext } from '@/server/trpc';
import { sleep } from './harness';

/** Helpers for the accounts tests: churches, real session cookies, signed-in callers, a private Redis. */

export const createCaller = createCallerFactory(appRouter);
export type Caller = ReturnType<typeof createCaller>;

export const caller = (services: Services, session: Session | null, ip = '198.51.100.1') =>
  createCaller(createContext({ session, services, ip }));

let ipSeq = 0;
/** A fresh address per call, so throttling never couples unrelated steps of a test. */
export const freshIp = () => `10.${(process.pid >> 8) & 255}.${(++ipSeq >> 8) & 255}.${ipSeq & 255}`;

let churchSeq = 0;
export type Church = {
  ticket: string;
  jobId: string;
  tenantId: string;
  adminId: string;
  email: string;
  password: string;
  churchName: string;
};

/**
 * Sign up through the real procedure and (unless `provision: false`) run the provisioning job to ready; quiet hours
 * are switched off unless `quietHours` is set.
 */
export async function provisionChurch(
  services: Services,
  opts: {
    email?: string;
    password?: string;
    churchName?: string;
    adminName?: string;
    provision?: boolean;
    ip?: string;
    /** Off unless asked for: a test's outcome must not depend on the hour the machine runs it at. */
    quietHours?: boolean;
    /** The owner's email verified (the default); false: the church can text only its team. */
    verified?: boolean;
    /** With billing on: its Stripe customer job run (the default); false: left queued. */
    customer?: boolean;
  } = {},
): Promise<Church> {
  const n = ++churchSeq;
  const input = {
    churchName: opts.churchName ?? `Test Church ${n} ${process.pid}`,
    timezone: 'Europe/London',
    adminName: opts.adminName ?? `Owner ${n}`,
    email: opts.email ?? `owner${n}-${Math.random().toString(36).slice(2, 8)}@example.org`,
    password: opts.password ?? 'correct horse battery',
  };
  const { ticket } = await caller(services, null, opts.ip ?? freshIp()).onboarding.signup(input);
  const [job] = await services.registry.sql<{ id: string; tenant_id: string; admin_id: string }[]>`
    select id, tenant_id, admin_id from provisioning_jobs where ticket_hash = ${sha256(ticket)}`;
  if (!job) throw new Error('signup left no provisioning job');
  if (opts.provision !== false) {
    const outcome = await runProvisioning(services.provision, job.id, { finalAttempt: false });
    if (outcome !== 'ready') throw new Error(`provisioning ended ${outcome}`);
    if (!opts.quietHours)
      await services.connections.withTenant(job.tenant_id, (db) => db.update(quietHours).set({ enabled: false }));
    // Its owner has opened the verification email, so the church may text anyone (tests/email-verification.test.ts
    // asks for an unverified one).
    if (opts.verified !== false)
      await services.connections.withTenant(job.tenant_id, (db) =>
        db.update(admins).set({ emailVerifiedAt: new Date() }).where(eq(admins.id, job.admin_id)),
      );
    // With billing on, the Stripe customer the worker makes a moment after activation (tests/billing-customer.test.ts
    // asks for a church without one).
    if (services.billing && opts.customer !== false) await runCustomerJob(services, job.tenant_id);
  }
  return {
    ticket,
    jobId: job.id,
    tenantId: job.tenant_id,
    adminId: job.admin_id,
    email: input.email.trim().toLowerCase(),
    password: input.password,
    churchName: input.churchName,
  };
}

/** The church's Stripe customer job, run here as the worker would run it (throws as the job would fail). */
export const runCustomerJob = (services: Services, tenantId: string) =>
  customerTask(services)({ tenantId }, {} as JobHelpers) as Promise<void>;

/** The session cookie next-auth would set for this sign-in (same claims, same secret, same encoding). */
export function cookieFor(services: Services, s: SignedIn, maxAge?: number) {
  return encode({
    token: { sub: s.adminId, ...s }, // every claim sign-in returns, as next-auth's jwt callback copies them
    secret: services.config.NEXTAUTH_SECRET,
    ...(maxAge ? { maxAge } : {}),
  });
}

export type SignedInClient = { signed: SignedIn; cookie: string; session: Session; caller: Caller };

/** A real sign-in: password → session row → cookie → readSession → tRPC caller, as the route handler does it. */
export async function signIn(
  services: Services,
  email: string,
  password: string,
  ip = freshIp(),
): Promise<SignedInClient> {
  const signed = await signInWithPassword(services, { email, password }, ip);
  const cookie = await cookieFor(services, signed);
  const session = await readSession(services, cookie);
  if (!session) throw new Error('a fresh session was not accepted');
  return { signed, cookie, session, caller: caller(services, session, ip) };
}

/** A church through signup and provisioning (options as provisionChurch's), and its owner signed in. */
export async function churchWithOwner(services: Services, opts: Parameters<typeof provisionChurch>[1] = {}) {
  const church = await provisionChurch(services, opts);
  return { church, owner: await signIn(services, church.email, church.password) };
}

/**
 * A church whose owner is named after its first word ("Alpha Chapel": alpha-owner@example.org, password "alpha owner
 * password"), and that owner signed in. `tag`: the word, lower case.
 */
export async function namedChurch(services: Services, name: string) {
  const tag = name.split(' ')[0]!.toLowerCase();
  const password = `${tag} owner password`;
  const email = `${tag}-owner@example.org`;
  return { tag, password, ...(await churchWithOwner(services, { churchName: name, password, email })) };
}

/** Owner invites, the invitee accepts with a password: returns the new admin's id. */
export async function addTeammate(
  services: Services,
  owner: Caller,
  email: string,
  role: 'admin' | 'staff',
  password = 'member password 1',
) {
  const { id, url } = await owner.team.invite({ email, role });
  const token = url.split('/invite/')[1]!;
  await caller(services, null).team.accept({ token, name: `Member ${email.split('@')[0]}`, password });
  return { adminId: id, email, password, token };
}

/** A church with its owner and one staff member (`staffEmail`), both signed in. */
export async function churchWithStaff(services: Services, churchName: string, staffEmail: string) {
  const { church, owner } = await churchWithOwner(services, { churchName });
  const s = await addTeammate(services, owner.caller, staffEmail, 'staff');
  return { church, owner, staff: await signIn(services, s.email, s.password) };
}

/** Reject unless the promise rejects; returns the error for assertions. */
export async function errorOf(
  p: Promise<unknown>,
): Promise<{ code?: string; message: string } & Record<string, unknown>> {
  try {
    await p;
  } catch (err) {
    return err as never;
  }
  throw new Error('expected a rejection, got a result');
}

export const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

// ------------------------------------------------------------------------------------------------
// A private redis-server child process, which tests may kill and restart. Never the shared one.
// ------------------------------------------------------------------------------------------------

const children = new Set<ChildProcess>();
process.once('exit', () => {
  for (const c of children) c.kill('SIGKILL');
});

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

type Resp = string | number | null | Resp[];

/** Parse one RESP reply from `buf` at `i`: [value, next index], or undefined while incomplete. */
function parseResp(buf: string, i = 0): [Resp, number] | undefined {
  const eol = buf.indexOf('\r\n', i);
  if (eol < 0) return undefined;
  const head = buf[i];
  const rest = buf.slice(i + 1, eol);
  if (head === '+' || head === '-') return [head === '-' ? `ERR ${rest}` : rest, eol + 2];
  if (head === ':') return [Number(rest), eol + 2];
  if (head === '$') {
    const len = Number(rest);
    if (len < 0) return [null, eol + 2];
    if (buf.length < eol + 2 + len + 2) return undefined;
    return [buf.slice(eol + 2, eol + 2 + len), eol + 2 + len + 2];
  }
  if (head === '*') {
    const n = Number(rest);
    const out: Resp[] = [];
    let at = eol + 2;
    for (let k = 0; k < n; k++) {
      const item = parseResp(buf, at);
      if (!item) return undefined;
      out.push(item[0]);
      at = item[1];
    }
    return [out, at];
  }
  return [buf.slice(i, eol), eol + 2];
}

/** Send one command to a Redis server and return its reply (null when unreachable). ASCII replies only. */
export function redisCommand(port: number, ...args: string[]): Promise<Resp> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    let buf = '';
    let settled = false;
    const done = (v: Resp) => {
      if (settled) return;
      settled = true;
      socket.destroy();
      resolve(v);
    };
    socket.setTimeout(1_000, () => done(null));
    socket.on('error', () => done(null));
    socket.on('close', () => done(null));
    socket.on('connect', () =>
      socket.write(`*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`),
    );
    socket.on('data', (d) => {
      buf += d.toString('latin1');
      const parsed = parseResp(buf);
      if (parsed) done(parsed[0]);
    });
  });
}

export class RedisServer {
  private proc: ChildProcess | null = null;
  private constructor(readonly port: number) {}

  static async start(): Promise<RedisServer> {
    const server = new RedisServer(await freePort());
    await server.start();
    return server;
  }

  get url() {
    return `redis://127.0.0.1:${this.port}`;
  }

  get running() {
    return this.proc !== null;
  }

  /** Start (or restart, on the same port) and wait until it answers PING. */
  async start() {
    if (this.proc) return;
    const proc = spawn(
      'redis-server',
      ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      { stdio: 'ignore' },
    );
    children.add(proc);
    proc.once('exit', () => children.delete(proc));
    this.proc = proc;
    const end = Date.now() + 10_000;
    while ((await redisCommand(this.port, 'PING')) !== 'PONG') {
      if (proc.exitCode !== null || Date.now() > end)
        throw new Error(`redis-server on port ${this.port} did not start`);
      await sleep(20);
    }
  }

  /** SIGKILL: an abrupt loss, as in a crash. */
  async kill() {
    const proc = this.proc;
    if (!proc) return;
    this.proc = null;
    if (proc.exitCode === null && proc.signalCode === null) {
      const exited = once(proc, 'exit');
      proc.kill('SIGKILL');
      await exited;
    }
  }

  /** How many subscribers `channel` has right now. */
  async subscribers(channel: string): Promise<number> {
    const reply = await redisCommand(this.port, 'PUBSUB', 'NUMSUB', channel);
    return Array.isArray(reply) ? Number(reply[1] ?? 0) : 0;
  }

  async keys(pattern: string): Promise<string[]> {
    const reply = await redisCommand(this.port, 'KEYS', pattern);
    return Array.isArray(reply) ? reply.map(String) : [];
  }
}

// ------------------------------------------------------------------------------------------------
// Log capture: the server's logger (pino) writes one JSON line per event to stdout (stderr with LOG_STREAM=stderr).
// ------------------------------------------------------------------------------------------------

export function captureLogs() {
  const lines: { level: string; msg: string; [k: string]: unknown }[] = [];
  const originals = { out: process.stdout.write, err: process.stderr.write };
  const wrap = (original: typeof process.stdout.write, stream: NodeJS.WriteStream) =>
    function (this: unknown, chunk: unknown, ...rest: unknown[]) {
      for (const line of String(chunk).split('\n')) {
        if (!line.startsWith('{')) continue;
        try {
          const parsed = JSON.parse(line);
          if (parsed && typeof parsed.msg === 'string') lines.push(parsed);
        } catch {
          /* not one of ours */
        }
      }
      return (original as (...a: unknown[]) => boolean).call(stream, chunk, ...rest);
    } as typeof process.stdout.write;
  process.stdout.write = wrap(originals.out, process.stdout);
  process.stderr.write = wrap(originals.err, process.stderr);
  return {
    lines,
    restore() {
      process.stdout.write = originals.out;
      process.stderr.write = originals.err;
    },
  };
}

type LogLine = ReturnType<typeof captureLogs>['lines'][number];

/** Run `fn` with warnings logged and captured: `{ result, lines }`. */
export async function withWarnings<T>(fn: () => Promise<T>) {
  const previous = process.env.LOG_LEVEL;
  process.env.LOG_LEVEL = 'warn'; // a development mail, an unreachable Stripe: warnings
  const logs = captureLogs();
  try {
    return { result: await fn(), lines: logs.lines };
  } finally {
    logs.restore();
    process.env.LOG_LEVEL = previous;
  }
}

/** The last development mail to `to` among `lines` (mail not sent for want of SMTP_URL), or undefined. */
export const devMailIn = (lines: LogLine[], to: string) =>
  lines.filter((l) => l.msg.startsWith('development mail') && l.to === to).at(-1);
