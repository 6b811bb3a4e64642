import { and, eq, sql } from 'drizzle-orm';
import type { TenantDb } from '@/db/tenant';
import { notificationPreferences, notificationSettings, pushSubscriptions } from '@/db/tenant/schema';
import { Precondition } from '@/server/domain-errors';
import type { Services } from '@/server/services';
import { nextDigestAt } from './digest';
import type { ChannelChoices } from './inputs';
import { scheduleDigest } from './jobs';
import { NOTIFY_CHANNELS, type NotifyChannel } from './kinds';
import { vapidOf } from './push';

/**
 * One person's notification choices (each acts for themselves only: the router passes the signed-in admin's id).
 * Nobody hears about anything until they choose to.
 */

type Deps = Pick<Services, 'config' | 'profiles' | 'registry'>;

const NOTHING: ChannelChoices = { inbound: 'off', connectCard: false, sequenceReply: false };

export async function getNotificationChoices(deps: Deps, db: TenantDb, tenantId: string, adminId: string) {
  const [rows, [settings], [browsers], church] = await Promise.all([
    db.select().from(notificationPreferences).where(eq(notificationPreferences.adminId, adminId)),
    db.select().from(notificationSettings).where(eq(notificationSettings.adminId, adminId)),
    db
      .select({ n: sql<number>`count(*)::int` })
      .from(pushSubscriptions)
      .where(eq(pushSubscriptions.adminId, adminId)),
    deps.profiles.get(tenantId),
  ]);
  const choices = (channel: NotifyChannel): ChannelChoices => {
    const row = rows.find((r) => r.channel === channel);
    return row ? { inbound: row.inbound, connectCard: row.connectCard, sequenceReply: row.sequenceReply } : NOTHING;
  };
  return {
    email: choices('email'),
    push: choices('push'),
    digestMinute: settings?.digestMinute ?? null,
    /** The church's: the digest's time is on its clock. */
    timezone: church.timezone,
    /** Without SMTP_URL emails go to the server log (development). */
    emailConfigured: !!deps.config.SMTP_URL,
    /** The VAPID public key browsers subscribe with; null when browser notifications are not set up. */
    pushKey: vapidOf(deps.config)?.publicKey ?? null,
    browsers: browsers?.n ?? 0,
  };
}

export async function updateNotificationChoices(
  deps: Deps,
  db: TenantDb,
  tenantId: string,
  adminId: string,
  input: { email: ChannelChoices; push: ChannelChoices; digestMinute: number | null },
) {
  await db.transaction(async (tx) => {
    for (const channel of NOTIFY_CHANNELS) {
      const values = { ...input[channel], updatedAt: new Date() };
      await tx
        .insert(notificationPreferences)
        .values({ adminId, channel, ...values })
        .onConflictDoUpdate({
          target: [notificationPreferences.adminId, notificationPreferences.channel],
          set: values,
        });
    }
    const digest = { digestMinute: input.digestMinute, updatedAt: new Date() };
    await tx
      .insert(notificationSettings)
      .values({ adminId, ...digest })
      .onConflictDoUpdate({ target: notificationSettings.adminId, set: digest });
  });
  // The digest's job goes to the next such time at every save ('replace': the same save twice is one job), so a save
  // whose scheduling failed is put right by saving again. Turned off, the waiting job finds nothing to do and ends.
  if (input.digestMinute !== null) {
    const { timezone } = await deps.profiles.get(tenantId);
    await scheduleDigest(deps.registry, tenantId, adminId, await nextDigestAt(db, timezone, input.digestMinute));
  }
  return getNotificationChoices(deps, db, tenantId, adminId);
}

/** Most browsers one person keeps notifications on in; the oldest goes when a new one comes. */
const MAX_BROWSERS = 10;

export async function subscribePush(
  deps: Pick<Services, 'config'>,
  db: TenantDb,
  adminId: string,
  sub: { endpoint: string; keys: { p256dh: string; auth: string } },
) {
  if (!vapidOf(deps.config)) throw new Precondition('Browser notifications are not set up on this server.');
  const keys = { adminId, p256dh: sub.keys.p256dh, auth: sub.keys.auth };
  await db.transaction(async (tx) => {
    // One browser is one subscription: signed in as someone else now, it notifies them instead.
    await tx
      .insert(pushSubscriptions)
      .values({ endpoint: sub.endpoint, ...keys })
      .onConflictDoUpdate({ target: pushSubscriptions.endpoint, set: keys });
    await tx.execute(sql`
      delete from push_subscriptions where admin_id = ${adminId} and id not in (
        select id from push_subscriptions where admin_id = ${adminId} order by created_at desc limit ${MAX_BROWSERS})`);
  });
  return { subscribed: true };
}

export async function unsubscribePush(db: TenantDb, adminId: string, endpoint: string) {
  const gone = await db
    .delete(pushSubscriptions)
    .where(and(eq(pushSubscriptions.endpoint, endpoint), eq(pushSubscriptions.adminId, adminId)))
    .returning({ id: pushSubscriptions.id });
  return { removed: gone.length };
}

/** Signed out everywhere: no browser of theirs shows another notification (removal deletes them with the admin). */
export async function forgetBrowsers(db: TenantDb, adminId: string) {
  const gone = await db.delete(pushSubscriptions).where(eq(pushSubscriptions.adminId, adminId)).returning({
    id: pushSubscriptions.id,
  });
  return gone.length;
}
