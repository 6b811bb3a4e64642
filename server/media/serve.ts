import type { Config } from '@/server/config';
import { log } from '@/server/log';
import { parsePictureKey } from './keys';
import { checkLink } from './signed-links';
import type { MediaStore } from './store';

/**
 * GET /api/media/<church>/<picture>.<ext>?expires=…&signature=…: a picture, to whoever holds a valid link (Telnyx
 * fetching one we send, the inbox showing one). Only pictures are ever stored, and they are served as exactly their
 * type with nosniff, so nothing served here can run as a page.
 */
export async function servePicture(
  deps: { config: Pick<Config, 'STEEPLE_SECRET_KEY'>; media: MediaStore },
  key: string,
  params: URLSearchParams,
): Promise<Response> {
  const parsed = parsePictureKey(key);
  if (!parsed) return notFound();
  const link = checkLink(deps.config, key, params);
  if (!link.ok)
    return new Response(link.reason === 'expired' ? 'This link has expired.' : 'Not found.', {
      status: link.reason === 'expired' ? 410 : 404,
      headers: { 'content-type': 'text/plain; charset=utf-8' },
    });
  const picture = await deps.media.get(key).catch((err: unknown) => {
    log.error('picture store failed to read', { key, err });
    return undefined;
  });
  if (picture === undefined)
    return new Response('Try again shortly.', { status: 503, headers: { 'retry-after': '5' } });
  if (!picture) return notFound();
  const maxAge = Math.max(0, link.expires - Math.floor(Date.now() / 1000));
  return new Response(new Uint8Array(picture.bytes), {
    headers: {
      'content-type': parsed.type,
      'content-length': String(picture.bytes.length),
      'x-content-type-options': 'nosniff',
      'content-security-policy': "default-src 'none'; sandbox",
      'cache-control': `private, max-age=${maxAge}, immutable`,
    },
  });
}

const notFound = () => new Response('Not found.', { status: 404, headers: { 'content-type': 'text/plain' } });
