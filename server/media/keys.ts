/**
 * Pictures Steeple keeps: what they may be and how their store keys read. Sent pictures are the three every US
 * carrier takes; received ones may also be WebP (browsers show it). The extension in the key names the type, so
 * serving a picture needs neither the church's database nor the store's metadata.
 */
export const SENDABLE_TYPES = { 'image/jpeg': 'jpg', 'image/png': 'png', 'image/gif': 'gif' } as const;
export const SHOWABLE_TYPES = { ...SENDABLE_TYPES, 'image/webp': 'webp' } as const;
export type PictureType = keyof typeof SHOWABLE_TYPES;

export const MAX_PICTURE_BYTES = 5 * 1024 * 1024;
export const TOO_LARGE = 'Pictures can be at most 5 MB.';
/** The size every US carrier takes from any kind of number (Telnyx's table): larger ones may be shrunk or refused. */
export const CARRIER_SAFE_BYTES = 600 * 1024;

const KEY = /^([0-9a-f-]{36})\/([0-9a-f-]{36})\.(jpg|png|gif|webp)$/;
const TYPE_OF_EXT = Object.fromEntries(Object.entries(SHOWABLE_TYPES).map(([type, ext]) => [ext, type])) as Record<
  string,
  PictureType
>;

export const pictureKey = (tenantId: string, mediaId: string, type: PictureType) =>
  `${tenantId}/${mediaId}.${SHOWABLE_TYPES[type]}`;

/** A key as pictureKey makes them, with its type; null for anything else (a path that tries to leave the store). */
export function parsePictureKey(key: string): { tenantId: string; mediaId: string; type: PictureType } | null {
  const m = KEY.exec(key);
  return m ? { tenantId: m[1]!, mediaId: m[2]!, type: TYPE_OF_EXT[m[3]!]! } : null;
}
