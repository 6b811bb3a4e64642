import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { TenantDb } from '@/db/tenant';
import { appUrl, type Config } from '@/server/config';
import { log } from '@/server/log';
import { deliverMail } from '@/server/mail';
import type { Services } from '@/server/services';
import { emailOf } from './compose';
import { batchNotices } from './notices';
import { EMAIL_BATCH_MS } from './wake';

/**
 * One person's batched email: everything owed to them by email, at most one email a minute, and not before a minute
 * after the first thing it lists (so a burst of texts is one email).
 *
 * Claim, send, then mark. The rows are claimed into a batch (its id is the email's Message-ID) in a transaction that
 * holds the person's settings row, then the email is sent, then the batch is marked sent. A mail server that refuses
 * for now (4xx, or no answer) releases the claim and the job is retried: the same batch, the same message; one that
 * refuses for good (5xx) ends the batch, so it never holds back what came after. A crash after the mail server took it
 * and before the mark sends that same message again (mail systems drop a repeated Message-ID); marking first instead
 * would lose the email to a crash, and a missed text from someone in need is worse than a repeated notice. A claim is
 * a lease: a second job for the same person finds it and waits rather than sending it alongside.
 */

const LEASE_MS = 3 * 60_000; // longer than the mail transport's own timeouts (mail.ts)

type Deps = Pick<Services, 'config' | 'profiles'>;

const lease = sql.raw(`interval '${LEASE_MS / 1000} seconds'`);
const batch = sql.raw(`interval '${EMAIL_BATCH_MS / 1000} seconds'`);
type Claim = { batchId: string; email: string } | { waitUntil: Date } | null;

/** Send what is due; returns when this person's job should run again (null: nothing left). */
export async function sendDueEmail(deps: Deps, db: TenantDb, tenantId: string, adminId: string): Promise<Date | null> {
  const claim = await claimBatch(db, adminId);
  if (!claim) return null;
  if ('waitUntil' in claim) return claim.waitUntil;
  const church = await deps.profiles.get(tenantId);
  const notices = await batchNotices(db, claim.batchId, church.country);
  if (notices.length > 0) {
    const mail = emailOf(church, notices, appUrl(deps.config));
    try {
      await deliverMail(deps.config, { to: claim.email, ...mail, messageId: messageId(deps.config, claim.batchId) });
    } catch (err) {
      if (refusedForGood(err)) {
        // A 5xx (the address does not exist, the message is refused): trying again would refuse again, and would
        // hold back everything newer for this person. The batch is done; the log says so without what it said.
        log.error('notification email refused for good by the mail server; dropped', {
          tenantId,
          adminId,
          batchId: claim.batchId,
          responseCode: (err as { responseCode: number }).responseCode,
        });
        return markSent(db, adminId, claim.batchId, false);
      }
      await db.execute(sql`
        update notification_outbox set claimed_at = null where batch_id = ${claim.batchId} and sent_at is null`);
      throw err;
    }
  }
  return markSent(db, adminId, claim.batchId, notices.length > 0);
}

/** nodemailer's SMTP errors carry the server's reply code: 5xx is a permanent refusal, 4xx a "try later". */
const refusedForGood = (err: unknown) => {
  const code = (err as { responseCode?: unknown } | null)?.responseCode;
  return typeof code === 'number' && code >= 500 && code < 600;
};

export const messageId = (config: Config, id: string) => `<${id}@${new URL(appUrl(config)).hostname}>`;

async function claimBatch(db: TenantDb, adminId: string): Promise<Claim> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`
      insert into notification_settings (admin_id) select id from admins where id = ${adminId} on conflict do nothing`);
    const [person] = await tx.execute<{ email: string; last_email_at: string | null }>(sql`
      select a.email, s.last_email_at from notification_settings s join admins a on a.id = s.admin_id
       where s.admin_id = ${adminId} for update of s`);
    if (!person) return null; // no longer on the team: their notifications went with them
    const [claimed] = await tx.execute<{ batch_id: string; busy_until: string | null; busy: boolean | null }>(sql`
      select batch_id, claimed_at + ${lease} as busy_until, claimed_at + ${lease} > now() as busy
        from notification_outbox
       where admin_id = ${adminId} and channel = 'email' and sent_at is null and batch_id is not null
       limit 1`);
    if (claimed) {
      // A batch claimed and not marked: being sent now (wait for its lease), or caught by a crash or a refusal.
      if (claimed.busy) return { waitUntil: new Date(claimed.busy_until!) };
      await tx.execute(sql`update notification_outbox set claimed_at = now() where batch_id = ${claimed.batch_id}`);
      return { batchId: claimed.batch_id, email: person.email };
    }
    const [due] = await tx.execute<{ due: string | null; ready: boolean }>(sql`
      select at as due, at <= now() as ready
        from (select greatest(min(created_at), ${person.last_email_at}::timestamptz) + ${batch} as at, count(*) as n
                from notification_outbox where admin_id = ${adminId} and channel = 'email' and sent_at is null) d
       where n > 0`);
    if (!due?.due) return null; // nothing owed
    if (!due.ready) return { waitUntil: new Date(due.due) };
    const batchId = randomUUID();
    await tx.execute(sql`
      update notification_outbox set batch_id = ${batchId}, claimed_at = now()
       where admin_id = ${adminId} and channel = 'email' and sent_at is null and batch_id is null`);
    return { batchId, email: person.email };
  });
}

/** The batch went: mark it, note when (the next waits a minute), drop what went a day ago; when to look again. */
async function markSent(db: TenantDb, adminId: string, batchId: string, emailed: boolean): Promise<Date | null> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`update notification_outbox set sent_at = now() where batch_id = ${batchId}`);
    if (emailed)
      await tx.execute(sql`update notification_settings set last_email_at = now() where admin_id = ${adminId}`);
    await tx.execute(sql`
      delete from notification_outbox where admin_id = ${adminId} and sent_at < now() - interval '1 day'`);
    // What came in while it was being sent goes a minute after its first item, and a minute after this email.
    const [next] = await tx.execute<{ at: string | null }>(sql`
      select greatest(min(created_at), now()) + ${batch} as at
        from notification_outbox where admin_id = ${adminId} and channel = 'email' and sent_at is null`);
    return next?.at ? new Date(next.at) : null;
  });
}
