import { createHash, randomBytes } from 'node:crypto';

/** Opaque tokens (signup tickets, invitation links, session ids) and the hash they are stored as. */
export const randomToken = (bytes = 32) => randomBytes(bytes).toString('base64url');

export const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');
