import { randomBytes, randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parsePictureKey, pictureKey } from '@/server/media/keys';
import { checkLink, FOR_INBOX, FOR_TELNYX, signedPath, signedUrl } from '@/server/media/signed-links';

const config = { STEEPLE_SECRET_KEY: randomBytes(32).toString('base64') };
const church = randomUUID();
const picture = randomUUID();
const key = pictureKey(church, picture, 'image/png');

/** The query of a signed path, as the route reads it. */
const paramsOf = (path: string) => new URL(path, 'http://app').searchParams;

describe('picture keys', () => {
  it('are <church>/<picture>.<ext>, the extension naming the type', () => {
    expect(key).toBe(`${church}/${picture}.png`);
    expect(pictureKey(church, picture, 'image/jpeg')).toBe(`${church}/${picture}.jpg`);
    expect(parsePictureKey(key)).toEqual({ tenantId: church, mediaId: picture, type: 'image/png' });
    expect(parsePictureKey(pictureKey(church, picture, 'image/webp'))?.type).toBe('image/webp');
  });

  it.each([
    `../${key}`,
    `${church}/../${picture}.png`,
    `${church}/${picture}.png/..`,
    `/${key}`,
    `${key}\0`,
    `${church}/${picture}.PNG`,
    `${church}/${picture}.svg`,
    `${church}/${picture}.html`,
    `${church}\\${picture}.png`,
    `${church}/${picture}`,
    `${church}/sub/${picture}.png`,
    'x/y.png',
    '',
  ])('refuses %j', (bad) => {
    expect(parsePictureKey(bad)).toBeNull();
  });
});

describe('signed links', () => {
  const now = Date.UTC(2026, 0, 5, 10, 7, 30);

  it('check out for their key until they expire, then say expired', () => {
    const params = paramsOf(signedPath(config, key, FOR_INBOX, now));
    const expires = Number(params.get('expires'));
    expect(expires * 1000).toBeGreaterThanOrEqual(now + FOR_INBOX.ttlSeconds * 1000);
    expect(checkLink(config, key, params, now)).toEqual({ ok: true, expires });
    expect(checkLink(config, key, params, expires * 1000)).toEqual({ ok: true, expires });
    expect(checkLink(config, key, params, expires * 1000 + 1)).toEqual({ ok: false, reason: 'expired' });
  });

  it('stay the same within a window (a polled thread keeps its links), and change with the next', () => {
    const at = (ms: number) => signedPath(config, key, FOR_INBOX, ms);
    const start = Math.floor(now / 900_000) * 900_000; // a window's start
    expect(at(start + 1)).toBe(at(start + 899_999));
    expect(at(start + 1)).toBe(at(start + 900_000));
    expect(at(start + 900_001)).not.toBe(at(start + 900_000));
  });

  it('do not open another picture, another church, a changed expiry, or for another secret', () => {
    const params = paramsOf(signedPath(config, key, FOR_INBOX, now));
    const invalid = { ok: false, reason: 'invalid' };
    expect(checkLink(config, pictureKey(church, randomUUID(), 'image/png'), params, now)).toEqual(invalid);
    expect(checkLink(config, pictureKey(randomUUID(), picture, 'image/png'), params, now)).toEqual(invalid);
    expect(checkLink(config, pictureKey(church, picture, 'image/gif'), params, now)).toEqual(invalid);
    const stretched = new URLSearchParams(params);
    stretched.set('expires', String(Number(params.get('expires')) + 3600));
    expect(checkLink(config, key, stretched, now)).toEqual(invalid);
    expect(checkLink({ STEEPLE_SECRET_KEY: randomBytes(32).toString('base64') }, key, params, now)).toEqual(invalid);
    for (const query of ['', 'expires=abc&signature=x', `expires=${params.get('expires')}`, 'signature=abc'])
      expect(checkLink(config, key, new URLSearchParams(query), now), query).toEqual(invalid);
  });

  it("are absolute for Telnyx, on the app's address, and last a week", () => {
    const url = new URL(signedUrl({ ...config, NEXTAUTH_URL: 'https://app.example.org' }, key));
    expect(url.origin).toBe('https://app.example.org');
    expect(url.pathname).toBe(`/api/media/${key}`);
    const expires = Number(url.searchParams.get('expires'));
    expect(expires * 1000 - Date.now()).toBeGreaterThanOrEqual(FOR_TELNYX.ttlSeconds * 1000 - 1000);
    expect(checkLink(config, key, url.searchParams)).toEqual({ ok: true, expires });
  });
});
