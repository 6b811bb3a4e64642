import { randomUUID } from 'node:crypto';
import type { Agent } from 'node:https';
import { and, eq, inArray, sql } from 'drizzle-orm';
import webpush, { WebPushError } from 'web-push';
import type { TenantDb } from '@/db/tenant';
import { pushSubscriptions, type PushSubscriptionRow } from '@/db/tenant/schema';
import type { Config } from '@/server/config';
import { log } from '@/server/log';
import type { Services } from '@/server/services';
import { pushesOf, type PushPayload } from './compose';
import { isPushServiceUrl } from './inputs';
import { batchNotices } from './notices';

/**
 * Browser notifications (Web Push), at once: what is owed to one person by push goes to every browser they turned
 * notifications on in, signed with the VAPID key and encrypted for that browser (web-push). A push service that says
 * the subscription is gone (404, 410) loses it here. Pushes are claimed, sent, then marked, like email (email.ts); a
 * browser that could not be reached is not tried again unless none could, and a notification a day old is dropped.
 * Only the real push services are called (inputs.ts, checked again here): a stored address that is not one is removed.
 */

/**
 * `pushAgent` and `pushOrigins`: how tests reach their stand-in push service (its certificate is their own, its
 * origin allowed besides the real services); passed in code only, never set in production nor by configuration.
 */
export type PushDeps = Pick<Services, 'config' | 'profiles'> & { pushAgent?: Agent; pushOrigins?: string[] };

export type Vapid = { subject: string; publicKey: string; privateKey: string };

/** The VAPID keys, or null: browser notifications are off without them (config.ts checks they come as a set). */
export const vapidOf = (config: Config): Vapid | null =>
  config.VAPID_PUBLIC_KEY && config.VAPID_PRIVATE_KEY && config.VAPID_SUBJECT
    ? { subject: config.VAPID_SUBJECT, publicKey: config.VAPID_PUBLIC_KEY, privateKey: config.VAPID_PRIVATE_KEY }
    : null;

const lease = sql.raw(`interval '3 minutes'`);

export async function sendDuePushes(deps: PushDeps, db: TenantDb, tenantId: string, adminId: string): Promise<void> {
  const vapid = vapidOf(deps.config);
  const batchId = randomUUID();
  // Too old to be news, or nowhere to send it: dropped rather than kept for ever.
  const subscriptions = vapid ? await pushableSubscriptions(deps, db, adminId) : [];
  await db.execute(sql`
    update notification_outbox set sent_at = now()
     where admin_id = ${adminId} and channel = 'push' and sent_at is null
       and (created_at < now() - interval '1 day' or ${subscriptions.length === 0})`);
  if (!vapid || subscriptions.length === 0) return;
  const claimed = await db.execute(sql`
    update notification_outbox set batch_id = ${batchId}, claimed_at = now()
     where admin_id = ${adminId} and channel = 'push' and sent_at is null
       and (claimed_at is null or claimed_at < now() - ${lease})`);
  if (claimed.count === 0) return;
  const notices = await batchNotices(db, batchId, (await deps.profiles.get(tenantId)).country);
  const outcomes = await Promise.all(
    subscriptions.map((s) => pushAll(db, { ...vapid, agent: deps.pushAgent }, s, pushesOf(notices))),
  );
  if (outcomes.every((o) => o === 'failed')) {
    // Not one browser reached: the push services may be down. Released, and the job is tried again.
    await db.execute(sql`update notification_outbox set claimed_at = null where batch_id = ${batchId}`);
    throw new Error('no push service took the notifications; tried again');
  }
  await db.execute(sql`update notification_outbox set sent_at = now() where batch_id = ${batchId}`);
}

/** This person's browsers; one whose address is not a push service's (stored before the check tightened) is removed. */
async function pushableSubscriptions(deps: PushDeps, db: TenantDb, adminId: string) {
  const all = await db.select().from(pushSubscriptions).where(eq(pushSubscriptions.adminId, adminId));
  const [ok, bad] = [[], []] as [PushSubscriptionRow[], PushSubscriptionRow[]];
  for (const s of all) (isPushServiceUrl(s.endpoint, deps.pushOrigins) ? ok : bad).push(s);
  if (bad.length > 0) {
    const ids = bad.map((s) => s.id);
    await db
      .delete(pushSubscriptions)
      .where(and(eq(pushSubscriptions.adminId, adminId), inArray(pushSubscriptions.id, ids)));
    log.warn('push subscriptions not at a push service; removed', { adminId, count: bad.length });
  }
  return ok;
}

/** Every payload to one browser: 'sent', 'gone' (subscription removed), 'failed' (retried only if all failed). */
async function pushAll(
  db: TenantDb,
  { agent, ...vapid }: Vapid & { agent?: Agent },
  sub: PushSubscriptionRow,
  payloads: PushPayload[],
) {
  for (const payload of payloads) {
    try {
      await webpush.sendNotification(
        // The address as URL reads it (checked above), so web-push's own parser cannot read another host in it.
        { endpoint: new URL(sub.endpoint).href, keys: { p256dh: sub.p256dh, auth: sub.auth } },
        JSON.stringify(payload),
        { vapidDetails: vapid, TTL: 24 * 3600, urgency: 'high', timeout: 10_000, ...(agent && { agent }) },
      );
    } catch (err) {
      if (err instanceof WebPushError && (err.statusCode === 404 || err.statusCode === 410)) {
        // The browser unsubscribed, or the subscription expired: it will never take another.
        await db
          .delete(pushSubscriptions)
          .where(and(eq(pushSubscriptions.id, sub.id), eq(pushSubscriptions.adminId, sub.adminId)));
        log.info('push subscription gone; removed', { adminId: sub.adminId, status: err.statusCode });
        return 'gone' as const;
      }
      log.warn('push notification not delivered', {
        adminId: sub.adminId,
        status: err instanceof WebPushError ? err.statusCode : undefined,
        err,
      });
      return 'failed' as const;
    }
  }
  return 'sent' as const;
}
