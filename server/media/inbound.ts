import { createHash } from 'node:crypto';
import type { TenantDb } from '@/db/tenant';

/**
 * A member's picture message: its pictures are noted beside the stored text (`fetching`, with Telnyx's link) and
 * fetched into our own store by a job (fetch.ts), so the webhook never waits on a download. Ids are derived from
 * the message and position: a replayed webhook writes nothing new, and its job (keyed by id) is the same job.
 */
export type InboundPicture = { url: string; contentType: string | null };

/** Telnyx sends at most 10 media per message. */
const MAX_INBOUND_PICTURES = 10;

export const inboundPictureId = (messageId: string, position: number) => {
  const h = createHash('sha256').update(`${messageId}:${position}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
};

/** Notes the pictures of a stored message (once); returns their ids, for their fetch jobs. */
export async function noteInboundPictures(db: TenantDb, messageId: string, pictures: InboundPicture[]) {
  const given = pictures.slice(0, MAX_INBOUND_PICTURES).map((p, position) => ({
    id: inboundPictureId(messageId, position),
    position,
    url: p.url,
    content_type: p.contentType ?? 'application/octet-stream',
  }));
  if (given.length === 0) return [];
  await db.$client`
    with given as (
      select * from jsonb_to_recordset(${JSON.stringify(given)}::jsonb)
        as g(id uuid, position int, url text, content_type text)
    ), noted as (
      insert into media (id, origin, state, content_type, source_url)
      select id, 'inbound', 'fetching', content_type, url from given
      on conflict (id) do nothing
    )
    insert into message_media (message_id, media_id, position)
    select ${messageId}, id, position from given
    on conflict do nothing`;
  return given.map((g) => g.id);
}
