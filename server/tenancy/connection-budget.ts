import { errorKind } from '@/server/errors';

export class ConnectionBudgetError extends errorKind('ConnectionBudget') {}

/**
 * The global connection budget, in slots: each pool reserves `poolSize` while it exists, so the connections of all
 * churches together can never exceed `budget`. With no room, the manager's least recently used idle pool is closed
 * to make some; if every pool is busy the caller waits in line until `waitMs`, then gets ConnectionBudgetError.
 */
export class ConnectionBudget {
  /** Slots held by cached, opening and closing pools. */
  reserved = 0;
  timeouts = 0;
  private waiters: Array<() => void> = [];

  constructor(private opts: { budget: number; poolSize: number; waitMs: number }) {
    if (opts.poolSize > opts.budget) throw new Error('pool size must not exceed the connection budget');
  }

  get waiting() {
    return this.waiters.length;
  }

  /** Take one pool's slots; `evictIdle` closes an idle pool to make room (false when there is none). */
  async reserve(evictIdle: () => Promise<boolean>, closed: () => boolean): Promise<void> {
    const deadline = Date.now() + this.opts.waitMs;
    while (this.reserved + this.opts.poolSize > this.opts.budget) {
      if (await evictIdle()) {
        await new Promise((r) => setImmediate(r)); // closing an unconnected pool takes no I/O: let others run
        continue;
      }
      const left = deadline - Date.now();
      if (left <= 0 || closed()) {
        this.timeouts++;
        throw new ConnectionBudgetError('all database connections are busy');
      }
      await this.waitForRoom(left);
    }
    this.reserved += this.opts.poolSize;
  }

  /** A pool closed (or was never opened): its slots go back, and the first in line looks again. */
  giveBack() {
    this.reserved -= this.opts.poolSize;
    this.wakeOne();
  }

  /** A lease ended: room may have been made (an idle pool to evict), so the first in line looks again. */
  wakeOne() {
    this.waiters.shift()?.();
  }

  /** Everyone in line looks again (the manager is closing: they are refused). */
  wakeAll() {
    for (const wake of this.waiters.splice(0)) wake();
  }

  private waitForRoom(ms: number) {
    return new Promise<void>((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== wake);
        resolve();
      }, ms);
      this.waiters.push(wake);
    });
  }
}
