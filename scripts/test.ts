import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync } from 'node:fs';
import { startEmbeddedPostgres } from './embedded-pg';
import { withDatabase } from '../server/tenancy/urls';

/**
 * `npm test`: every test. Unit tests run first, once (no database); integration tests run against the embedded
 * PostgreSQL, and at the same time against the server in DATABASE_URL when it is set, while the app is built; then
 * chaos tests; then the Playwright suite runs in Chromium against the built app. `--unit`, `--integration` (unit,
 * integration and chaos) or `--e2e` runs one part; other arguments are file filters for vitest.
 */
const args = process.argv.slice(2);
const only = args.find((a) => a === '--unit' || a === '--integration' || a === '--e2e');
const filters = args.filter((a) => !a.startsWith('--'));
let failed = false;
const totals = { passed: 0, failed: 0, skipped: 0 };
mkdirSync('.data', { recursive: true });

/**
 * Asynchronous on purpose: this process must keep draining the embedded server's log pipe while tests run. `log`: a
 * run alongside another writes its output there, printed whole when it ends, so the two never interleave.
 */
type Log = { file: string; title: string };
async function run(cmd: string, cmdArgs: string[], env: Record<string, string>, log?: Log) {
  const out = log ? openSync(log.file, 'w') : 'inherit';
  const child = spawn(cmd, cmdArgs, { stdio: ['ignore', out, out], env: { ...process.env, ...env } });
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  if (typeof out === 'number') {
    closeSync(out);
    process.stdout.write(`\n▶ ${log!.title}\n${readFileSync(log!.file, 'utf8')}`);
    rmSync(log!.file);
  }
  if (code !== 0) failed = true;
}

/** The parts of each runner's JSON report that are counted. */
type VitestReport = { numPassedTests: number; numFailedTests: number; numPendingTests: number; numTodoTests: number };
type PlaywrightReport = { stats: { expected: number; unexpected: number; flaky: number; skipped: number } };

/** Add one runner's JSON report to the totals; a missing report means the runner itself failed. */
function count<R>(file: string, read: (report: R) => { passed: number; failed: number; skipped: number }) {
  if (!existsSync(file)) {
    failed = true;
    totals.failed++;
    return;
  }
  const r = read(JSON.parse(readFileSync(file, 'utf8')));
  totals.passed += r.passed;
  totals.failed += r.failed;
  totals.skipped += r.skipped;
  rmSync(file);
}

async function vitest(label: string, vitestArgs: string[], env: Record<string, string> = {}, log?: Log) {
  const report = `.data/vitest-${label}.json`;
  rmSync(report, { force: true });
  await run(
    'npx',
    [
      'vitest',
      'run',
      ...vitestArgs,
      '--reporter=default',
      '--reporter=json',
      `--outputFile.json=${report}`,
      // A file filter names files of one suite; the others then have none, which is not a failure of theirs.
      ...(filters.length ? ['--passWithNoTests', ...filters] : []),
    ],
    { LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn', ...env },
    log,
  );
  count<VitestReport>(report, (r) => ({
    passed: r.numPassedTests,
    failed: r.numFailedTests,
    skipped: r.numPendingTests + r.numTodoTests,
  }));
}

/**
 * Suites of the app's own logic — junk input, sign-in and sessions, billing, webhook signatures, the tenant boundary,
 * buying and registering numbers, delivery outcomes, sending one text, picture messages, the operator CLI's commands,
 * and the workspace's forms (team, branches, templates, keywords, permissions, the connect card) —
 * gain nothing from a second PostgreSQL: they run once, on the embedded one, which keeps CI within its 30 minutes.
 * Everything that exercises PostgreSQL itself (provisioning, connections, fleet, backups, queries: audiences,
 * broadcasts, quiet hours, members, consent) runs on both.
 */
const SERVER_AGNOSTIC = [
  'tests/property.test.ts',
  'tests/hardening.test.ts',
  'tests/webhooks.test.ts',
  'tests/sessions.test.ts',
  'tests/signin.test.ts',
  'tests/tenant-boundary.test.ts',
  'tests/billing-access.test.ts',
  'tests/billing-webhooks.test.ts',
  'tests/billing-customer.test.ts',
  'tests/phone-numbers.test.ts',
  'tests/delivery-outcomes.test.ts',
  'tests/registration.test.ts',
  'tests/messaging-send.test.ts',
  'tests/tenants-cli.test.ts',
  'tests/team.test.ts',
  'tests/branches.test.ts',
  'tests/templates.test.ts',
  'tests/keywords.test.ts',
  'tests/permissions.test.ts',
  'tests/connect-card.test.ts',
  'tests/sequences.test.ts',
  'tests/broadcast-series.test.ts',
  'tests/team-inbox.test.ts',
  'tests/notifications.test.ts',
  'tests/media.test.ts',
  'tests/account-security.test.ts',
  'tests/email-verification.test.ts',
];

/**
 * Of those, the ones that run on the server in DATABASE_URL instead, when there is one: the two runs go side by side,
 * so moving the longest agnostic suites across evens them out (each about 11 minutes in CI rather than 15 and 6).
 */
const ON_THE_SERVER = ['tests/property.test.ts', 'tests/tenants-cli.test.ts', 'tests/tenant-boundary.test.ts'];

/** An integration run: `url` is the server under test, `second` another server churches are placed and moved to. */
const integration = (label: string, url: string, second: string, exclude: string[] = [], log?: Log) =>
  vitest(
    label,
    ['--project', 'integration'],
    { TEST_DATABASE_URL: url, SECOND_TEST_DATABASE_URL: second, INTEGRATION_EXCLUDE: exclude.join(',') },
    log,
  );

if (only !== '--e2e') {
  // Pure logic first and once: it needs no database, and a failure here is the quickest to read.
  console.log('\n▶ unit tests');
  await vitest('unit', ['--project', 'unit']);
}
// A whole run builds the app for the Playwright suite while the integration tests run (they mostly wait on PostgreSQL).
const appBuild = only === undefined ? buildApp() : null;
if (only !== '--e2e' && only !== '--unit') {
  const embedded = await startEmbeddedPostgres('test-pg', 55432);
  // Without DATABASE_URL the second server is another embedded one, so multi-server tests always run.
  const other = process.env.DATABASE_URL ? null : await startEmbeddedPostgres('test-pg2', 55433);
  const embeddedUrl = withDatabase(embedded.url, 'postgres');
  const secondUrl = process.env.DATABASE_URL ?? withDatabase(other!.url, 'postgres');
  try {
    console.log(`\n▶ integration tests on embedded PostgreSQL (port ${embedded.port})`);
    // The run on the server in DATABASE_URL goes alongside: each suite makes its own uniquely named databases, and
    // most of a run is waiting on PostgreSQL, so the second costs little beside the first. Its output comes whole
    // when it ends, so the two never interleave.
    const server = process.env.DATABASE_URL;
    const title =
      `integration tests on the server in DATABASE_URL (those of PostgreSQL's behaviour, and ${ON_THE_SERVER.length} ` +
      'agnostic suites moved here from the embedded run; ran alongside)';
    const onlyHere = SERVER_AGNOSTIC.filter((f) => !ON_THE_SERVER.includes(f));
    await Promise.all([
      integration('embedded', embeddedUrl, secondUrl, server ? ON_THE_SERVER : []),
      server && integration('server', server, embeddedUrl, onlyHere, { file: '.data/vitest-server.log', title }),
    ]);
  } finally {
    await other?.stop();
    await embedded.stop();
  }
  // Failure tests bring up (and break) their own PostgreSQL, Redis and worker processes; they time recoveries, so
  // they run on a machine the build has finished with.
  await appBuild;
  console.log('\n▶ chaos tests');
  await vitest('chaos', ['--config', 'vitest.chaos.config.ts'], {
    TEST_DATABASE_URL: '',
    SECOND_TEST_DATABASE_URL: '',
  });
}
if (only !== '--integration' && only !== '--unit') {
  ensureChromium();
  console.log('\n▶ end-to-end tests in Chromium');
  const report = '.data/playwright.json';
  rmSync(report, { force: true });
  const prebuilt = (await appBuild) ?? false; // a failed build is printed; the suite then builds (and fails) itself
  await run('npx', ['playwright', 'test', '--reporter=list,json'], {
    PLAYWRIGHT_JSON_OUTPUT_NAME: report,
    E2E_PREBUILT: prebuilt ? '1' : '',
  });
  count<PlaywrightReport>(report, (r) => ({
    passed: r.stats.expected,
    failed: r.stats.unexpected + r.stats.flaky,
    skipped: r.stats.skipped,
  }));
}
// A filter that matched no test in any suite is a typo, not a pass.
if (filters.length && totals.passed + totals.failed + totals.skipped === 0) {
  console.error(`\nNo tests matched ${filters.join(' ')}.`);
  failed = true;
}
// The plain closing line CI reads.
console.log(`\ntests: ${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
process.exit(failed || totals.failed > 0 ? 1 : 0);

/** `next build` in the background, its output kept in a file and shown only if it fails; whether it succeeded. */
async function buildApp() {
  const file = '.data/next-build.log';
  const out = openSync(file, 'w');
  const child = spawn('npx', ['next', 'build'], { stdio: ['ignore', out, out], env: process.env });
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  closeSync(out);
  if (code !== 0)
    process.stdout.write(`\n▶ next build failed (the Playwright suite will try again)\n${readFileSync(file, 'utf8')}`);
  return code === 0;
}

/** Playwright cannot download browsers here: it drives Debian's Chromium, installed on first use when we may. */
function ensureChromium() {
  const path = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (existsSync(path)) return;
  if (process.getuid?.() !== 0) {
    console.error(`Chromium not found at ${path}: install it (sudo apt-get install -y chromium) or set CHROMIUM_PATH.`);
    process.exit(1);
  }
  console.log('Installing Debian chromium for the end-to-end tests…');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  const r = spawnSync('apt-get', ['install', '-y', '-qq', 'chromium'], { stdio: 'inherit', env });
  if (r.status !== 0) process.exit(1);
}
