import { eq } from 'drizzle-orm';
import { dbServers, tenants, type Tenant } from '@/db/registry/schema';
import type { Registry } from '@/server/registry';
import { errorKind } from '@/server/errors';
import { admits, forUsers, type Gate } from './availability';
import { decryptSecret } from './secrets';

export type TenantRoute = {
  tenantId: string;
  status: Tenant['status'];
  schemaVersion: number;
  host: string;
  port: number;
  database: string;
  user: string;
  password: string;
};

/** The registry did not answer in time, or not at all: requests fail fast instead of hanging. */
export class RegistryUnavailableError extends errorKind('RegistryUnavailable') {
  constructor(cause?: unknown) {
    super('registry unavailable', { cause });
  }
}

type Options = { timeoutMs: number; ttlMs: number; secretKey: string; maxEntries?: number; cacheable?: Gate };

/**
 * Finds where a church's database lives. Lookups have a deadline and active routes are cached briefly, so a slow
 * registry costs a request at most `timeoutMs`; a suspension takes effect within `ttlMs`.
 */
export class TenantResolver {
  private cache = new Map<string, { route: TenantRoute; expires: number }>();

  constructor(private registry: Registry, private opts: Options) {}

  async resolve(tenantId: string): Promise<TenantRoute | null> {
    const hit = this.cache.get(tenantId);
    if (hit && hit.expires > Date.now()) return hit.route;
    const route = await this.lookup(tenantId);
    // Only routes its users may use are cached: a church that just finished provisioning or migrating is seen at once.
    if (route && admits(this.opts.cacheable ?? forUsers(0), route)) this.remember(tenantId, route);
    else this.cache.delete(tenantId);
    return route;
  }

  invalidate(tenantId: string) {
    this.cache.delete(tenantId);
  }

  private async lookup(tenantId: string): Promise<TenantRoute | null> {
    const query = this.registry.db
      .select({ tenant: tenants, host: dbServers.host, port: dbServers.port })
      .from(tenants)
      .innerJoin(dbServers, eq(dbServers.id, tenants.dbServerId))
      .where(eq(tenants.id, tenantId))
      .limit(1);
    const rows = await withDeadline(query, this.opts.timeoutMs);
    const row = rows[0];
    if (!row) return null;
    const t = row.tenant;
    return {
      tenantId: t.id,
      status: t.status,
      schemaVersion: t.schemaVersion,
      host: row.host,
      port: row.port,
      database: t.dbName,
      user: t.dbRole,
      password: decryptSecret(t.dbSecret, this.opts.secretKey),
    };
  }

  private remember(tenantId: string, route: TenantRoute) {
    this.cache.delete(tenantId);
    this.cache.set(tenantId, { route, expires: Date.now() + this.opts.ttlMs });
    if (this.cache.size > (this.opts.maxEntries ?? 10_000)) this.cache.delete(this.cache.keys().next().value!);
  }
}

/** Reject after `ms`; a registry error of any kind becomes RegistryUnavailableError. */
export async function withDeadline<T>(work: PromiseLike<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new RegistryUnavailableError(new Error(`no answer in ${ms} ms`))), ms);
  });
  try {
    return await Promise.race([Promise.resolve(work), deadline]);
  } catch (err) {
    throw RegistryUnavailableError.is(err) ? err : new RegistryUnavailableError(err);
  } finally {
    clearTimeout(timer);
  }
}
