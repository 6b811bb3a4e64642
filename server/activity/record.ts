import { sql } from 'drizzle-orm';
import type { TenantDb } from '@/db/tenant';
import type { ActivityAction } from '@/db/tenant/enums';
import { activityLog, admins } from '@/db/tenant/schema';
import { currentContext } from '@/server/observability/context';
import { sha256 } from '@/server/tokens';

/**
 * The activity log's one way in. `record(tx, entry)` writes a row in the caller's transaction, so the row exists
 * exactly when the change it records does; a change kept in the registry (a church's profile, its numbers) runs
 * inside `withActivity`'s church transaction instead (see there).
 */

/** A database or a transaction on it: anything that can insert. */
export type Writer = Pick<TenantDb, 'insert'>;

/** Small facts shown beside the sentence (a role, a count, a number): never a message's text or a secret. */
type Details = Record<string, string | number | boolean | null>;

export type ActivityEntry = {
  action: ActivityAction;
  /** The person on the team who did it (their name is read in the same statement), or who the system acted as. */
  by: { adminId: string } | { system: 'Stripe' | 'Steeple' };
  /** What it was about, in a few words: a broadcast's first words, an email, a number. */
  subject?: string;
  details?: Details;
  /** The client's address; by default the request's (server/http/client-address.ts via the request context). */
  ip?: string | null;
  /** A key that makes the entry once only (a Stripe event's id): written again, it is not a second row. */
  once?: string;
};

const SUBJECT_MAX = 120;

/** The request's client address as every limiter and log line has it; "unknown" (no front server) is kept as null. */
function requestAddress(): string | null {
  const ip = currentContext()?.ip;
  return ip && ip !== 'unknown' ? ip : null;
}

/** The row an entry becomes; the actor's name is a snapshot, read from the team as it is now. */
function rowOf(entry: ActivityEntry) {
  const adminId = 'adminId' in entry.by ? entry.by.adminId : null;
  const ip = entry.ip === undefined ? requestAddress() : entry.ip && entry.ip !== 'unknown' ? entry.ip : null;
  const subject = entry.subject ?? '';
  return {
    ...(entry.once ? { id: uuidOf(entry.once) } : {}),
    actorId: adminId,
    actorLabel:
      'system' in entry.by
        ? entry.by.system
        : sql<string>`coalesce((select ${admins.name} from ${admins} where ${admins.id} = ${adminId}), 'Someone')`,
    action: entry.action,
    subject: subject.length > SUBJECT_MAX ? `${subject.slice(0, SUBJECT_MAX - 1)}…` : subject,
    details: entry.details ?? {},
    clientAddress: ip,
  };
}

/** Write one entry in the caller's transaction (or as its own statement, for what has no transaction: a sign-in). */
export async function record(tx: Writer, entry: ActivityEntry): Promise<void> {
  await tx.insert(activityLog).values(rowOf(entry)).onConflictDoNothing({ target: activityLog.id });
}

/** A UUID-shaped key from any text (the first 128 bits of its SHA-256), so `once` entries collide by design. */
function uuidOf(key: string) {
  const h = sha256(`activity:${key}`);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

/**
 * For a change written to the registry, a different database: the entry is written first in a church transaction
 * that stays open while `work` runs, and commits after it. A failed change rolls the entry back; only a failure of
 * the church's commit itself, after the registry's, could leave a change without its row.
 */
export function withActivity<T>(db: TenantDb, entry: ActivityEntry, work: () => Promise<T>): Promise<T> {
  return db.transaction(async (tx) => {
    await record(tx, entry);
    return work();
  });
}
