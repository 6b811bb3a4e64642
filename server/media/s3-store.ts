import {
  DeleteObjectsCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { parsePictureKey } from './keys';
import type { MediaStore } from './store';

/**
 * Pictures in any S3-compatible bucket (AWS S3, Cloudflare R2, MinIO, …), for deployments with more than one machine
 * or no lasting disk. Self-hosted stores usually want `forcePathStyle` (`endpoint/bucket/key`, no bucket subdomain).
 * Without `credentials` the SDK finds its own (environment, instance role).
 */
export function createS3Store(opts: {
  bucket: string;
  region: string;
  endpoint?: string;
  forcePathStyle: boolean;
  credentials?: { accessKeyId: string; secretAccessKey: string };
}): MediaStore {
  const s3 = new S3Client({
    region: opts.region,
    endpoint: opts.endpoint,
    forcePathStyle: opts.forcePathStyle,
    credentials: opts.credentials,
    maxAttempts: 3,
    // A stuck store fails the request instead of holding it (and its connection) open.
    requestHandler: { connectionTimeout: 5_000, requestTimeout: 30_000 },
    // Checksums only where S3 demands them (DeleteObjects): the SDK's default (since 3.729) adds CRC32 to every
    // upload, which R2, older MinIO and other S3-compatible stores refuse or mishandle.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  const Bucket = opts.bucket;
  const checked = (key: string) => {
    if (!parsePictureKey(key)) throw new Error(`not a picture key: ${key}`); // nothing outside the store, ever
    return key;
  };
  // S3 takes at most 1000 keys per DeleteObjects; it answers 200 even when some fail, listing them in Errors.
  const deleteKeys = async (keys: string[]) => {
    for (let i = 0; i < keys.length; i += 1000) {
      const Objects = keys.slice(i, i + 1000).map((Key) => ({ Key }));
      const { Errors } = await s3.send(new DeleteObjectsCommand({ Bucket, Delete: { Objects, Quiet: true } }));
      if (Errors?.length) throw new Error(`S3 could not delete ${Errors.map((e) => `${e.Key}: ${e.Code}`).join(', ')}`);
    }
  };
  return {
    name: 's3',
    async put(key, bytes, contentType) {
      await s3.send(new PutObjectCommand({ Bucket, Key: checked(key), Body: bytes, ContentType: contentType }));
    },
    async get(key) {
      const parsed = parsePictureKey(key);
      if (!parsed) return null;
      try {
        const { Body } = await s3.send(new GetObjectCommand({ Bucket, Key: key }));
        if (!Body) return null;
        return { bytes: Buffer.from(await Body.transformToByteArray()), contentType: parsed.type };
      } catch (err) {
        if (isMissing(err)) return null;
        throw err;
      }
    },
    async delete(keys) {
      await deleteKeys(keys.map(checked));
    },
    async deletePrefix(prefix) {
      if (!/^[0-9a-f-]{36}$/.test(prefix)) throw new Error(`not a church's folder: ${prefix}`);
      let ContinuationToken: string | undefined;
      do {
        const page = await s3.send(new ListObjectsV2Command({ Bucket, Prefix: `${prefix}/`, ContinuationToken }));
        await deleteKeys((page.Contents ?? []).flatMap((o) => (o.Key ? [o.Key] : [])));
        ContinuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (ContinuationToken);
    },
  };
}

const isMissing = (err: unknown) =>
  err instanceof S3ServiceException && (err.name === 'NoSuchKey' || err.$metadata.httpStatusCode === 404);
