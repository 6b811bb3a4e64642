import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { startEmbeddedPostgres } from './embedded-pg';

/**
 * The embedded default shared by `npm start` and `npm run tenants`: without DATABASE_URL, the embedded PostgreSQL under
 * .data/ and secrets kept beside it. A server already running there (the app's) is reused rather than started twice.
 */
const EMBEDDED_DIR = process.env.EMBEDDED_PG_DIR ?? 'pg';

export async function embeddedEnv(
  env: NodeJS.ProcessEnv,
): Promise<{ env: NodeJS.ProcessEnv; stop?: () => Promise<void>; note?: string }> {
  if (env.DATABASE_URL) return { env };
  const local = {
    STEEPLE_SECRET_KEY: env.STEEPLE_SECRET_KEY ?? localSecret('secret-key'),
    NEXTAUTH_SECRET: env.NEXTAUTH_SECRET ?? localSecret('auth-secret'),
  };
  const running = runningEmbedded();
  if (running) return { env: { ...env, ...local, STEEPLE_EMBEDDED: '1', DATABASE_URL: `${running}/steeple` } };
  const pg = await startEmbeddedPostgres(EMBEDDED_DIR, 54329, { durable: true }); // churches' data: never fsync=off
  const note =
    `Embedded PostgreSQL on 127.0.0.1:${pg.port} (data in .data/${EMBEDDED_DIR}). ` +
    'Set DATABASE_URL to use your own server.';
  return { env: { ...env, ...local, STEEPLE_EMBEDDED: '1', DATABASE_URL: `${pg.url}/steeple` }, stop: pg.stop, note };
}

/** Only for the embedded default: secrets kept beside the embedded data, made once. Deployments set their own. */
function localSecret(name: string) {
  const file = path.resolve('.data', name);
  mkdirSync(path.dirname(file), { recursive: true });
  if (!existsSync(file)) writeFileSync(file, randomBytes(32).toString('base64'), { mode: 0o600 });
  return readFileSync(file, 'utf8').trim();
}

/**
 * The URL of the embedded server if a live process holds its data dir
 * (postmaster.pid: pid on line 1, port on line 4).
 */
function runningEmbedded(): string | null {
  const pidFile = path.resolve('.data', EMBEDDED_DIR, 'postmaster.pid');
  const secretFile = path.resolve('.data', `${EMBEDDED_DIR}.password`);
  if (!existsSync(pidFile) || !existsSync(secretFile)) return null;
  const lines = readFileSync(pidFile, 'utf8').split('\n');
  try {
    process.kill(Number(lines[0]), 0);
  } catch {
    return null;
  }
  const password = readFileSync(secretFile, 'utf8').trim();
  return `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${Number(lines[3])}`;
}
