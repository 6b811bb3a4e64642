import { spawnSync } from 'node:child_process';
import { startEmbeddedPostgres } from './embedded-pg';
import { withDatabase } from '../server/tenancy/urls';

/**
 * `npm test`: every test. Integration tests run against the embedded PostgreSQL, and again against the server in
 * DATABASE_URL when it is set; then the Playwright suite runs in Chromium against the built app.
 */
const args = process.argv.slice(2);
const only = args.find((a) => a === '--integration' || a === '--e2e');
let failed = false;

function run(cmd: string, cmdArgs: string[], env: Record<string, string>) {
  const r = spawnSync(cmd, cmdArgs, { stdio: 'inherit', env: { ...process.env, ...env } });
  if (r.status !== 0) failed = true;
}

if (only !== '--e2e') {
  const embedded = await startEmbeddedPostgres('test-pg', 55432);
  try {
    console.log(`\n▶ integration tests on embedded PostgreSQL (port ${embedded.port})`);
    run('npx', ['vitest', 'run', ...args.filter((a) => !a.startsWith('--'))], { TEST_DATABASE_URL: withDatabase(embedded.url, 'postgres') });
  } finally {
    await embedded.stop();
  }
  if (process.env.DATABASE_URL) {
    console.log(`\n▶ integration tests on the server in DATABASE_URL`);
    run('npx', ['vitest', 'run', ...args.filter((a) => !a.startsWith('--'))], { TEST_DATABASE_URL: process.env.DATABASE_URL });
  }
}
if (only !== '--integration') {
  console.log('\n▶ end-to-end tests in Chromium');
  run('npx', ['playwright', 'test'], {});
}
process.exit(failed ? 1 : 0);
