import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import autocannon from 'autocannon';
import superjson from 'superjson';
import { freePort } from '../tests/support/accounts';

/**
 * The parts of `npm run bench:scale` that talk to the built app as a separate process: start and stop the built app,
 * read its memory, and drive it over HTTP with autocannon, each request a random church's session cookie and a
 * query the pages really make (the tRPC batch URL the browser's httpBatchLink builds, superjson-encoded).
 */

export type App = {
  pid: number;
  port: number;
  url: string;
  logFile: string;
  child: ChildProcess;
  exited: Promise<number | null>;
  metricsToken?: string;
};

/**
 * The built app (scripts/serve.mjs, as `npm start` runs it) on its own process group (so it and anything it forks can
 * be stopped together), its output to a log file. Resolves once /api/health answers 200.
 */
export async function startApp(env: NodeJS.ProcessEnv, logFile: string, timeoutMs = 120_000): Promise<App> {
  const port = await freePort();
  const out = createWriteStream(logFile);
  // The app as `npm start` serves it: Next.js behind scripts/serve.mjs.
  const child = spawn(process.execPath, [path.resolve('scripts/serve.mjs')], {
    env: {
      ...env,
      PORT: String(port),
      HOST: '127.0.0.1',
      NEXTAUTH_URL: `http://127.0.0.1:${port}`,
      NEXT_TELEMETRY_DISABLED: '1',
      NODE_ENV: 'production',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  child.stdout!.pipe(out, { end: false });
  child.stderr!.pipe(out, { end: false });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  void exited.then(() => out.end());
  const url = `http://127.0.0.1:${port}`;
  const app: App = { pid: child.pid!, port, url, logFile, child, exited, metricsToken: env.METRICS_TOKEN };
  const deadline = Date.now() + timeoutMs;
  let dead = false;
  void exited.then(() => (dead = true));
  for (;;) {
    if (dead) throw new Error(`the app exited during startup; see ${logFile}`);
    const res = await fetch(`${url}/api/health`).catch(() => null);
    if (res?.status === 200) return app;
    if (Date.now() > deadline) {
      await stopApp(app);
      throw new Error(`the app did not become healthy within ${timeoutMs / 1000} s; see ${logFile}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** SIGTERM to the app's process group, SIGKILL after 15 s. Only ever the group this bench started. */
export async function stopApp(app: App): Promise<{ ms: number; forced: boolean }> {
  const started = Date.now();
  if (app.child.exitCode !== null || app.child.signalCode !== null) return { ms: 0, forced: false };
  const signal = (s: NodeJS.Signals) => {
    try {
      process.kill(-app.pid, s);
    } catch {
      /* already gone */
    }
  };
  signal('SIGTERM');
  const killed = await Promise.race([
    app.exited.then(() => true),
    new Promise<boolean>((r) => setTimeout(() => r(false), 15_000)),
  ]);
  if (!killed) {
    signal('SIGKILL');
    await app.exited;
  }
  return { ms: Date.now() - started, forced: !killed };
}

/** Every process under `root` (itself included), from /proc. */
function processTree(root: number): number[] {
  const parent = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parent.set(Number(entry), ppid);
    } catch {
      /* exited meanwhile */
    }
  }
  const tree = [root];
  for (let i = 0; i < tree.length; i++) for (const [pid, ppid] of parent) if (ppid === tree[i]) tree.push(pid);
  return tree;
}

const vmRssKb = (pid: number) => {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
};

/** Resident memory of the app: every process of its tree (it serves in-process today; a fork would count). */
export function appRss(app: App): { mb: number; pids: number[] } {
  const pids = processTree(app.pid).filter((p) => existsSync(`/proc/${p}`));
  return { mb: pids.reduce((n, p) => n + vmRssKb(p), 0) / 1024, pids };
}

/** CPU seconds used by a process tree so far: each member's own time plus that of children it has already reaped. */
export function treeCpuSeconds(root: number): number {
  let ticks = 0;
  for (const pid of processTree(root)) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // f[0] is field 3 (state)
      ticks += Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]); // utime stime cutime cstime
    } catch {
      /* exited meanwhile */
    }
  }
  return ticks / 100; // USER_HZ is 100 on Linux
}

/** Busy CPU seconds of the whole machine so far (all cores), from /proc/stat. */
export function machineBusySeconds(): number {
  const [, ...f] = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/);
  const n = f.map(Number);
  const idle = n[3]! + n[4]!; // idle + iowait
  return (n.slice(0, 8).reduce((a, b) => a + b, 0) - idle) / 100;
}

/** `process_resident_memory_bytes` from /api/metrics, if that endpoint exists (null when it does not). */
export async function metricsRssMb(app: App, token: string): Promise<number | null> {
  const res = await fetch(`${app.url}/api/metrics`, { headers: { authorization: `Bearer ${token}` } }).catch(
    () => null,
  );
  if (!res || res.status !== 200) return null;
  const m = /^process_resident_memory_bytes(?:\{[^}]*\})?\s+([\d.e+]+)/m.exec(await res.text());
  return m ? Number(m[1]) / 1024 / 1024 : null;
}

export type HealthConnections = {
  created: number;
  closed: number;
  evicted: number;
  openConnections: number;
  peakConnections: number;
  budgetTimeouts: number;
  cached: number;
  budget: number;
  potentialLeaks: number;
};

export async function appHealth(
  app: App,
): Promise<{ status: number; connections: HealthConnections; body: Record<string, unknown> }> {
  // The details (connections, queue) are for operators: the bench sends the app's METRICS_TOKEN.
  const res = await fetch(`${app.url}/api/health`, {
    headers: { 'cache-control': 'no-cache', authorization: `Bearer ${app.metricsToken ?? ''}` },
  });
  const body = (await res.json()) as Record<string, unknown> & { connections: HealthConnections };
  return { status: res.status, connections: body.connections, body };
}

/** The URL the app's httpBatchLink builds for one query (GET, batch=1, superjson-serialised input). */
export function trpcQueryPath(procedure: string, input: unknown) {
  const encoded = { 0: superjson.serialize(input) };
  return `/api/trpc/${procedure}?batch=1&input=${encodeURIComponent(JSON.stringify(encoded))}`;
}

/**
 * What the pages ask for: the dashboard cards, the first page of members, the inbox
 * (infinite queries add cursor and direction).
 */
export const QUERIES = [
  { name: 'dashboard.summary', path: trpcQueryPath('dashboard.summary', undefined) },
  { name: 'members.list', path: trpcQueryPath('members.list', { cursor: null, direction: 'forward' }) },
  {
    name: 'conversations.list',
    path: trpcQueryPath('conversations.list', { limit: 30, unreadOnly: false, cursor: null, direction: 'forward' }),
  },
];

export type LoadResult = {
  requests: number;
  perSecond: number;
  latency: { p50: number; p97_5: number; p99: number; max: number; average: number };
  non2xx: number;
  errors: number;
  timeouts: number;
  /** 200s whose body was not a tRPC success. */
  badBodies: number;
  statusCodes: Record<string, number>;
  byQuery: Record<string, number>;
  samples: string[];
  durationSeconds: number;
};

/**
 * `connections` clients for `seconds`, each request to a random church (its owner's session cookie) and one of
 * QUERIES at random. Counts non-2xx, connection errors and 200s whose body is not a tRPC result.
 */
export async function runLoad(opts: {
  url: string;
  cookies: string[];
  connections: number;
  seconds: number;
  onTick?: () => void;
}): Promise<LoadResult> {
  const byQuery: Record<string, number> = {};
  const samples: string[] = [];
  let badBodies = 0;
  const instance = autocannon({
    url: opts.url,
    connections: opts.connections,
    duration: opts.seconds,
    timeout: 10,
    requests: [
      {
        method: 'GET',
        setupRequest: (req: Record<string, unknown>, context: Record<string, unknown>) => {
          const q = QUERIES[Math.floor(Math.random() * QUERIES.length)]!;
          const cookie = opts.cookies[Math.floor(Math.random() * opts.cookies.length)]!;
          context.query = q.name;
          return { ...req, path: q.path, headers: { ...(req.headers as object), cookie, accept: 'application/json' } };
        },
        onResponse: (status: number, body: string, context: Record<string, unknown>) => {
          const name = String(context.query);
          byQuery[name] = (byQuery[name] ?? 0) + 1;
          const ok = status === 200 && body.startsWith('[{"result":{"data":');
          if (status === 200 && !ok) badBodies++;
          if (!ok && samples.length < 5) samples.push(`${name} → ${status}: ${body.slice(0, 300)}`);
        },
      },
    ],
  } as unknown as autocannon.Options);
  const ticker = opts.onTick ? setInterval(opts.onTick, 1000) : null;
  try {
    const r = await instance;
    const statusCodes = Object.fromEntries(
      Object.entries(r.statusCodeStats ?? {}).map(([k, v]) => [k, Number((v as { count: number }).count)]),
    );
    const requests = Object.values(statusCodes).reduce((n, c) => n + c, 0);
    return {
      requests,
      perSecond: requests / r.duration,
      latency: {
        p50: r.latency.p50,
        p97_5: r.latency.p97_5,
        p99: r.latency.p99,
        max: r.latency.max,
        average: r.latency.average,
      },
      non2xx: r.non2xx,
      errors: r.errors,
      timeouts: r.timeouts,
      badBodies,
      statusCodes,
      byQuery,
      samples,
      durationSeconds: r.duration,
    };
  } finally {
    if (ticker) clearInterval(ticker);
  }
}

/** Lines of the app's log at warn/error level, grouped by message (structured JSON lines; anything else verbatim). */
export function logProblems(logFile: string): { errors: number; warnings: number; top: string[] } {
  if (!existsSync(logFile)) return { errors: 0, warnings: 0, top: [] };
  const counts = new Map<string, number>();
  let errors = 0;
  let warnings = 0;
  for (const line of readFileSync(logFile, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    let level = '';
    let msg = line.slice(0, 200);
    try {
      const j = JSON.parse(line) as { level?: string | number; msg?: string; err?: { message?: string } };
      level =
        typeof j.level === 'number'
          ? j.level >= 50
            ? 'error'
            : j.level >= 40
              ? 'warn'
              : 'info'
          : String(j.level ?? '');
      msg = `${j.msg ?? ''}${j.err?.message ? `: ${j.err.message}` : ''}`.slice(0, 200);
    } catch {
      level = /error|unhandled|exception/i.test(line) ? 'error' : /warn/i.test(line) ? 'warn' : '';
    }
    if (level === 'error') errors++;
    else if (level === 'warn') warnings++;
    else continue;
    const key = `${level}: ${msg}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const top = [...counts.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 8)
    .map(([k, n]) => `${n}× ${k}`);
  return { errors, warnings, top };
}
