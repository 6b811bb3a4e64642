import { fileTypeFromBuffer } from 'file-type';
import { SENDABLE_TYPES, SHOWABLE_TYPES, type PictureType } from './keys';

/**
 * What a file is, read from its first bytes (file-type's signatures), never from its name or the type its sender
 * claimed: a "photo.jpg" that is a web page is refused. `allowed`: the types this path accepts.
 */
export async function pictureTypeOf(
  bytes: Uint8Array,
  allowed: Partial<Record<PictureType, string>> = SHOWABLE_TYPES,
): Promise<PictureType | null> {
  const found = await fileTypeFromBuffer(bytes);
  return found && found.mime in allowed ? (found.mime as PictureType) : null;
}

/** What the team may attach: JPEG, PNG or GIF. */
export const sendableTypeOf = (bytes: Uint8Array) => pictureTypeOf(bytes, SENDABLE_TYPES);
