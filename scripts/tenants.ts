import './cli-env';
import { parseArgs } from 'node:util';
import { and, eq, notInArray, type SQL } from 'drizzle-orm';
import { churches, dbServers, tenants } from '../db/registry/schema';
import { loadConfig, ConfigError } from '../server/config';
import { installCrashHandlers } from '../server/observability/crash';
import { backupChurch, restoreChurch } from '../server/fleet/backup';
import { closeChurch, findChurch, purgeChurch, resumeChurch, suspendChurch } from '../server/fleet/lifecycle';
import { migrateFleet, type FleetReport } from '../server/fleet/migrate';
import { moveChurch } from '../server/fleet/move';
import { setNumberLimit } from '../server/numbers/ownership';
import { addServer, listServers, placeChurch, setAccepting } from '../server/fleet/servers';
import { createServices, type Services } from '../server/services';
import { prepareDatabases } from '../server/tenancy/setup';
import { embeddedEnv } from './local-env';
import { progress } from './progress';

/**
 * `npm run tenants -- <command>`: the operator's view of the fleet. Every command takes --json (machine-readable
 * output on stdout; progress goes to stderr) and --help. Churches are named by slug or id.
 */
const HELP = `Usage: npm run tenants -- <command> [options]

Churches
  list [--status S] [--server NAME]      every church with its status, server and schema version
  show <church>                          one church in detail (slug or id)
  migrate [--concurrency N] [--canary N] [--skip-failing]
                                         registry, every server's template, then every church behind the latest
                                         tenant migration; resumable, and only one run at a time (advisory lock)
  suspend <church> [--reason TEXT]       maintenance page for its users; inbound texts are still stored
  resume <church>                        back in service (also undoes a delete within its grace period)
  delete <church> [--now] [--grace-days N] [--reason TEXT]
                                         close now and drop its database after the grace period (DELETE_GRACE_DAYS),
                                         or at once with --now
  backup <church> [--dir DIR]            pg_dump of its database (custom format) into DIR (BACKUP_DIR)
  restore <church> <file>                replace its database with a backup, then migrate it to the latest schema
  move <church> <server>                 copy its database to another server, switch it over, drop the old copy
  number-limit <church> <N|default>      sending numbers it may buy (default: NUMBERS_PER_CHURCH)

Database servers
  servers list                           each server with its capacity, churches and room
  servers add <name> --url-env VAR [--capacity N]
                                         register the server whose privileged URL is in env var VAR
  servers drain <name> [--move]          place no new churches there; with --move, move its churches elsewhere
  servers accept <name>                  place new churches there again

Options: --json (output as JSON), --help. Without DATABASE_URL the embedded server under .data/ is used.`;

const { values: opts, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    json: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
    status: { type: 'string' },
    server: { type: 'string' },
    concurrency: { type: 'string' },
    canary: { type: 'string' },
    'skip-failing': { type: 'boolean', default: false },
    reason: { type: 'string' },
    now: { type: 'boolean', default: false },
    'grace-days': { type: 'string' },
    dir: { type: 'string' },
    'url-env': { type: 'string' },
    capacity: { type: 'string' },
    move: { type: 'boolean', default: false },
  },
});

class UsageError extends Error {}

const [command, ...rest] = positionals;
if (opts.help || !command) {
  console.log(HELP);
  process.exit(command || opts.help ? 0 : 2);
}

installCrashHandlers({ exitOnRejection: true });
const embedded = await embeddedEnv(process.env);
Object.assign(process.env, embedded.env); // other servers' URL env vars are read from process.env
let services: Services | undefined;
let code = 0;
try {
  const config = loadConfig(process.env);
  if (command === 'migrate' || command === 'servers')
    await prepareDatabases(config.DATABASE_URL, { secretKey: config.STEEPLE_SECRET_KEY });
  services = createServices(config);
  code = (await run(services, command, rest)) ?? 0;
} catch (err) {
  code = err instanceof UsageError ? 2 : 1;
  const message = err instanceof ConfigError ? err.message : (err as Error).message;
  if (opts.json) console.log(JSON.stringify({ error: message }));
  else console.error(err instanceof UsageError ? `${message}\n\n${HELP}` : `Error: ${message}`);
} finally {
  await services?.close().catch(() => {});
  await embedded.stop?.().catch(() => {});
}
process.exit(code);

async function run(s: Services, cmd: string, args: string[]): Promise<number | void> {
  switch (cmd) {
    case 'list':
      return list(s);
    case 'show':
      return out(await describe(s, need(args[0], 'church')));
    case 'migrate':
      return migrate(s);
    case 'suspend':
      return out(await withChurch(s, args[0], (id) => suspendChurch(s, id, opts.reason)));
    case 'resume':
      return out(await withChurch(s, args[0], (id) => resumeChurch(s, id)));
    case 'delete':
      return out(
        await withChurch(s, args[0], async (id) =>
          opts.now
            ? purgeChurch(s, id)
            : closeChurch(s, id, { graceDays: int(opts['grace-days']), reason: opts.reason }),
        ),
      );
    case 'backup':
      return out(await withChurch(s, args[0], (id) => backupChurch(s, id, { dir: opts.dir ?? s.config.BACKUP_DIR })));
    case 'restore':
      return out(await withChurch(s, args[0], (id) => restoreChurch(s, id, need(args[1], 'backup file'))));
    case 'move':
      return out(await withChurch(s, args[0], (id) => moveChurch(s, id, need(args[1], 'server name'))));
    case 'number-limit':
      return out(await withChurch(s, args[0], (id) => setNumberLimit(s.registry, id, limitArg(args[1]))));
    case 'servers':
      return servers(s, args);
    default:
      throw new UsageError(`unknown command ${JSON.stringify(cmd)}`);
  }
}

/** A number of sending numbers, or `default` for NUMBERS_PER_CHURCH. */
function limitArg(raw: string | undefined): number | null {
  const value = need(raw, 'limit (a number, or default)');
  if (value === 'default') return null;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 1000) throw new UsageError('the limit must be 0 to 1000, or default');
  return n;
}

async function list(s: Services) {
  const where: SQL[] = [];
  if (opts.status) where.push(eq(tenants.status, opts.status as (typeof tenants.$inferSelect)['status']));
  if (opts.server) where.push(eq(dbServers.name, opts.server));
  const rows = await s.registry.db
    .select({
      id: tenants.id,
      slug: tenants.slug,
      name: churches.name,
      status: tenants.status,
      server: dbServers.name,
      schemaVersion: tenants.schemaVersion,
      createdAt: tenants.createdAt,
    })
    .from(tenants)
    .innerJoin(dbServers, eq(dbServers.id, tenants.dbServerId))
    .leftJoin(churches, eq(churches.tenantId, tenants.id))
    .where(and(...where))
    .orderBy(tenants.createdAt);
  if (opts.json) return out(rows);
  table(
    rows.map((r) => ({
      slug: r.slug,
      name: r.name ?? '',
      status: r.status,
      server: r.server,
      schema: r.schemaVersion,
      created: r.createdAt.toISOString().slice(0, 10),
    })),
  );
  console.log(`${rows.length} churches`);
}

async function describe(s: Services, ref: string) {
  const { tenant, name, server } = await findChurch(s.registry, ref);
  // The encrypted secret stays in the registry: an operator never needs it on screen.
  const { dbSecret: _secret, ...safe } = tenant;
  return { ...safe, name, server, currentSchemaVersion: s.provision.tenantSchemaVersion };
}

async function migrate(s: Services) {
  const bar = progress('migrating', !opts.json);
  let failed = 0;
  const report = await migrateFleet(s, {
    concurrency: int(opts.concurrency),
    canary: int(opts.canary),
    skipFailing: opts['skip-failing'],
    onTemplate: (t) =>
      !opts.json && console.error(`template on ${t.server}: ${t.ok ? `version ${t.version}` : `FAILED ${t.error}`}`),
    onChurch: (r, done, total) => {
      if (!r.ok) failed++;
      bar.update(done, total, failed ? `(${failed} failed)` : '');
    },
  });
  bar.done();
  if (opts.json) return (out(report), exitCode(report));
  for (const r of report.churches.filter((c) => !c.ok)) console.log(`FAILED ${r.slug} on ${r.server}: ${r.error}`);
  const rate = report.churches.length
    ? ` (${Math.round((report.churches.length / report.totalMs) * 1000)} churches/s)`
    : '';
  console.log(
    `schema version ${report.version}: ${report.migrated} migrated, ${report.failed} failed ` +
      `in ${(report.totalMs / 1000).toFixed(1)} s${rate}`,
  );
  if (report.stopped) console.log(`stopped: ${report.stopped}; run again to resume`);
  return exitCode(report);
}

function exitCode(r: FleetReport) {
  return r.failed || r.stopped || r.templates.some((t) => !t.ok) ? 1 : 0;
}

async function servers(s: Services, [sub, name]: string[]) {
  if (sub === 'list' || !sub) {
    const rows = await listServers(s.registry);
    if (opts.json) return out(rows);
    return table(
      rows.map((r) => ({
        name: r.name,
        host: `${r.host}:${r.port}`,
        urlEnv: r.adminUrlEnv,
        accepting: r.accepting ? 'yes' : 'no',
        capacity: r.capacity,
        churches: r.churches,
        room: r.room,
      })),
    );
  }
  const server = need(name, 'server name');
  if (sub === 'add') {
    const urlEnv = need(opts['url-env'], '--url-env VAR');
    return out(await addServer(s, { name: server, urlEnv, capacity: int(opts.capacity) ?? 1000 }));
  }
  if (sub === 'accept')
    return out(await setAccepting(s.registry, server, true).then(() => ({ server, accepting: true })));
  if (sub === 'drain') return drain(s, server);
  throw new UsageError(`unknown servers command ${JSON.stringify(sub)}`);
}

/** Stop placing churches on a server; with --move, move each of its churches to the server with the most room. */
async function drain(s: Services, server: string) {
  await setAccepting(s.registry, server, false);
  if (!opts.move) return out({ server, accepting: false });
  const movable = await s.registry.db
    .select({ id: tenants.id, slug: tenants.slug })
    .from(tenants)
    .innerJoin(dbServers, eq(dbServers.id, tenants.dbServerId))
    .where(
      and(eq(dbServers.name, server), notInArray(tenants.status, ['failed', 'deleted', 'deleting', 'provisioning'])),
    );
  const bar = progress('moving', !opts.json);
  const results = [];
  for (const church of movable) {
    const target = await placeChurch(s.registry.db); // the drained server no longer accepts, so it is never chosen
    if (!target) throw new Error('no other server is accepting churches');
    results.push(
      await moveChurch(s, church.id, target.name).then(
        (r) => ({ slug: church.slug, ok: true, ...r }),
        (err) => ({ slug: church.slug, ok: false, error: (err as Error).message }),
      ),
    );
    bar.update(results.length, movable.length);
  }
  bar.done();
  out({ server, accepting: false, moved: results });
  return results.some((r) => !r.ok) ? 1 : 0;
}

async function withChurch<T>(s: Services, ref: string | undefined, fn: (tenantId: string) => Promise<T>) {
  const { tenant } = await findChurch(s.registry, need(ref, 'church (slug or id)'));
  return { church: tenant.slug, ...(await fn(tenant.id)) };
}

function need(value: string | undefined, what: string): string {
  if (!value) throw new UsageError(`missing ${what}`);
  return value;
}

function int(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`expected a whole number, got ${JSON.stringify(value)}`);
  return n;
}

function out(value: unknown) {
  if (opts.json) console.log(JSON.stringify(value, null, 2));
  else if (Array.isArray(value)) console.table(value);
  else
    console.log(
      Object.entries(value as object)
        .map(([k, v]) => {
          const shown =
            typeof v === 'object' && v !== null && !(v instanceof Date)
              ? JSON.stringify(v)
              : v instanceof Date
                ? v.toISOString()
                : v;
          return `${k}: ${shown}`;
        })
        .join('\n'),
    );
}

function table(rows: Record<string, unknown>[]) {
  if (!rows.length) return;
  const keys = Object.keys(rows[0]!);
  const width = keys.map((k) => Math.max(k.length, ...rows.map((r) => String(r[k]).length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(width[i]!))
      .join('  ')
      .trimEnd();
  console.log(line(keys));
  for (const r of rows) console.log(line(keys.map((k) => String(r[k]))));
}
