import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { request as playwrightRequest, type APIRequestContext } from '@playwright/test';
import lighthouse from 'lighthouse';
import { buyNumber, newChurch, randomUsNumber, trpcMutation, trpcQuery } from '../e2e/support';

/**
 * `npm run lighthouse`: Lighthouse (mobile, performance only) on every signed-in page, as a real church's owner
 * sees it.
 * Starts the app the way `npm start` and the e2e suite do (scripts/start.ts: embedded PostgreSQL in
 * .data/lighthouse-pg, a build only if there is none; `--rebuild` to build the current code first), signs a church up
 * and in over HTTP, adds a few members, a conversation and broadcasts, then runs each page LIGHTHOUSE_RUNS times
 * (default 3) in a fresh headless Chromium (CHROME_PATH, default /usr/bin/chromium) and prints the medians.
 * `--pages /dashboard,/inbox` measures only those.
 */
const PORT = Number(process.env.LIGHTHOUSE_PORT ?? 3230);
const BASE = `http://127.0.0.1:${PORT}`;
const RUNS = Number(process.env.LIGHTHOUSE_RUNS ?? 3);
const CHROME = process.env.CHROME_PATH ?? '/usr/bin/chromium';
const PAGES = [
  '/dashboard',
  '/members',
  '/inbox',
  '/inbox?c=:conversation',
  '/broadcasts',
  '/keywords',
  '/automations',
  '/templates',
  '/connect-card',
  '/branches',
  '/settings',
  '/settings/billing',
  '/get-ready',
  '/team',
  '/account',
];

/** js: kB of JavaScript transferred; cpu: Lighthouse's benchmark index of this machine (higher is faster). */
type Figures = { score: number; lcp: number; cls: number; fcp: number; tbt: number; js: number; cpu: number };

async function main() {
  const app = await startApp();
  try {
    const api = await playwrightRequest.newContext({ baseURL: BASE });
    const cookie = await signUpAndIn(api);
    const conversation = await seed(api);
    const chosen = pagesArg() ?? PAGES;
    const rows: [string, Figures][] = [];
    for (const page of chosen) {
      const url = BASE + page.replace(':conversation', conversation);
      rows.push([page, median(await repeat(RUNS, () => measure(url, cookie)))]);
      console.error(`measured ${page}: ${JSON.stringify(rows.at(-1)![1])}`);
    }
    printTable(rows);
    await api.dispose();
  } finally {
    await stopApp(app);
  }
}

// ---------------------------------------------------------------------------------------------
// The app: scripts/start.ts with its own embedded PostgreSQL, as playwright.config.ts starts it.
// ---------------------------------------------------------------------------------------------
async function startApp(): Promise<ChildProcess> {
  if (await healthy()) throw new Error(`something already serves ${BASE}: stop it or set LIGHTHOUSE_PORT`);
  // Node itself runs start.ts (no npx or tsx wrapper between), so the SIGTERM in stopApp reaches it.
  const args = ['--import', 'tsx', 'scripts/start.ts', ...(process.argv.includes('--rebuild') ? ['--rebuild'] : [])];
  const child = spawn(process.execPath, args, {
    stdio: ['ignore', 'inherit', 'inherit'],
    env: {
      ...process.env,
      PORT: String(PORT),
      DATABASE_URL: '',
      EMBEDDED_PG_DIR: 'lighthouse-pg',
      LOG_LEVEL: 'warn',
      SIGNUPS_PER_HOUR_PER_IP: '1000',
    },
  });
  let exited = false;
  child.once('exit', () => (exited = true));
  const deadline = Date.now() + 300_000; // a first build takes a few minutes on a small machine
  while (Date.now() < deadline && !exited) {
    if (await healthy()) return child;
    await sleep(1_000);
  }
  await stopApp(child);
  throw new Error(`the app did not answer on ${BASE}/api/health`);
}

const healthy = () =>
  fetch(`${BASE}/api/health`).then(
    (r) => r.ok,
    () => false,
  );

/** start.ts passes the signal on to the server, then stops its embedded PostgreSQL. */
async function stopApp(child: ChildProcess) {
  if (child.exitCode !== null) return;
  const done = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await Promise.race([done, sleep(20_000)]);
}

// ---------------------------------------------------------------------------------------------
// A church with a little in it, through the same HTTP calls the browser makes (e2e/support.ts).
// ---------------------------------------------------------------------------------------------
/** The wizard's signup, polled until the workspace is ready, then a password sign-in; returns the Cookie header. */
async function signUpAndIn(api: APIRequestContext): Promise<string> {
  const c = newChurch('Lighthouse');
  const signup = await trpcMutation(api, 'onboarding.signup', {
    churchName: c.church,
    timezone: 'America/New_York',
    adminName: c.name,
    email: c.email,
    password: c.password,
  });
  if (signup.status !== 200) throw new Error(`signup: ${signup.text}`);
  const statusInput = encodeURIComponent(JSON.stringify({ json: { ticket: signup.data.ticket } }));
  const status = `onboarding.status?input=${statusInput}`;
  while ((await trpcQuery(api, status)).data?.state !== 'ready') await sleep(200);

  const { csrfToken } = await (await api.get('/api/auth/csrf')).json();
  const form = { csrfToken, email: c.email, password: c.password, json: 'true' };
  await api.post('/api/auth/callback/credentials', { form, maxRedirects: 0 });
  const session = (await api.storageState()).cookies.find((k) => k.name === 'next-auth.session-token');
  if (!session) throw new Error('sign-in gave no session cookie');
  return `${session.name}=${session.value}`;
}

const PEOPLE = [
  ['Anna', 'Temple'],
  ['Simeon', 'Temple'],
  ['Lydia', 'Purple'],
  ['Silas', 'Roads'],
  ['Priscilla', 'Tent'],
  ['Aquila', 'Tent'],
  ['Dorcas', 'Needle'],
  ['Barnabas', 'Cyprus'],
  ['Phoebe', 'Cenchreae'],
  ['Timothy', 'Lystra'],
  ['Eunice', 'Lystra'],
  ['Apollos', 'Alexandria'],
];

/** A sending number, two branches, a dozen members, two conversations (one answered), two broadcasts, keywords. */
async function seed(api: APIRequestContext): Promise<string> {
  // Whatever the hour it runs at: a text inside quiet hours would ask for confirmation.
  await must(trpcMutation(api, 'church.updateQuietHours', { enabled: false, startMinute: 1260, endMinute: 480 }));
  await buyNumber(api);
  const north = await must(trpcMutation(api, 'branches.create', { name: 'North Campus' }));
  await must(trpcMutation(api, 'branches.create', { name: 'Downtown' }));
  const members = [];
  for (const [i, [firstName, lastName]] of PEOPLE.entries()) {
    const member = { firstName, lastName, phone: randomUsNumber(), tags: i % 3 ? ['choir'] : ['youth', 'volunteers'] };
    const consent = { subscription: 'subscribed', consentNote: 'connect card at the welcome desk' };
    members.push(
      await must(trpcMutation(api, 'members.create', { ...member, ...consent, branchId: i % 2 ? north.id : null })),
    );
  }
  let conversation = '';
  for (const [i, body] of ['Prayer meeting at 7 tonight', 'Thanks for helping with the food bank!'].entries()) {
    const sent = await must(trpcMutation(api, 'messages.send', { memberId: members[i]!.id, body }));
    conversation = sent.conversationId;
  }
  await must(trpcMutation(api, 'messages.simulateReply', { conversationId: conversation, body: 'See you there 🙏' }));
  const welcome = { keyword: 'JOIN', reply: 'Welcome, {first_name|friend}!', addTags: ['guests'] };
  await must(trpcMutation(api, 'keywords.create', welcome));
  await must(trpcMutation(api, 'keywords.create', { keyword: 'SERVE', reply: 'Thank you for serving!' }));
  await must(trpcMutation(api, 'templates.create', { name: 'Welcome', body: 'Hi {first_name|friend}, welcome!' }));
  await must(trpcMutation(api, 'messages.simulateReply', { conversationId: conversation, body: 'join' }));
  await must(
    trpcMutation(api, 'broadcasts.create', { body: 'Choir practice moves to 6pm', audience: { type: 'all' } }),
  );
  const later = new Date(Date.now() + 86_400_000).toISOString();
  await must(
    trpcMutation(api, 'broadcasts.create', { body: 'Fast on Friday', audience: { type: 'all' }, scheduledAt: later }),
  );
  return conversation;
}

async function must<T extends { status: number; data: unknown; text: string }>(call: Promise<T>) {
  const res = await call;
  if (res.status !== 200) throw new Error(`seeding failed: ${res.text}`);
  return res.data as { id: string; conversationId: string };
}

// ---------------------------------------------------------------------------------------------
// Lighthouse: the default (mobile, simulated throttling) config, performance only, a fresh browser per run.
// ---------------------------------------------------------------------------------------------
async function measure(url: string, cookie: string): Promise<Figures> {
  const chrome = await launchChromium();
  try {
    const result = await lighthouse(url, {
      port: chrome.port,
      logLevel: 'error',
      onlyCategories: ['performance'],
      extraHeaders: { Cookie: cookie },
    });
    if (!result) throw new Error(`no Lighthouse result for ${url}`);
    const { lhr } = result;
    if (lhr.runtimeError) throw new Error(`${url}: ${lhr.runtimeError.message}`);
    if (new URL(lhr.finalDisplayedUrl).pathname !== new URL(url).pathname)
      throw new Error(`${url} ended at ${lhr.finalDisplayedUrl} (signed out?)`);
    if (process.env.LIGHTHOUSE_REPORTS) saveReport(process.env.LIGHTHOUSE_REPORTS, url, result.report);
    const value = (id: string) => lhr.audits[id]?.numericValue ?? NaN;
    console.error(`  ${url}: LCP element ${lcpElement(lhr.audits['largest-contentful-paint-element']?.details)}`);
    return {
      score: Math.round((lhr.categories.performance?.score ?? 0) * 100),
      lcp: value('largest-contentful-paint'),
      cls: value('cumulative-layout-shift'),
      fcp: value('first-contentful-paint'),
      tbt: value('total-blocking-time'),
      js: scriptBytes(lhr.audits['resource-summary']?.details) / 1024,
      cpu: lhr.environment.benchmarkIndex,
    };
  } finally {
    chrome.close();
  }
}

/** LIGHTHOUSE_REPORTS=<dir> keeps each run's full JSON report there (network requests, main-thread tasks, …). */
function saveReport(dir: string, url: string, report: string | string[]) {
  mkdirSync(dir, { recursive: true });
  const name = new URL(url).pathname.replace(/\W+/g, '_') + `-${Date.now()}.json`;
  writeFileSync(path.join(dir, name), Array.isArray(report) ? report[0]! : report);
}

/** The element Lighthouse took for the largest paint, as its HTML snippet (to see what a slow LCP waits for). */
function lcpElement(details: unknown): string {
  type Table = { items?: { node?: { snippet?: string } }[] };
  const tables = (details as { items?: Table[] } | undefined)?.items ?? [];
  return tables[0]?.items?.[0]?.node?.snippet ?? 'none';
}

function scriptBytes(details: unknown): number {
  const items = (details as { items?: { resourceType: string; transferSize: number }[] } | undefined)?.items ?? [];
  return items.find((i) => i.resourceType === 'script')?.transferSize ?? NaN;
}

/** Headless Chromium with a throwaway profile; resolves once its DevTools port is known. */
function launchChromium(): Promise<{ port: number; close: () => void }> {
  const profile = mkdtempSync(path.join(os.tmpdir(), 'steeple-lighthouse-'));
  const flags = ['--headless=new', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-sync'];
  const extra = ['--disable-background-networking', '--disable-component-update', '--remote-debugging-port=0'];
  // Its own process group, so closing it ends the renderers and helpers too, before the profile is removed.
  const chrome = spawn(CHROME, [...flags, ...extra, `--user-data-dir=${profile}`, 'about:blank'], {
    stdio: ['ignore', 'ignore', 'pipe'],
    detached: true,
  });
  const close = () => {
    chrome.once('exit', () => {
      try {
        rmSync(profile, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
      } catch {} // a temporary directory left behind is no reason to stop measuring
    });
    process.kill(-chrome.pid!, 'SIGKILL');
  };
  return new Promise((resolve, reject) => {
    let err = '';
    chrome.stderr!.on('data', (chunk: Buffer) => {
      err += chunk.toString();
      const port = /DevTools listening on ws:\/\/[^:]+:(\d+)\//.exec(err)?.[1];
      if (port) resolve({ port: Number(port), close });
    });
    chrome.once('exit', (code) => reject(new Error(`${CHROME} exited (${code}): ${err.slice(-500)}`)));
  });
}

// ---------------------------------------------------------------------------------------------
// Figures.
// ---------------------------------------------------------------------------------------------
async function repeat<T>(times: number, task: () => Promise<T>): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < times; i++) out.push(await task());
  return out;
}

/** Each figure's own median (the runs' scores and timings need not come from the same run). */
function median(runs: Figures[]): Figures {
  const mid = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;
  const of = (k: keyof Figures) => mid(runs.map((r) => r[k]));
  const figures = ['score', 'lcp', 'cls', 'fcp', 'tbt', 'js', 'cpu'] as const;
  return Object.fromEntries(figures.map((k) => [k, of(k)])) as Figures;
}

function printTable(rows: [string, Figures][]) {
  const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
  const lines = [
    ['page', 'perf', 'LCP', 'CLS', 'FCP', 'TBT', 'JS', 'CPU index'],
    ...rows.map(([page, f]) => [
      page,
      String(f.score),
      s(f.lcp),
      f.cls.toFixed(3),
      s(f.fcp),
      `${Math.round(f.tbt)} ms`,
      `${Math.round(f.js)} kB`,
      String(Math.round(f.cpu)),
    ]),
  ];
  const widths = lines[0]!.map((_, i) => Math.max(...lines.map((l) => l[i]!.length)));
  console.log(`\nLighthouse (mobile, performance), median of ${RUNS} run(s) per page`);
  for (const l of lines)
    console.log(l.map((cell, i) => (i ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!))).join('  '));
}

function pagesArg(): string[] | null {
  const i = process.argv.indexOf('--pages');
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]!.split(',') : null;
}

function sleep(ms: number) {
  return new Promise((r) => setTimeout(r, ms));
}

await main(); // last: main() reads the constants declared above it
