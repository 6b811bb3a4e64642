import { LRUCache } from 'lru-cache';
import { eq } from 'drizzle-orm';
import { dbServers, tenants, type Tenant } from '@/db/registry/schema';
import { withDeadline, type Registry } from '@/server/registry';
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

type Options = { timeoutMs: number; ttlMs: number; secretKey: string; maxEntries?: number; cacheable?: Gate };

/**
 * Finds where a church's database lives. Lookups have a deadline and active routes are cached briefly, so a slow
 * registry costs a request at most `timeoutMs`; a suspension takes effect within `ttlMs`.
 */
export class TenantResolver {
  private cache: LRUCache<string, TenantRoute>;

  constructor(
    private registry: Registry,
    private opts: Options,
  ) {
    this.cache = new LRUCache({ max: opts.maxEntries ?? 10_000, ttl: opts.ttlMs });
  }

  async resolve(tenantId: string): Promise<TenantRoute | null> {
    const hit = this.cache.get(tenantId);
    if (hit) return hit;
    const route = await this.lookup(tenantId);
    // Only routes its users may use are cached: a church that just finished provisioning or migrating is seen at once.
    if (route && admits(this.opts.cacheable ?? forUsers(0), route)) this.cache.set(tenantId, route);
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
}
