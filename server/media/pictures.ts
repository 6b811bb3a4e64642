import { randomUUID } from 'node:crypto';
import { and, asc, eq, inArray } from 'drizzle-orm';
import type { ChurchScope, TenantDb } from '@/db/tenant';
import { media, messageMedia, type Media } from '@/db/tenant/schema';
import type { Config } from '@/server/config';
import { Invalid, NotFound } from '@/server/domain-errors';
import { log } from '@/server/log';
import { sendableTypeOf } from './content';
import { CARRIER_SAFE_BYTES, MAX_PICTURE_BYTES, pictureKey, TOO_LARGE } from './keys';
import { signedPath } from './signed-links';
import type { MediaStore } from './store';

/**
 * Pictures the team attaches: uploaded first (checked by content, kept in the store, a `media` row written), then
 * named by id when a text or broadcast is sent. One never sent is swept after a day (sweep.ts).
 */
type Deps = { config: Pick<Config, 'STEEPLE_SECRET_KEY'>; media: MediaStore };

export async function uploadPicture(deps: Deps, { db, tenantId }: ChurchScope, bytes: Uint8Array, adminId: string) {
  if (bytes.length === 0) throw new Invalid('That file is empty.');
  if (bytes.length > MAX_PICTURE_BYTES) throw new Invalid(TOO_LARGE);
  const type = await sendableTypeOf(bytes);
  if (!type) throw new Invalid('Choose a JPEG, PNG or GIF picture: this file is not one, whatever its name says.');
  const id = randomUUID();
  const storeKey = pictureKey(tenantId, id, type);
  await deps.media.put(storeKey, bytes, type); // the file first: a row never names a picture that is not there
  const [row] = await db
    .insert(media)
    .values({ id, origin: 'upload', contentType: type, bytes: bytes.length, storeKey, uploadedBy: adminId })
    .returning()
    .catch(async (err: unknown) => {
      await deps.media.delete([storeKey]).catch((e: unknown) => log.warn('picture left in the store', { e }));
      throw err;
    });
  return pictureView(deps.config, row!);
}

/** Words, a picture, or both; not neither. */
export function requireWordsOrPicture(body: string, mediaId: string | null | undefined) {
  if (!body.trim() && !mediaId) throw new Invalid('Write a message or attach a picture.', 'body');
}

/** A picture the team uploaded, ready to send; a clear refusal otherwise. */
export async function requireSendablePicture(db: TenantDb, id: string) {
  const [row] = await db
    .select()
    .from(media)
    .where(and(eq(media.id, id), eq(media.origin, 'upload'), eq(media.state, 'ready')));
  if (!row) throw new NotFound('That picture is no longer available: attach it again.');
  return row;
}

/** A picture as pages show it: a signed link while it is there, and why not otherwise. */
function pictureView(config: Deps['config'], row: Pick<Media, 'id' | 'state' | 'contentType' | 'bytes' | 'storeKey'>) {
  return {
    id: row.id,
    state: row.state,
    contentType: row.contentType,
    bytes: row.bytes,
    url: row.state === 'ready' && row.storeKey ? signedPath(config, row.storeKey) : null,
    /** Larger than every carrier takes from every kind of number: it may arrive shrunk, or be refused. */
    overCarrierLimit: (row.bytes ?? 0) > CARRIER_SAFE_BYTES,
  };
}
export type PictureView = ReturnType<typeof pictureView>;

/** The pictures of these messages, in order, by message id (for a thread's page of messages). */
export async function picturesOf(db: TenantDb, config: Deps['config'], messageIds: string[]) {
  const byMessage = new Map<string, PictureView[]>();
  if (messageIds.length === 0) return byMessage;
  const rows = await db
    .select({ messageId: messageMedia.messageId, picture: media })
    .from(messageMedia)
    .innerJoin(media, eq(media.id, messageMedia.mediaId))
    .where(inArray(messageMedia.messageId, messageIds))
    .orderBy(asc(messageMedia.position));
  for (const r of rows)
    byMessage.set(r.messageId, [...(byMessage.get(r.messageId) ?? []), pictureView(config, r.picture)]);
  return byMessage;
}
