import { log } from '@/server/log';
import { type Registry, withDeadline } from '@/server/registry';

/** Events webhooks delivered are removed together, at most this long after the delivery. */
const MARK_EVERY_MS = 20;

/**
 * Removing delivered events from the registry in batches: the webhook's own deliveries are written a moment later
 * together with others, so there is one registry write for many texts and none on the webhook's path. Losing a batch
 * (a crash) only means the drain delivers those texts again, as duplicates.
 */
export class DeliveredMarks {
  private marks: number[] = [];
  private marking: Promise<void> | null = null;
  /** Delivered here, mark not yet written: not "waiting" for this process, whatever the registry still says. */
  readonly unmarked = new Set<number>();

  constructor(private registry: Registry) {}

  add(id: number) {
    this.marks.push(id);
    this.unmarked.add(id);
    this.marking ??= new Promise((r) => setTimeout(r, MARK_EVERY_MS)).then(() => this.flush());
  }

  /** Remove what was delivered; reads of what is pending call this first, so this process never sees its own stale. */
  async flush() {
    const batch = this.marks.splice(0);
    this.marking = null;
    if (batch.length === 0) return;
    await withDeadline(
      this.registry.sql`delete from inbound_events where id = any(${batch}::bigint[])`,
      this.registry.timeoutMs,
    )
      .catch((err) =>
        log.warn('delivered events not removed; the drain will find those texts already stored', {
          count: batch.length,
          err,
        }),
      )
      .finally(() => {
        for (const id of batch) this.unmarked.delete(id);
      });
  }
}
