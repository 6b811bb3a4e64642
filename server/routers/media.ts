import { octetInputParser } from '@trpc/server/http';
import { Invalid } from '@/server/domain-errors';
import { uploadPicture } from '@/server/media/pictures';
import { readStream } from '@/server/http/body';
import { MAX_PICTURE_BYTES, TOO_LARGE } from '@/server/media/keys';
import { router, tenantProcedure } from '@/server/trpc';

/**
 * Pictures (MMS). The picture travels as the request's raw body (application/octet-stream), not as JSON: the route
 * reads at most a little over 5 MB of it (app/api/trpc), and what it is comes from its bytes (server/media/).
 * Everyone on the team texts, so everyone attaches.
 */
export const mediaRouter = router({
  upload: tenantProcedure.input(octetInputParser).mutation(async ({ ctx, input }) => {
    const bytes = await readStream(input, MAX_PICTURE_BYTES);
    if (!bytes) throw new Invalid(TOO_LARGE);
    return uploadPicture(ctx.services, ctx, bytes, ctx.admin.id);
  }),
});
