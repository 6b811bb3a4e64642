import type { TenantDb } from '@/db/tenant';
import { log } from '@/server/log';
import type { MediaStore } from './store';

/**
 * Pictures nothing refers to a day after they were made — uploaded and never sent, or a member's whose messages
 * were deleted with them — are removed: rows first, then their files (a file left by a failed delete is removed
 * with the church's folder when the church is purged). Run for each church by the worker's maintenance sweep.
 */
export async function sweepPictures(db: TenantDb, store: MediaStore, limit = 500) {
  const gone = await db.$client<{ store_key: string | null }[]>`
    delete from media where id in (
      select m.id from media m
       where m.created_at < now() - interval '1 day'
         and not exists (select 1 from message_media mm where mm.media_id = m.id)
         and not exists (select 1 from broadcasts b where b.media_id = m.id)
         and not exists (select 1 from broadcast_series s where s.media_id = m.id)
       limit ${limit})
    returning store_key`;
  const keys = gone.map((g) => g.store_key).filter((k): k is string => !!k);
  await store.delete(keys).catch((err: unknown) => log.warn('picture files not deleted', { count: keys.length, err }));
  return gone.length;
}
