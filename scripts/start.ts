import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { startEmbeddedPostgres } from './embedded-pg';

/**
 * `npm start`: build if needed and serve. Without DATABASE_URL it runs on an embedded PostgreSQL under .data/
 * (and a local encryption key there), so a fresh clone starts with no setup. `--dev` runs `next dev` instead.
 */
const dev = process.argv.includes('--dev');
const port = process.env.PORT ?? '3000';
const env: NodeJS.ProcessEnv = { ...process.env };
let stopEmbedded: (() => Promise<void>) | undefined;

if (!env.DATABASE_URL) {
  const pg = await startEmbeddedPostgres(process.env.EMBEDDED_PG_DIR ?? 'pg', 54329);
  stopEmbedded = pg.stop;
  env.DATABASE_URL = `${pg.url}/steeple`;
  env.STEEPLE_SECRET_KEY ??= localSecret('secret-key');
  env.NEXTAUTH_SECRET ??= localSecret('auth-secret');
  console.log(`Embedded PostgreSQL on 127.0.0.1:${pg.port} (data in .data/${process.env.EMBEDDED_PG_DIR ?? 'pg'}). Set DATABASE_URL to use your own server.`);
}

env.NEXTAUTH_URL ??= `http://${env.HOST ?? '127.0.0.1'}:${port}`;

if (!dev && (!existsSync('.next/BUILD_ID') || process.argv.includes('--rebuild'))) {
  console.log('Building the app (first start only)…');
  const build = spawnSync('npx', ['next', 'build'], { stdio: 'inherit', env: { ...env, NEXT_TELEMETRY_DISABLED: '1' } });
  if (build.status !== 0) await exit(build.status ?? 1);
}

const server = spawn('npx', ['next', dev ? 'dev' : 'start', '-p', port, '-H', env.HOST ?? '127.0.0.1'], {
  stdio: 'inherit',
  env: { ...env, NEXT_TELEMETRY_DISABLED: '1' },
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => server.kill(signal));
server.on('exit', (code) => void exit(code ?? 0));

async function exit(code: number) {
  await stopEmbedded?.().catch(() => {});
  process.exit(code);
}

/** Only for the embedded default: secrets kept beside the embedded data, made once. Deployments set their own. */
function localSecret(name: string) {
  const file = path.resolve('.data', name);
  mkdirSync(path.dirname(file), { recursive: true });
  if (!existsSync(file)) writeFileSync(file, randomBytes(32).toString('base64'), { mode: 0o600 });
  return readFileSync(file, 'utf8').trim();
}
