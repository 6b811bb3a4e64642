import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import { appUrl, type Config } from '@/server/config';

/**
 * Links to a picture that work without signing in, for a limited time: Telnyx fetches the pictures we send through
 * them, and the inbox shows pictures through them. The signature (HMAC-SHA256 with a key derived from
 * STEEPLE_SECRET_KEY) covers the key and the expiry, so a link cannot be stretched or pointed at another picture.
 * Expiries are rounded up to a window, so a thread polled every few seconds keeps the same links (and the browser's
 * cached copy) instead of loading its pictures again.
 */
type Secret = Pick<Config, 'STEEPLE_SECRET_KEY'>;

/** Telnyx may queue a message for hours (toll-free MMS goes at 6 a minute): its links last a week. */
export const FOR_TELNYX = { ttlSeconds: 7 * 86_400, windowSeconds: 3_600 };
/** The inbox's links: an hour, the same for 15 minutes at a time. */
export const FOR_INBOX = { ttlSeconds: 3_600, windowSeconds: 900 };

const keys = new Map<string, Buffer>();
function signingKey(config: Secret) {
  let key = keys.get(config.STEEPLE_SECRET_KEY);
  if (!key) {
    const ikm = Buffer.from(config.STEEPLE_SECRET_KEY, 'base64');
    key = Buffer.from(hkdfSync('sha256', ikm, Buffer.alloc(0), 'steeple picture links', 32));
    keys.set(config.STEEPLE_SECRET_KEY, key);
  }
  return key;
}

const signature = (config: Secret, key: string, expires: number) =>
  createHmac('sha256', signingKey(config)).update(`${key}\n${expires}`).digest('base64url');

/** `/api/media/<key>?expires=…&signature=…`: for the app's own pages. */
export function signedPath(config: Secret, key: string, life = FOR_INBOX, now = Date.now()) {
  const until = Math.ceil((now / 1000 + life.ttlSeconds) / life.windowSeconds) * life.windowSeconds;
  return `/api/media/${key}?expires=${until}&signature=${signature(config, key, until)}`;
}

/** The same, absolute: for Telnyx. */
export const signedUrl = (config: Secret & Pick<Config, 'NEXTAUTH_URL'>, key: string, life = FOR_TELNYX) =>
  new URL(signedPath(config, key, life), appUrl(config)).toString();

export type LinkCheck = { ok: true; expires: number } | { ok: false; reason: 'expired' | 'invalid' };

export function checkLink(config: Secret, key: string, params: URLSearchParams, now = Date.now()): LinkCheck {
  const expires = Number(params.get('expires'));
  const given = Buffer.from(params.get('signature') ?? '', 'utf8');
  if (!Number.isSafeInteger(expires) || given.length === 0) return { ok: false, reason: 'invalid' };
  const wanted = Buffer.from(signature(config, key, expires), 'utf8');
  if (given.length !== wanted.length || !timingSafeEqual(given, wanted)) return { ok: false, reason: 'invalid' };
  return expires * 1000 < now ? { ok: false, reason: 'expired' } : { ok: true, expires };
}
