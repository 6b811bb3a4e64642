import { notificationChoicesInput, pushEndpointInput, pushSubscriptionInput } from '@/server/notifications/inputs';
import {
  getNotificationChoices,
  subscribePush,
  unsubscribePush,
  updateNotificationChoices,
} from '@/server/notifications/settings';
import { router, tenantProcedure } from '@/server/trpc';

/**
 * Staff notifications (server/notifications/): each person on the team — owner, admin or staff — chooses for
 * themselves what they hear about by email and in the browser, and their daily digest. Every procedure acts for the
 * signed-in person only (ctx.admin.id, never an id from input), and works while the church is read-only: it is
 * their own setting, like their password.
 */
export const notificationsRouter = router({
  get: tenantProcedure.query(({ ctx }) => getNotificationChoices(ctx.services, ctx.db, ctx.tenantId, ctx.admin.id)),

  update: tenantProcedure
    .meta({ readOnlyOk: true })
    .input(notificationChoicesInput)
    .mutation(({ ctx, input }) => updateNotificationChoices(ctx.services, ctx.db, ctx.tenantId, ctx.admin.id, input)),

  /** This browser agreed to notifications: its push subscription, for the signed-in person. */
  subscribePush: tenantProcedure
    .meta({ readOnlyOk: true })
    .input(pushSubscriptionInput)
    .mutation(({ ctx, input }) => subscribePush(ctx.services, ctx.db, ctx.admin.id, input)),

  /** This browser turned notifications off (only the signed-in person's own subscription is removed). */
  unsubscribePush: tenantProcedure
    .meta({ readOnlyOk: true })
    .input(pushEndpointInput)
    .mutation(({ ctx, input }) => unsubscribePush(ctx.db, ctx.admin.id, input.endpoint)),
});
