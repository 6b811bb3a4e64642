import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { pictureKey } from '@/server/media/keys';
import { createS3Store } from '@/server/media/s3-store';
import type { MediaStore } from '@/server/media/store';
import { s3StandIn } from './support/s3-stand-in';

const ACCESS_KEY_ID = 'AKIASTEEPLETEST00001';
const credentials = { accessKeyId: ACCESS_KEY_ID, secretAccessKey: 'stand-in-secret-key' };

describe('the S3 picture store, against an S3 stand-in', () => {
  let s3: Awaited<ReturnType<typeof s3StandIn>>;
  let store: MediaStore;
  const storeWith = (creds = credentials) =>
    createS3Store({
      bucket: s3.bucket,
      region: 'us-east-1',
      endpoint: s3.endpoint,
      forcePathStyle: true,
      credentials: creds,
    });
  const keyOf = (church: string, type: 'image/jpeg' | 'image/png' = 'image/jpeg') =>
    pictureKey(church, randomUUID(), type);
  const requestsOf = (method: string, query?: string) =>
    s3.requests.filter((r) => r.method === method && (!query || r.query.has(query)));

  beforeAll(async () => {
    // A list page holds two keys at most, so deletePrefix has to follow continuation tokens.
    s3 = await s3StandIn({ accessKeyId: ACCESS_KEY_ID, maxKeys: 2 });
    store = storeWith();
  });
  afterAll(() => s3.close());
  beforeEach(() => {
    s3.objects.clear();
    s3.requests.length = 0;
  });

  it('gives back the bytes it was given, stored with their type and sent signed, whole and plain', async () => {
    const key = keyOf(randomUUID(), 'image/png');
    const bytes = randomBytes(70_000);
    await store.put(key, bytes, 'image/png');

    expect(s3.objects.get(key)).toEqual({ bytes, contentType: 'image/png' });
    const got = await store.get(key);
    expect(got?.contentType).toBe('image/png');
    expect(got?.bytes.equals(bytes)).toBe(true);
    const [put] = requestsOf('PUT');
    expect(put!.path).toBe(`/${s3.bucket}/${key}`);
    expect(put!.headers.authorization).toMatch(new RegExp(`^AWS4-HMAC-SHA256 Credential=${ACCESS_KEY_ID}/`));
    // No flexible checksums on uploads: what R2 and MinIO take.
    expect(Object.keys(put!.headers).filter((h) => h.startsWith('x-amz-checksum') || h === 'x-amz-trailer')).toEqual(
      [],
    );
    expect(put!.headers['x-amz-content-sha256']).not.toMatch(/^STREAMING/);
  });

  it('answers null for a key with nothing under it, and for one that is not a picture key', async () => {
    expect(await store.get(keyOf(randomUUID()))).toBeNull();
    expect(await store.get('../../etc/passwd')).toBeNull();
    expect(requestsOf('GET')).toHaveLength(1); // the bad key never reached the store
  });

  it('deletes what it is told to, and deleting what is not there is no error', async () => {
    const church = randomUUID();
    const [gone, kept, never] = [keyOf(church), keyOf(church), keyOf(church)];
    await store.put(gone, Buffer.from('a'), 'image/jpeg');
    await store.put(kept, Buffer.from('b'), 'image/jpeg');

    await store.delete([gone, never]);
    expect([...s3.objects.keys()]).toEqual([kept]);
    expect(await store.get(gone)).toBeNull();
    await store.delete([gone]);

    s3.requests.length = 0;
    await store.delete([]);
    expect(s3.requests).toEqual([]);
  });

  it('deletes in batches of 1000, the most one DeleteObjects takes', async () => {
    const church = randomUUID();
    const keys = Array.from({ length: 2500 }, () => keyOf(church));
    for (const key of keys) s3.objects.set(key, { bytes: Buffer.from('x'), contentType: 'image/jpeg' });

    await store.delete(keys);
    expect(s3.objects.size).toBe(0);
    expect(requestsOf('POST', 'delete')).toHaveLength(3);
  });

  it("removes one church's pictures, page after page, and no other church's", async () => {
    const [church, neighbour] = [randomUUID(), randomUUID()];
    const theirs = Array.from({ length: 5 }, () => keyOf(church));
    const others = [keyOf(neighbour), keyOf(neighbour)];
    for (const key of [...theirs, ...others]) await store.put(key, Buffer.from(key), 'image/jpeg');

    await store.deletePrefix(church);
    expect([...s3.objects.keys()].sort()).toEqual(others.sort());
    expect(requestsOf('GET', 'list-type').map((r) => r.query.get('prefix'))).toEqual([
      `${church}/`,
      `${church}/`,
      `${church}/`,
    ]);
    await store.deletePrefix(randomUUID()); // an empty folder: nothing to do, no error
  });

  it('refuses keys that are not picture keys before asking the store', async () => {
    await expect(store.put('../outside.jpg', Buffer.from('x'), 'image/jpeg')).rejects.toThrow(/not a picture key/);
    await expect(store.put(`${randomUUID()}/x.exe`, Buffer.from('x'), 'image/jpeg')).rejects.toThrow();
    await expect(store.delete([keyOf(randomUUID()), 'a/../b'])).rejects.toThrow(/not a picture key/);
    await expect(store.deletePrefix('')).rejects.toThrow(/not a church's folder/);
    await expect(store.deletePrefix('../x')).rejects.toThrow(/not a church's folder/);
    expect(s3.requests).toEqual([]);
  });

  it("fails loudly when the store turns its credentials away (a get does not pretend there's nothing)", async () => {
    const key = keyOf(randomUUID());
    s3.objects.set(key, { bytes: Buffer.from('x'), contentType: 'image/jpeg' });
    const stranger = storeWith({ accessKeyId: 'AKIASOMEONEELSE00000', secretAccessKey: 'nope' });

    await expect(stranger.put(keyOf(randomUUID()), Buffer.from('x'), 'image/jpeg')).rejects.toMatchObject({
      name: 'InvalidAccessKeyId',
      $metadata: { httpStatusCode: 403 },
    });
    await expect(stranger.get(key)).rejects.toMatchObject({ name: 'InvalidAccessKeyId' });
    await expect(stranger.delete([key])).rejects.toMatchObject({ $metadata: { httpStatusCode: 403 } });
    await expect(stranger.deletePrefix(randomUUID())).rejects.toMatchObject({ $metadata: { httpStatusCode: 403 } });
    expect([...s3.objects.keys()]).toEqual([key]);
    expect(requestsOf('PUT')).toHaveLength(1); // a refusal is not retried
  });
});
