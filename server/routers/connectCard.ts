import { z } from 'zod';
import { cardChurch, cardUrl } from '@/server/connect-card/church';
import { connectCardSettings, connectCardSubmission } from '@/server/connect-card/inputs';
import { qrPng, qrSvg } from '@/server/connect-card/qr';
import { cardSettings, cardWeeks, updateCardSettings } from '@/server/connect-card/settings';
import { NOT_AVAILABLE, submitCard } from '@/server/connect-card/submit';
import { NotFound } from '@/server/domain-errors';
import { unavailableReason } from '@/server/tenancy/availability';
import { TenantNotFoundError } from '@/server/tenancy/connection-manager';
import { permittedProcedure, publicProcedure, router, tenantProcedure } from '@/server/trpc';

/**
 * The connect card (server/connect-card/): the church's settings for it, its QR code and weekly counts — and the one
 * public procedure, `submit`, for the form at /c/<slug>. That form's church comes from the slug in the page's address
 * through the registry (an active church only), never from a field it sends: the one procedure that names a church
 * in its input, because a visitor has no session.
 */
export const connectCardRouter = router({
  /** The settings, the card's address and its QR code as an SVG. */
  get: tenantProcedure.query(async ({ ctx }) => {
    const { slug } = await ctx.services.profiles.get(ctx.tenantId);
    const url = cardUrl(ctx.services, slug);
    return { settings: await cardSettings(ctx.db), url, qrSvg: await qrSvg(url) };
  }),

  /** A printable PNG (1,024 px) of the QR code, as a data: URL to download. */
  qrPng: tenantProcedure.query(async ({ ctx }) => {
    const { slug } = await ctx.services.profiles.get(ctx.tenantId);
    return `data:image/png;base64,${(await qrPng(cardUrl(ctx.services, slug))).toString('base64')}`;
  }),

  update: permittedProcedure('connectCard.manage')
    .input(connectCardSettings)
    .mutation(({ ctx, input }) => updateCardSettings(ctx.db, input)),

  /** Cards sent in per week for twelve weeks, in the church's timezone. */
  weeks: tenantProcedure.query(async ({ ctx }) =>
    cardWeeks(ctx.db, (await ctx.services.profiles.get(ctx.tenantId)).timezone),
  ),

  /** A visitor sends the card in. Throttled per address and per church (server/auth/throttle.ts). */
  submit: publicProcedure
    .input(connectCardSubmission.extend({ slug: z.string().max(100) }))
    .mutation(async ({ ctx, input: { slug, ...card } }) => {
      const church = await cardChurch(ctx.services, slug);
      if (!church) throw new NotFound(NOT_AVAILABLE);
      // A church that stopped being available since (suspended, closed, mid-upgrade) is "not available" too.
      return submitCard(ctx.services, church, card, ctx.ip).catch((err) => {
        if (unavailableReason(err) || TenantNotFoundError.is(err)) throw new NotFound(NOT_AVAILABLE);
        throw err;
      });
    }),
});
