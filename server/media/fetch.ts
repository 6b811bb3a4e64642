import { and, eq } from 'drizzle-orm';
import type { TenantDb } from '@/db/tenant';
import { media } from '@/db/tenant/schema';
import { readStream } from '@/server/http/body';
import { errorKind } from '@/server/errors';
import { pictureTypeOf } from './content';
import { MAX_PICTURE_BYTES, pictureKey } from './keys';
import type { MediaStore } from './store';

/**
 * The fetch job's work for one received picture (inbound.ts noted it): download it from Telnyx, check what it is
 * by its bytes, keep it in our store, mark it `ready`. Anything but a picture we can show (a video, a contact card)
 * or anything over 5 MB is `unsupported` (the thread says what it was); a link that no longer works, or a download
 * that failed on the job's last try, is `failed`. Only a row still `fetching` is acted on, so a repeated job is
 * harmless; the store key is the row's own, so a crash between the write and the mark rewrites the same file.
 */
class TransientFetchError extends errorKind('TransientFetch') {}
const PERMANENT_STATUSES = new Set([400, 401, 403, 404, 410]);

export async function fetchInboundPicture(
  deps: { media: MediaStore },
  db: TenantDb,
  tenantId: string,
  mediaId: string,
  opts: { finalAttempt: boolean; timeoutMs?: number },
) {
  const [row] = await db
    .select()
    .from(media)
    .where(and(eq(media.id, mediaId), eq(media.state, 'fetching')));
  if (!row?.sourceUrl) return 'skipped' as const;
  const got = await download(row.sourceUrl, opts.timeoutMs ?? 30_000).catch((err: unknown) => {
    if (TransientFetchError.is(err) && !opts.finalAttempt) throw err; // the job is retried, with backoff
    return { failed: err instanceof Error ? err.message : String(err) };
  });
  if ('failed' in got) return settle(db, mediaId, { state: 'failed', error: `Not fetched: ${got.failed}` });
  if ('tooLarge' in got) return settle(db, mediaId, { state: 'unsupported', error: 'Larger than 5 MB' });
  const type = await pictureTypeOf(got.bytes);
  if (!type)
    return settle(db, mediaId, {
      state: 'unsupported',
      bytes: got.bytes.length,
      error: `Not a picture Steeple can show (${row.contentType})`,
    });
  const storeKey = pictureKey(tenantId, mediaId, type);
  try {
    await deps.media.put(storeKey, got.bytes, type);
  } catch (err) {
    // The store refused it: retried like a download, and on the last try said, rather than left "arriving" for ever.
    if (!opts.finalAttempt) throw err;
    return settle(db, mediaId, { state: 'failed', error: 'Not stored: the picture store refused it' });
  }
  return settle(db, mediaId, { state: 'ready', contentType: type, bytes: got.bytes.length, storeKey });
}

async function settle(db: TenantDb, id: string, set: Partial<typeof media.$inferInsert>) {
  await db
    .update(media)
    .set(set)
    .where(and(eq(media.id, id), eq(media.state, 'fetching')));
  return set.state!;
}

async function download(url: string, timeoutMs: number) {
  let res: Response;
  try {
    res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), redirect: 'follow' });
  } catch (err) {
    throw new TransientFetchError('the picture could not be downloaded', { cause: err });
  }
  if (!res.ok) {
    await res.body?.cancel().catch(() => {});
    if (PERMANENT_STATUSES.has(res.status)) throw new Error(`the link answered ${res.status}`);
    throw new TransientFetchError(`the link answered ${res.status}`);
  }
  const declared = Number(res.headers.get('content-length') ?? NaN);
  if (declared > MAX_PICTURE_BYTES || !res.body) {
    await res.body?.cancel().catch(() => {});
    return declared > MAX_PICTURE_BYTES ? { tooLarge: true as const } : { bytes: new Uint8Array(0) };
  }
  const bytes = await readStream(res.body, MAX_PICTURE_BYTES).catch((err: unknown) => {
    throw new TransientFetchError('the download was cut off', { cause: err });
  });
  return bytes ? { bytes } : { tooLarge: true as const };
}
