import { and, eq, inArray, lt, notInArray, sql as dsql } from 'drizzle-orm';
import postgres from 'postgres';
import { dbServers, tenants } from '@/db/registry/schema';
import { errorKind } from '@/server/errors';
import { log } from '@/server/log';
import { wakeInbound } from './lifecycle';
import type { Services } from '@/server/services';
import { whileLocked } from './advisory-lock';
import { latestTenantVersion, migrateTenantDatabase, tenantMigrations } from '@/server/tenancy/migrator';
import { ensureServerReady } from '@/server/tenancy/setup';

/** The parts of Services this module uses. */
type Deps = Pick<
  Services,
  'billing' | 'cluster' | 'config' | 'connections' | 'messaging' | 'naming' | 'registry' | 'resolver'
>;

/**
 * The fleet migrator: brings every server's template and every church database to the latest tenant migration, with
 * bounded concurrency, under an advisory lock (two runs never collide). Each church's applied version is recorded in
 * the registry as it finishes, so a run that stopped (a failure, a crash, Ctrl-C) resumes where it left off.
 */

export class MigrationInProgressError extends errorKind('MigrationInProgress') {}

export type ChurchResult = {
  tenantId: string;
  slug: string;
  server: string;
  from: number;
  to: number;
  ok: boolean;
  ms: number;
  error?: string;
};
export type TemplateResult = { server: string; version: number | null; ok: boolean; error?: string };

export type FleetOptions = {
  /** Church databases migrated at once (default: MIGRATION_CONCURRENCY, else sized to the connection budget). */
  concurrency?: number;
  /** Migrate this many churches first; any failure among them stops the run. */
  canary?: number;
  /** Carry on past a church that fails (it stays behind and is retried next run); by default the run stops. */
  skipFailing?: boolean;
  /** Another tenant migrations folder (tests and the scale bench). */
  folder?: string;
  onTemplate?: (r: TemplateResult) => void;
  onChurch?: (r: ChurchResult, done: number, total: number) => void;
};

export type FleetReport = {
  version: number;
  templates: TemplateResult[];
  churches: ChurchResult[];
  migrated: number;
  failed: number;
  /** Why the run stopped before every church was tried, if it did. */
  stopped: string | null;
  totalMs: number;
};

/** Statuses whose database exists and is kept current; a moving church is migrated by the move itself. */
const KEPT_CURRENT = ['active', 'suspended', 'closed'] as const;

export function defaultConcurrency(config: Services['config']) {
  return config.MIGRATION_CONCURRENCY ?? Math.max(2, Math.min(16, Math.floor(config.CONNECTION_BUDGET / 4)));
}

export async function migrateFleet(services: Deps, opts: FleetOptions = {}): Promise<FleetReport> {
  const folder = opts.folder ?? tenantMigrations.migrationsFolder;
  const version = latestTenantVersion(folder);
  return withFleetLock(services, async () => {
    const started = Date.now();
    const templates = await migrateTemplates(services, folder, opts.onTemplate);
    const run = new ChurchRun(services, version, folder, opts);
    if (opts.canary) {
      await run.pass(opts.canary);
      if (run.failed) run.stopped = `canary failed: ${run.failed} of ${run.results.length} churches`;
    }
    // Passes repeat until nothing is left: churches activated from an older template during the run are caught too.
    while (!run.stopped && (await run.pass())) {}
    const report = {
      version,
      templates,
      churches: run.results,
      migrated: run.results.length - run.failed,
      failed: run.failed,
      stopped: run.stopped,
      totalMs: Date.now() - started,
    };
    log.info('fleet migration finished', {
      version,
      migrated: report.migrated,
      failed: report.failed,
      stopped: report.stopped,
      totalMs: report.totalMs,
    });
    return report;
  });
}

/** Every registered server's template, so a new church is current wherever it is placed. */
async function migrateTemplates(services: Deps, folder: string, onTemplate?: FleetOptions['onTemplate']) {
  const servers = await services.registry.db.select().from(dbServers).orderBy(dbServers.id);
  const results: TemplateResult[] = [];
  for (const server of servers) {
    const result = await ensureServerReady(
      services.cluster.sql(server),
      services.cluster.urlOf(server),
      services.naming,
      folder,
    ).then(
      (v): TemplateResult => ({ server: server.name, version: v, ok: true }),
      (err): TemplateResult => ({
        server: server.name,
        version: null,
        ok: false,
        error: String((err as Error).message ?? err),
      }),
    );
    if (!result.ok) log.error('template migration failed', { server: server.name, error: result.error });
    onTemplate?.(result);
    results.push(result);
  }
  return results;
}

/** One run over the churches: a pass takes those still behind, never retrying one that already failed in this run. */
class ChurchRun {
  results: ChurchResult[] = [];
  failed = 0;
  stopped: string | null = null;
  private tried = new Set<string>();

  constructor(
    private services: Deps,
    private version: number,
    private folder: string,
    private opts: FleetOptions,
  ) {}

  stop(reason: string) {
    this.stopped ??= reason;
  }

  /** Migrate up to `limit` churches still behind; false when there were none. */
  async pass(limit = Infinity): Promise<boolean> {
    const todo = (await this.behind()).slice(0, limit);
    if (!todo.length) return false;
    const total = this.results.length + todo.length;
    const concurrency = Math.max(
      1,
      Math.min(this.opts.concurrency ?? defaultConcurrency(this.services.config), todo.length),
    );
    const next = () => (this.stopped ? undefined : todo.shift());
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        for (let church = next(); church; church = next()) {
          const result = await this.migrateOne(church);
          this.results.push(result);
          if (!result.ok) {
            this.failed++;
            if (!this.opts.skipFailing) this.stop(`${church.slug} failed (use --skip-failing to carry on past it)`);
          }
          this.opts.onChurch?.(result, this.results.length, total);
        }
      }),
    );
    return true;
  }

  private async behind() {
    const rows = await this.services.registry.db
      .select({
        id: tenants.id,
        slug: tenants.slug,
        dbName: tenants.dbName,
        from: tenants.schemaVersion,
        server: dbServers,
      })
      .from(tenants)
      .innerJoin(dbServers, eq(dbServers.id, tenants.dbServerId))
      .where(
        and(
          inArray(tenants.status, [...KEPT_CURRENT]),
          lt(tenants.schemaVersion, this.version),
          this.tried.size ? notInArray(tenants.id, [...this.tried]) : undefined,
        ),
      )
      .orderBy(tenants.createdAt);
    for (const r of rows) this.tried.add(r.id);
    return rows;
  }

  private async migrateOne(church: Awaited<ReturnType<ChurchRun['behind']>>[number]): Promise<ChurchResult> {
    const started = Date.now();
    const base = { tenantId: church.id, slug: church.slug, server: church.server.name, from: church.from };
    const { registry, cluster, naming, resolver } = this.services;
    try {
      const to = await migrateTenantDatabase(
        cluster.urlOf(church.server),
        church.dbName,
        naming.tenantGroup,
        this.folder,
      );
      await registry.db
        .update(tenants)
        .set({ schemaVersion: to, migratedAt: dsql`now()`, migrationError: null })
        .where(eq(tenants.id, church.id));
      resolver.invalidate(church.id); // this process serves it again at once; others within the resolver's TTL
      await wakeInbound(this.services, church.id); // texts that waited for the upgrade
      return { ...base, to, ok: true, ms: Date.now() - started };
    } catch (err) {
      // Drizzle wraps the database's own words ("column … already exists") in the cause.
      const error = [(err as Error).message ?? String(err), ((err as Error).cause as Error | undefined)?.message]
        .filter(Boolean)
        .join(': ');
      log.error('church migration failed', { tenantId: church.id, server: church.server.name, err });
      await registry.db
        .update(tenants)
        .set({ migrationError: error.slice(0, 2000) })
        .where(eq(tenants.id, church.id))
        .catch(() => {});
      return { ...base, to: church.from, ok: false, ms: Date.now() - started, error };
    }
  }
}

/** Hold the fleet's advisory lock (on the registry, through the privileged user) while `fn` runs. */
async function withFleetLock<T>(services: Deps, fn: () => Promise<T>): Promise<T> {
  const sql = postgres(services.config.DATABASE_URL, { max: 1, onnotice: () => {} });
  const busy = () =>
    new MigrationInProgressError('another migration is running (it holds the fleet lock); wait for it to finish');
  try {
    return await whileLocked(sql, `${services.naming.prefix}:fleet-migrate`, busy, fn);
  } finally {
    await sql.end({ timeout: 5 });
  }
}
