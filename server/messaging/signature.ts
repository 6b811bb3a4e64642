import { createHmac, createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';

/**
 * Telnyx signs each webhook with Ed25519 over `${telnyx-timestamp}|${rawBody}`. With a real Telnyx account the
 * public key comes from TELNYX_PUBLIC_KEY; with the local outbox a key pair is derived from STEEPLE_SECRET_KEY, so
 * simulated replies carry a real signature and go through exactly the same verification.
 */
export const SIGNATURE_HEADER = 'telnyx-signature-ed25519';
export const TIMESTAMP_HEADER = 'telnyx-timestamp';
export const TOLERANCE_SECONDS = 300;

// DER prefixes that wrap a raw 32-byte Ed25519 key into SPKI (public) and PKCS#8 (private) form.
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

export function publicKeyFromBase64(b64: string): KeyObject {
  const bytes = Buffer.from(b64, 'base64');
  const der = bytes.length === 32 ? Buffer.concat([SPKI_PREFIX, bytes]) : bytes;
  return createPublicKey({ key: der, format: 'der', type: 'spki' });
}

/** The local outbox's signing key: deterministic, so every instance of one deployment agrees on it. */
export function localSigningKey(secretKey: string): KeyObject {
  const seed = createHmac('sha256', Buffer.from(secretKey, 'base64')).update('telnyx-local-webhook-key').digest();
  return createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, seed]), format: 'der', type: 'pkcs8' });
}

export function signWebhook(privateKey: KeyObject, rawBody: string, timestamp = Math.floor(Date.now() / 1000)) {
  const signature = sign(null, Buffer.from(`${timestamp}|${rawBody}`), privateKey).toString('base64');
  return { [SIGNATURE_HEADER]: signature, [TIMESTAMP_HEADER]: String(timestamp) };
}

export type SignatureCheck = { ok: true } | { ok: false; reason: string };

export function verifyWebhook(
  publicKey: KeyObject,
  rawBody: string,
  headers: Headers,
  now = Date.now(),
): SignatureCheck {
  const signature = headers.get(SIGNATURE_HEADER);
  const timestamp = headers.get(TIMESTAMP_HEADER);
  if (!signature || !timestamp) return { ok: false, reason: 'missing signature headers' };
  if (!/^\d{1,12}$/.test(timestamp)) return { ok: false, reason: 'malformed timestamp' };
  // Stale in either direction: a replayed capture, or a clock far ahead.
  if (Math.abs(now / 1000 - Number(timestamp)) > TOLERANCE_SECONDS) return { ok: false, reason: 'stale timestamp' };
  const sig = Buffer.from(signature, 'base64');
  if (sig.length !== 64) return { ok: false, reason: 'malformed signature' };
  return verify(null, Buffer.from(`${timestamp}|${rawBody}`), publicKey, sig)
    ? { ok: true }
    : { ok: false, reason: 'bad signature' };
}
