import type { TenantDb } from '@/db/tenant';
import { errorKind } from '@/server/errors';
import { log } from '@/server/log';
import type { Gate } from './availability';
import { ConnectionBudget } from './connection-budget';
import type { TenantRoute } from './resolver';
import { openPool, targetOf, type Pool } from './tenant-pool';

export type ConnectionManagerOptions = {
  /** Server connections all tenant pools together may hold; never exceeded. */
  budget: number;
  /** Connections one tenant's pool may hold. */
  poolSize: number;
  idleSeconds: number;
  /** How long a request waits for room under the budget before it is refused. */
  waitMs: number;
  /**
   * A statement on a church connection is cancelled after this (57014, a 503 "busy"), so none holds the budget for
   * ever.
   */
  statementTimeoutMs?: number;
  closeTimeoutSeconds?: number;
  /** Applied when a caller names no other gate (see availability.ts). */
  gate?: Gate;
  resolve: (tenantId: string) => Promise<TenantRoute | null>;
};

export type Lease = { db: TenantDb; route: TenantRoute; release: () => void };

export class TenantNotFoundError extends errorKind('TenantNotFound') {}

/**
 * Hands out Drizzle clients bound to one church's database. Pools live in an LRU; each reserves `poolSize` of the
 * global budget while it exists (connection-budget.ts), so open connections can never exceed the budget. When the
 * budget is full the least recently used idle pool is closed (awaited, with a timeout) to make room; if every pool is
 * busy the caller waits in line until `waitMs`, then gets ConnectionBudgetError.
 */
export class ConnectionManager {
  private pools = new Map<string, Pool>(); // insertion order = LRU order
  private opening = new Map<string, Promise<Pool>>();
  private budget: ConnectionBudget;
  private sweeper: NodeJS.Timeout;
  private closed = false;
  private closing = 0;
  readonly counters = { created: 0, closed: 0, evicted: 0, openConnections: 0, peakConnections: 0 };

  constructor(private opts: ConnectionManagerOptions) {
    this.budget = new ConnectionBudget(opts);
    this.sweeper = setInterval(() => void this.evictIdle(), Math.max(1000, (opts.idleSeconds * 1000) / 2));
    this.sweeper.unref();
  }

  /** Run `fn` with the tenant's database; the pool cannot be evicted while it runs. */
  async withTenant<T>(tenantId: string, fn: (db: TenantDb, route: TenantRoute) => Promise<T>, gate?: Gate): Promise<T> {
    const lease = await this.acquire(tenantId, gate);
    try {
      return await fn(lease.db, lease.route);
    } finally {
      lease.release();
    }
  }

  /** Lease the tenant's pool. The gate may refuse the route (e.g. a suspended church) before any pool is opened. */
  async acquire(tenantId: string, gate = this.opts.gate): Promise<Lease> {
    if (this.closed) throw new Error('connection manager is closed');
    const route = await this.opts.resolve(tenantId);
    if (this.closed) throw new Error('connection manager is closed'); // closed while we looked the church up
    if (!route) throw new TenantNotFoundError(`tenant ${tenantId} not found`);
    gate?.(route);
    let pool = this.pools.get(tenantId);
    // Moved or restored since the pool opened: its connections point at the old database.
    if (pool && pool.target !== targetOf(route)) {
      await this.retire(pool);
      pool = undefined;
    }
    while (!pool) {
      const opened = await this.open(tenantId, route);
      // It may have been evicted between opening and now: only a pool still in the cache may be leased.
      if (this.pools.get(tenantId) === opened) pool = opened;
    }
    pool.leases++;
    pool.fresh = false;
    pool.lastUsed = Date.now();
    this.pools.delete(tenantId); // move to the most recently used end
    this.pools.set(tenantId, pool);
    let released = false;
    return {
      db: pool.db,
      route,
      release: () => {
        if (released) return;
        released = true;
        pool.leases--;
        pool.lastUsed = Date.now();
        if (pool.retired && pool.leases === 0) void this.end(pool);
        this.budget.wakeOne();
      },
    };
  }

  stats() {
    const cached = this.pools.size;
    return {
      ...this.counters,
      budgetTimeouts: this.budget.timeouts,
      cached,
      reserved: this.budget.reserved,
      budget: this.opts.budget,
      waiting: this.budget.waiting,
      closing: this.closing,
      // Pools created but neither cached, closing nor closed have been lost track of: must stay 0.
      potentialLeaks: this.counters.created - this.counters.closed - cached - this.closing,
    };
  }

  /** Drop a tenant's pool (after suspension or deletion). Waits for it to close. */
  async forget(tenantId: string) {
    const pool = this.pools.get(tenantId);
    if (pool) await this.closePool(pool);
  }

  async close() {
    this.closed = true;
    clearInterval(this.sweeper);
    await Promise.all([...this.opening.values()].map((p) => p.catch(() => null)));
    await Promise.all([...this.pools.values()].map((p) => this.closePool(p)));
    this.budget.wakeAll();
  }

  private open(tenantId: string, route: TenantRoute): Promise<Pool> {
    let pending = this.opening.get(tenantId);
    if (!pending) {
      pending = this.budget
        .reserve(
          () => this.evictOneIdle(),
          () => this.closed,
        )
        .then(() => {
          if (!this.closed) return this.createPool(tenantId, route);
          this.budget.giveBack(); // closed while we waited for room: give the slots back
          throw new Error('connection manager is closed');
        });
      this.opening.set(tenantId, pending);
      const done = () => this.opening.delete(tenantId);
      pending.then(done, done);
    }
    return pending;
  }

  private createPool(tenantId: string, route: TenantRoute): Pool {
    const pool = openPool(tenantId, route, this.opts, this.counters);
    this.pools.set(tenantId, pool);
    this.counters.created++;
    return pool;
  }

  /** The least recently used idle pool, closed to make room under the budget; false when there is none. */
  private async evictOneIdle(): Promise<boolean> {
    // A pool opened for a caller that has not leased it yet is not idle: evicting it would make callers evict each
    // other's new pools for ever.
    const idle = [...this.pools.values()].find((p) => p.leases === 0 && !p.fresh);
    if (!idle) return false;
    this.counters.evicted++;
    await this.closePool(idle);
    return true;
  }

  private async closePool(pool: Pool) {
    if (this.pools.get(pool.tenantId) !== pool) return; // already closing
    this.pools.delete(pool.tenantId);
    this.closing++;
    await this.end(pool);
  }

  /** Take a pool out of the cache now and close it once its last lease is released. */
  private async retire(pool: Pool) {
    if (pool.leases === 0) return this.closePool(pool);
    this.pools.delete(pool.tenantId);
    this.closing++;
    pool.retired = true;
  }

  /** Close a pool already counted as closing, and give its slots back. */
  private async end(pool: Pool) {
    try {
      await pool.sql.end({ timeout: this.opts.closeTimeoutSeconds ?? 5 });
    } catch (err) {
      log.warn('tenant pool did not close cleanly', { tenantId: pool.tenantId, err });
    } finally {
      this.closing--;
      this.counters.closed++;
      this.budget.giveBack();
    }
  }

  private async evictIdle() {
    const cutoff = Date.now() - this.opts.idleSeconds * 1000;
    const idle = [...this.pools.values()].filter((p) => p.leases === 0 && !p.fresh && p.lastUsed < cutoff);
    for (const pool of idle) {
      this.counters.evicted++;
      await this.closePool(pool);
    }
  }
}
