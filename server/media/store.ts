import type { Config } from '@/server/config';
import { createLocalStore } from './local-store';
import { createS3Store } from './s3-store';

/**
 * Where pictures' bytes live: a folder on this machine by default (MEDIA_DIR), or any S3-compatible bucket when
 * MEDIA_S3_BUCKET is set. Keys are `<church id>/<picture id>.<ext>` (keys.ts), so one church's pictures can be
 * removed together and the extension says the type.
 */
type StoredPicture = { bytes: Buffer; contentType: string };
export type MediaStore = {
  name: 'local' | 's3';
  put(key: string, bytes: Uint8Array, contentType: string): Promise<void>;
  /** Null when there is nothing under that key. */
  get(key: string): Promise<StoredPicture | null>;
  /** Removing what is not there is not an error. */
  delete(keys: string[]): Promise<void>;
  /** Everything under `<prefix>/` (a church's pictures, when its database is dropped). */
  deletePrefix(prefix: string): Promise<void>;
};

export function createMediaStore(config: Config): MediaStore {
  return config.MEDIA_S3_BUCKET
    ? createS3Store({
        bucket: config.MEDIA_S3_BUCKET,
        region: config.MEDIA_S3_REGION,
        endpoint: config.MEDIA_S3_ENDPOINT,
        forcePathStyle: config.MEDIA_S3_FORCE_PATH_STYLE,
        credentials:
          config.MEDIA_S3_ACCESS_KEY_ID && config.MEDIA_S3_SECRET_ACCESS_KEY
            ? { accessKeyId: config.MEDIA_S3_ACCESS_KEY_ID, secretAccessKey: config.MEDIA_S3_SECRET_ACCESS_KEY }
            : undefined,
      })
    : createLocalStore(config.MEDIA_DIR);
}
