import { z } from 'zod';
import { INBOUND_CHOICES } from './kinds';

/** What the account page sends: each channel's choices and the digest's local time (minutes after midnight). */
const channelChoices = z.object({
  inbound: z.enum(INBOUND_CHOICES),
  connectCard: z.boolean(),
  sequenceReply: z.boolean(),
});
export type ChannelChoices = z.infer<typeof channelChoices>;

export const notificationChoicesInput = z.object({
  email: channelChoices,
  push: channelChoices,
  digestMinute: z.number().int().min(0, 'Choose a time of day').max(1439, 'Choose a time of day').nullable(),
});

/** The push services browsers use (Chrome/Edge via FCM, Firefox, Safari, Windows), by host; nothing else is called. */
const PUSH_HOSTS = new Set(['fcm.googleapis.com', 'updates.push.services.mozilla.com', 'web.push.apple.com']);
const PUSH_HOST_SUFFIXES = ['.push.apple.com', '.notify.windows.com'];

/**
 * A push service's address: https on port 443, no user or password, and a host of one of the real push services
 * (anything else would let anyone on the team make the server send requests wherever they like, its own network
 * included). A trailing dot is refused rather than trimmed: no browser hands one out. `extraOrigins`: the tests'
 * stand-in push service only (PushDeps.pushOrigins); never set in production.
 */
export function isPushServiceUrl(value: string, extraOrigins: readonly string[] = []): boolean {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  if (url.protocol !== 'https:' || url.username || url.password) return false;
  if (extraOrigins.includes(url.origin)) return true;
  const host = url.hostname; // lower-cased by URL; an explicit :443 is dropped by it, any other port kept
  if (url.port !== '' || host.endsWith('.')) return false;
  return PUSH_HOSTS.has(host) || PUSH_HOST_SUFFIXES.some((s) => host.endsWith(s) && host.length > s.length);
}

/** The browser's PushSubscription, as `toJSON()` gives it: its endpoint and the keys to encrypt for it. */
export const pushSubscriptionInput = z.object({
  endpoint: z
    .string()
    .max(2048, 'That push address is too long.')
    .refine((v) => isPushServiceUrl(v), 'That is not the address of a push service.'),
  keys: z.object({
    // 65 bytes (an uncompressed P-256 point, 0x04 first) and 16 bytes, URL-safe base64.
    p256dh: z.string().regex(/^B[A-Za-z0-9_-]{86}=?$/, 'The browser sent a key we cannot use.'),
    auth: z.string().regex(/^[A-Za-z0-9_-]{22}(==)?$/, 'The browser sent a key we cannot use.'),
  }),
});

export const pushEndpointInput = z.object({ endpoint: z.string().max(2048) });
