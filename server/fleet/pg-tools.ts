import { execFile, spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { mkdtemp, open, rename, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { DbServer } from '@/db/registry/schema';
import type { Services } from '@/server/services';
import { errorKind } from '@/server/errors';
import { ident } from '@/server/tenancy/naming';
import { withDatabase } from '@/server/tenancy/urls';

/** The parts of Services this module uses. */
type Deps = Pick<Services, 'cluster' | 'config'>;

/**
 * pg_dump and pg_restore: finding a pair at least as new as the servers involved, and running them without a shell,
 * with the password in PGPASSWORD only (never on a command line, where `ps` would show it, nor in errors).
 */
export type PgTool = { path: string; version: string; major: number };
export type PgTools = { pgDump: PgTool; pgRestore: PgTool };

const run = promisify(execFile);
const versions = new Map<string, Promise<{ version: string; major: number } | null>>();

/** `pg_dump --version` → "pg_dump (PostgreSQL) 15.20 (Debian …)"; null when it is missing or unreadable. */
function versionOf(file: string) {
  let pending = versions.get(file);
  if (!pending) {
    pending = run(file, ['--version'], { timeout: 10_000 }).then(
      ({ stdout }) => {
        const m = /\(PostgreSQL\)\s+(\d+)(?:\.(\d+))?/.exec(stdout);
        // Before 10 the major version had two parts (9.6); those are far too old for any server we support anyway.
        return m ? { version: m[2] ? `${m[1]}.${m[2]}` : m[1]!, major: Number(m[1]) } : null;
      },
      () => null,
    );
    versions.set(file, pending);
  }
  return pending;
}

/**
 * Directories to look in, in order: PG_BIN_DIR, each PATH entry, then /usr/lib/postgresql/<major>/bin, newest first.
 */
function candidateDirs(binDir: string | undefined) {
  const onPath = (process.env.PATH ?? '').split(path.delimiter).filter(Boolean);
  const debian = '/usr/lib/postgresql';
  const installed = existsSync(debian)
    ? readdirSync(debian)
        .filter((v) => /^\d+(\.\d+)?$/.test(v))
        .sort((a, b) => Number(b) - Number(a))
        .map((v) => path.join(debian, v, 'bin'))
    : [];
  return [...new Set([...(binDir ? [binDir] : []), ...onPath, ...installed])];
}

/** An operator-facing refusal or failure: the CLI prints its message as it is. */
export class FleetError extends errorKind('Fleet') {}

/**
 * The first directory holding both tools at a major version >= `serverVersionNum`'s (from `show server_version_num`).
 */
export async function findPgTools(binDir: string | undefined, serverVersionNum: number): Promise<PgTools> {
  const needed = Math.floor(serverVersionNum / 10_000);
  const seen: string[] = [];
  for (const dir of candidateDirs(binDir)) {
    const [dump, restore] = await Promise.all(['pg_dump', 'pg_restore'].map((t) => versionOf(path.join(dir, t))));
    if (!dump && !restore) continue;
    seen.push(`${dir} (pg_dump ${dump?.version ?? 'missing'}, pg_restore ${restore?.version ?? 'missing'})`);
    if (dump && restore && dump.major >= needed && restore.major >= needed) {
      return {
        pgDump: { path: path.join(dir, 'pg_dump'), ...dump },
        pgRestore: { path: path.join(dir, 'pg_restore'), ...restore },
      };
    }
  }
  throw new FleetError(
    `no pg_dump and pg_restore of PostgreSQL ${needed} or newer found ` +
      `(the newest server involved runs PostgreSQL ${needed}). ` +
      `Searched PG_BIN_DIR (${binDir ?? 'not set'}), PATH and /usr/lib/postgresql/*/bin; ` +
      `found: ${seen.join('; ') || 'none'}. ` +
      `Install the PostgreSQL ${needed} client tools or set PG_BIN_DIR.`,
  );
}

/** The tools for every server involved: they must be at least as new as the newest of them. */
export async function toolsFor(services: Deps, servers: DbServer[]) {
  const nums = await Promise.all(
    servers.map(async (s) => Number((await services.cluster.sql(s)`show server_version_num`)[0]!.server_version_num)),
  );
  return findPgTools(services.config.PG_BIN_DIR, Math.max(...nums));
}

/** libpq connection flags and environment for one database, from a postgres:// URL. */
function connection(url: string, database: string) {
  const u = new URL(withDatabase(url, database));
  // ?host= is a socket directory.
  const host = u.searchParams.get('host') ?? (u.hostname.replace(/^\[|\]$/g, '') || '127.0.0.1');
  ident(database); // only names we generated: -d would also take a whole conninfo string
  const args = [
    '--no-password',
    '-h',
    host,
    '-p',
    u.port || '5432',
    '-U',
    decodeURIComponent(u.username || 'postgres'),
    '-d',
    database,
  ];
  const env: NodeJS.ProcessEnv = { ...process.env, PGCONNECT_TIMEOUT: '10' };
  if (u.password) env.PGPASSWORD = decodeURIComponent(u.password);
  const sslmode = u.searchParams.get('sslmode');
  if (sslmode) env.PGSSLMODE = sslmode;
  return { args, env };
}

/**
 * Run a tool, against `db.database` on the server at `db.url` when given. stdout goes to `stdout` (a file
 * descriptor) when given, otherwise it is collected and returned. A non-zero exit rejects with the tool's stderr.
 */
function runPgTool(
  tool: PgTool,
  args: string[],
  db: { url: string; database: string } | null,
  opts: { stdout?: number } = {},
) {
  const conn = db ? connection(db.url, db.database) : { args: [], env: process.env };
  const name = path.basename(tool.path);
  return new Promise<string>((resolve, reject) => {
    const child = spawn(tool.path, [...conn.args, ...args], {
      env: conn.env,
      stdio: ['ignore', opts.stdout ?? 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    let err = '';
    child.stdout?.on('data', (d: Buffer) => out.push(d));
    child.stderr!.on('data', (d: Buffer) => {
      // The end of stderr says what went wrong; a chatty tool cannot grow it forever.
      err = (err + d.toString()).slice(-4_000);
    });
    child.once('error', (e) => reject(new FleetError(`${name} could not start (${tool.path}): ${e.message}`)));
    child.once('close', (code, signal) => {
      if (code === 0) resolve(Buffer.concat(out).toString());
      else
        reject(
          new FleetError(
            `${name} failed (${signal ?? `exit ${code}`})${db ? ` on ${db.database}` : ''}: ` +
              (err.trim() || 'no output'),
          ),
        );
    });
  });
}

/** pg_dump -Fc of one database into `file` (mode 0600), under a temporary name until complete: bytes written. */
export async function dumpToFile(tools: PgTools, url: string, database: string, file: string) {
  const partial = path.join(path.dirname(file), `.${path.basename(file)}.partial`);
  const handle = await open(partial, 'w', 0o600);
  try {
    // A migration holding a lock must fail the dump, not hang it.
    await runPgTool(
      tools.pgDump,
      ['--format=custom', '--lock-wait-timeout=30s'],
      { url, database },
      { stdout: handle.fd },
    );
    await handle.sync();
    const { size } = await handle.stat();
    await handle.close();
    await rename(partial, file);
    return size;
  } catch (err) {
    await handle.close().catch(() => {});
    await rm(partial, { force: true });
    throw err;
  }
}

/** The custom format's header: "PGDMP", three version bytes, int and offset sizes, then the format (1 = custom). */
async function isCustomArchive(file: string) {
  const handle = await open(file, 'r').catch(() => null);
  if (!handle) return false;
  try {
    if (!(await handle.stat()).isFile()) return false;
    const head = Buffer.alloc(11);
    const { bytesRead } = await handle.read(head, 0, 11, 0);
    return bytesRead === 11 && head.subarray(0, 5).toString('latin1') === 'PGDMP' && head[10] === 1;
  } finally {
    await handle.close();
  }
}

/** The archive's table of contents (`pg_restore -l`) and the database it was dumped from. */
export async function readArchive(tools: PgTools, file: string) {
  if (!(await isCustomArchive(file)))
    throw new FleetError(`${file} is not a pg_dump custom-format archive (make one with \`tenants backup\`)`);
  const toc = await runPgTool(tools.pgRestore, ['--list', file], null);
  const dbname = /^;\s+dbname: (.*)$/m.exec(toc)?.[1]?.trim() ?? '';
  return { toc, dbname };
}

/**
 * Restore an archive into an existing empty database. Objects end up owned by the connecting (privileged) user, as
 * after migrations; ACLs are kept, except default privileges, which name the dumping user (maybe absent here) and
 * which migrateTenantDatabase sets again for the current one.
 */
export async function restoreArchive(tools: PgTools, url: string, database: string, file: string, toc: string) {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'steeple-restore-'));
  try {
    const list = path.join(dir, 'toc.list');
    await writeFile(
      list,
      toc
        .split('\n')
        .filter((line) => !/\bDEFAULT ACL\b/.test(line))
        .join('\n'),
      { mode: 0o600 },
    );
    await runPgTool(tools.pgRestore, ['--no-owner', '--exit-on-error', `--use-list=${list}`, file], { url, database });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
