import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * The token a connect card page is served with: when it was opened and a nonce, signed for that church's slug. On
 * submit it proves the form was open long enough for a person to fill it in (bots post at once), is not older than a
 * day, and — stored with the submission — makes a double tap on "Send" count once.
 */
const MIN_FILL_MS = 3_000;
const MAX_AGE_MS = 24 * 60 * 60 * 1000;

const keyOf = (secretKey: string) =>
  createHmac('sha256', Buffer.from(secretKey, 'base64')).update('connect-card-form').digest();

const sign = (secretKey: string, slug: string, issuedAt: number, nonce: string) =>
  createHmac('sha256', keyOf(secretKey)).update(`${slug}|${issuedAt}|${nonce}`).digest('base64url');

export function issueFormToken(secretKey: string, slug: string, now = Date.now()): string {
  const nonce = randomBytes(12).toString('base64url');
  return `${now}.${nonce}.${sign(secretKey, slug, now, nonce)}`;
}

export type TokenCheck = 'ok' | 'invalid' | 'too_fast' | 'expired';

export function checkFormToken(secretKey: string, slug: string, token: string, now = Date.now()): TokenCheck {
  const [at, nonce, mac] = token.split('.');
  const issuedAt = Number(at);
  if (!nonce || !mac || !Number.isSafeInteger(issuedAt)) return 'invalid';
  const expected = Buffer.from(sign(secretKey, slug, issuedAt, nonce));
  const given = Buffer.from(mac);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return 'invalid';
  if (now - issuedAt < MIN_FILL_MS) return 'too_fast';
  if (now - issuedAt > MAX_AGE_MS) return 'expired';
  return 'ok';
}
