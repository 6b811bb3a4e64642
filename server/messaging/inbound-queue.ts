import { addJobInTransaction } from '@/server/jobs/queue';
import { withoutQueryParams } from '@/server/observability/redact';
import { type Registry, withDeadline } from '@/server/registry';
import { toPending, type NewEvent, type Pending, type Row } from './inbound-events';
import { DeliveredMarks } from './inbound-marks';

/**
 * The registry's holding area for texting events (`inbound_events`): each event is written here the moment its
 * signature checks out, and leaves once its church's own database has it (server/messaging/inbound-delivery.ts).
 * Unique by the provider's message id while it waits (and in the church's database after), in arrival order, and
 * drained per church by one queue job.
 */
export const DRAIN_TASK = 'deliver_inbound';

export class InboundQueue {
  private marks: DeliveredMarks;
  private purgedAt = 0;

  constructor(private registry: Registry) {
    this.marks = new DeliveredMarks(registry);
  }

  /**
   * Keep an event (or find the one already kept under its key). `behind`: an older text from the same sender is
   * still waiting, so this one must wait its turn rather than overtake it.
   */
  async record(e: NewEvent): Promise<{ event: Pending; behind: boolean }> {
    const sql = this.registry.sql;
    const sender = e.kind === 'received' ? e.sender : null;
    const optOut = e.kind === 'received' && e.optOut;
    const find = async () => {
      const [row] = await sql<Row[]>`
        with added as (
          insert into inbound_events (tenant_id, kind, event_key, sender, opt_out, payload)
          values (${e.tenantId}, ${e.kind}, ${e.key}, ${sender}, ${optOut}, ${JSON.stringify(e.payload)}::jsonb)
          on conflict (event_key) do nothing
          returning id, tenant_id, kind, sender, attempts, payload, received_at, delivered_at
        ), found as (
          select id, tenant_id, kind, sender, attempts, payload, received_at, delivered_at from added
          union all
          select id, tenant_id, kind, sender, attempts, payload, received_at, delivered_at from inbound_events
           where event_key = ${e.key} and not exists (select 1 from added)
        )
        select found.*, exists (
          select 1 from inbound_events o
           where o.tenant_id = found.tenant_id and o.sender = found.sender and o.delivered_at is null
             and o.id < found.id
             and o.id <> all(${[...this.marks.unmarked]}::bigint[])
        ) as behind
        from found`;
      return row;
    };
    // A concurrent duplicate is not in this statement's snapshot: it waited for that one to commit, so look again.
    const row =
      (await withDeadline(find(), this.registry.timeoutMs)) ?? (await withDeadline(find(), this.registry.timeoutMs));
    if (!row) throw new Error(`inbound event ${e.key} was neither stored nor found`);
    return { event: toPending(row), behind: !!row.behind };
  }

  /** The church's waiting events, oldest first. */
  async pending(tenantId: string, limit: number): Promise<Pending[]> {
    await this.flush();
    const rows = await withDeadline(
      this.registry.sql<Row[]>`
        select id, tenant_id, kind, sender, attempts, payload, received_at, delivered_at from inbound_events
         where tenant_id = ${tenantId} and delivered_at is null order by id limit ${limit}`,
      this.registry.timeoutMs,
    );
    return rows.map(toPending);
  }

  /**
   * It is in the church's database (or has nowhere to go): the event leaves the registry, words and all — from here on
   * the church's own unique message id answers a replay.
   */
  async delivered(id: number) {
    await withDeadline(this.registry.sql`delete from inbound_events where id = ${id}`, this.registry.timeoutMs);
  }

  /** Failing again and again for a reason of its own: set aside (kept, words and all) so its church's texts flow. */
  async setAside(id: number) {
    await withDeadline(
      this.registry.sql`update inbound_events set delivered_at = now(), outcome = 'failed' where id = ${id}`,
      this.registry.timeoutMs,
    );
  }

  /** The webhook's own delivery, removed a moment later together with others (see inbound-marks.ts). */
  deliveredSoon(id: number) {
    this.marks.add(id);
  }

  /** Write the delivered marks still waiting; reads of what is pending call this first. */
  flush() {
    return this.marks.flush();
  }

  /** One more failed try; `outage`: the church could not be reached (counted apart). Returns both counts. */
  async failedAttempt(id: number, err: unknown, outage: boolean): Promise<{ attempts: number; failures: number }> {
    // For operators (`tenants show`, SQL): what went wrong, never the text's words (drizzle puts them in its message).
    const clean = err instanceof Error ? withoutQueryParams(err) : null;
    const cause = clean?.cause instanceof Error ? `: ${clean.cause.message}` : '';
    const reason = (clean ? `${clean.name}: ${clean.message}${cause}` : String(err)).slice(0, 500);
    const [row] = await withDeadline(
      this.registry.sql<{ attempts: number; failures: number }[]>`
        update inbound_events
           set attempts = attempts + 1, failures = failures + ${outage ? 0 : 1}, last_error = ${reason}
         where id = ${id} returning attempts, failures`,
      this.registry.timeoutMs,
    );
    return row ?? { attempts: 0, failures: 0 };
  }

  /** True while an opt-out word from `phone` waits for the church's database: a send to them must not overtake it. */
  async optOutPending(tenantId: string, phone: string): Promise<boolean> {
    await this.flush();
    const [row] = await withDeadline(
      this.registry.sql<{ yes: boolean }[]>`
        select exists (select 1 from inbound_events
                        where tenant_id = ${tenantId} and sender = ${phone}
                          and delivered_at is null and opt_out) as yes`,
      this.registry.timeoutMs,
    );
    return !!row?.yes;
  }

  /**
   * Make sure the church's drain job exists. `preserve_run_at` leaves an already scheduled drain alone (the sweeper,
   * a webhook during an outage); `replace` moves it (the drain's own backoff, a church that is back).
   */
  scheduleDrain(tenantId: string, opts: { inMs?: number; mode?: 'replace' | 'preserve_run_at' } = {}) {
    const runAt = new Date(Date.now() + (opts.inMs ?? 0));
    const job = addJobInTransaction(
      this.registry.db,
      DRAIN_TASK,
      { tenantId },
      { jobKey: `inbound:${tenantId}`, maxAttempts: 25, runAt, mode: opts.mode ?? 'replace' },
    );
    return withDeadline(job, this.registry.timeoutMs);
  }

  /** A church is back (resumed, moved, migrated): drain what waits for it now rather than at its next retry. */
  async wake(tenantId: string) {
    await this.flush();
    const [row] = await withDeadline(
      this.registry.sql<
        { yes: boolean }[]
      >`select exists (select 1 from inbound_events where tenant_id = ${tenantId} and delivered_at is null) as yes`,
      this.registry.timeoutMs,
    );
    if (row?.yes) await this.scheduleDrain(tenantId);
  }

  /** For health and metrics: how many events wait, for how long the oldest has, and how many were set aside. */
  async stats(): Promise<{ pending: number; oldestPendingSeconds: number; setAside: number }> {
    await this.flush();
    // Delivered events are deleted, so the table holds only waiting and set-aside ones: counting both is one small
    // scan.
    const [row] = await withDeadline(
      this.registry.sql<{ pending: number; oldest: number | null; set_aside: number }[]>`
        select count(*) filter (where delivered_at is null)::int as pending,
               extract(epoch from now() - min(received_at) filter (where delivered_at is null))::float8 as oldest,
               count(*) filter (where outcome = 'failed')::int as set_aside
          from inbound_events`,
      this.registry.timeoutMs,
    );
    const oldestPendingSeconds = Math.max(0, Math.round((row?.oldest ?? 0) * 10) / 10);
    return { pending: row?.pending ?? 0, oldestPendingSeconds, setAside: row?.set_aside ?? 0 };
  }

  /** Churches with an event waiting longer than a drain should take: their drain job was lost (or never queued). */
  async stalled(olderThanSeconds: number): Promise<string[]> {
    await this.flush();
    const rows = await withDeadline(
      this.registry.sql<{ tenant_id: string }[]>`
        select distinct tenant_id from inbound_events
         where delivered_at is null and received_at < now() - make_interval(secs => ${olderThanSeconds})`,
      this.registry.timeoutMs,
    );
    return rows.map((r) => r.tenant_id);
  }

  /**
   * Events set aside as failed are kept 30 days for operators, then deleted (a table scan: at most every 10
   * minutes).
   */
  async purgeSetAside(): Promise<number> {
    if (Date.now() - this.purgedAt < 10 * 60_000) return 0;
    this.purgedAt = Date.now();
    const rows = await withDeadline(
      this.registry.sql`delete from inbound_events where delivered_at < now() - interval '30 days'`,
      this.registry.timeoutMs * 5,
    );
    return rows.count;
  }
}
