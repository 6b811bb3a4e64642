import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { OctetInput } from '@trpc/server/http';
import { and, eq, inArray, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POST as trpcPost } from '@/app/api/trpc/[trpc]/route';
import type { TenantDb } from '@/db/tenant';
import { media, messageMedia, messages } from '@/db/tenant/schema';
import { sessionCookieName } from '@/server/auth/session';
import { startWorker } from '@/server/jobs/worker';
import { FETCH_PICTURE_TASK } from '@/server/media/jobs';
import { inboundPictureId } from '@/server/media/inbound';
import { servePicture } from '@/server/media/serve';
import { checkLink, FOR_INBOX, signedPath } from '@/server/media/signed-links';
import { sweepPictures } from '@/server/media/sweep';
import { createTelnyx } from '@/server/messaging/telnyx';
import { telnyxReceivedEvent } from '@/server/messaging/telnyx-events';
import type { Services } from '@/server/services';
import { errorOf, provisionChurch, signIn, type Church, type SignedInClient } from './support/accounts';
import { until } from './support/harness';
import {
  broadcastMessages,
  createMessagingRegistry,
  insertMembers,
  messageRow,
  queuedJobs,
  readyNumber,
  type MessagingRegistry,
} from './support/messaging';
import { postSigned } from './support/webhooks';

/**
 * Picture messages (MMS), end to end on this machine: uploads kept in a local store (a temporary MEDIA_DIR), sent
 * through the real Telnyx client to a stand-in that fetches each picture back over HTTP through the app's picture
 * route, and received pictures fetched by their job from links the stand-in serves.
 */

// Small real pictures: file-type reads what they are from these bytes.
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
);
const GIF = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');
const WEBP = Buffer.from('UklGRhoAAABXRUJQVlA4TA0AAAAvAAAAEAcQERGIiP4HAA==', 'base64');
// The start of an MP4 (an ISO media box naming its brand): file-type calls it video/mp4.
const MP4 = Buffer.concat([
  Buffer.from([0, 0, 0, 0x18]),
  Buffer.from('ftypmp42'),
  Buffer.from([0, 0, 0, 0]),
  Buffer.from('mp42isom'),
  Buffer.alloc(64),
]);
const HTML = Buffer.from('<!doctype html><html><body><script>alert(1)</script></body></html>');

/**
 * The bytes as media.upload takes them on the server: the request body, as a stream. (Its input type names what a
 * browser's client sends, a Blob or bytes; a caller made with createCaller skips that HTTP step.)
 */
const streamOf = (bytes: Uint8Array) => new Blob([new Uint8Array(bytes)]).stream() as unknown as OctetInput;

/** An HTTP server on 127.0.0.1 for a test; `close` ends its connections too. */
async function listen(handler: http.RequestListener) {
  const server = http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close() {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

const readAll = (req: http.IncomingMessage) =>
  new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });

/** What the Telnyx stand-in fetched from one of the links it was given. */
type Fetched = { url: string; status: number; contentType: string | null; bytes: Buffer };
type Sent = { body: Record<string, unknown>; fetched: Fetched[] };

/**
 * Telnyx as far as pictures go: POST /v2/messages is accepted after each `media_urls` link has been fetched (as
 * Telnyx fetches them before sending the MMS); GET /media/<name> serves what the test put in `files`, as Telnyx's
 * links to a member's pictures do.
 */
async function startTelnyxStandIn() {
  const sent: Sent[] = [];
  const files = new Map<string, { status: number; type: string; bytes: Buffer }>();
  const gets: string[] = [];
  let seq = 0;
  const server = await listen((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://stand-in');
      if (req.method === 'POST' && url.pathname === '/v2/messages') {
        const body = JSON.parse((await readAll(req)).toString('utf8')) as Record<string, unknown>;
        const fetched: Fetched[] = [];
        for (const link of (body.media_urls as string[] | undefined) ?? []) {
          const got = await fetch(link);
          const bytes = Buffer.from(await got.arrayBuffer());
          fetched.push({ url: link, status: got.status, contentType: got.headers.get('content-type'), bytes });
        }
        sent.push({ body, fetched });
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ data: { id: `telnyx-mms-${++seq}`, record_type: 'message' } }));
        return;
      }
      const file = req.method === 'GET' ? files.get(url.pathname.replace(/^\/media\//, '')) : undefined;
      gets.push(url.pathname);
      if (!file) return void res.writeHead(404).end('no such file');
      res.writeHead(file.status, { 'content-type': file.type, 'content-length': String(file.bytes.length) });
      res.end(file.bytes);
    })().catch((err: unknown) => {
      res.writeHead(500).end(String(err));
    });
  });
  return {
    ...server,
    sent,
    files,
    gets,
    /** Serve `bytes` at a new link, as Telnyx links a member's picture. */
    host(bytes: Buffer, type: string, status = 200) {
      const name = randomUUID();
      files.set(name, { status, type, bytes });
      return `${server.url}/media/${name}`;
    },
    to: (phone: string) => sent.filter((s) => s.body.to === phone),
  };
}

/** A signed link (`/api/media/<key>?…`) as servePicture reads it from the request. */
function splitLink(link: string) {
  const url = new URL(link, 'http://app');
  return { key: decodeURIComponent(url.pathname.replace(/^\/api\/media\//, '')), params: url.searchParams };
}

describe('pictures (MMS)', () => {
  let mediaDir: string;
  let telnyx: Awaited<ReturnType<typeof startTelnyxStandIn>>;
  let app: Awaited<ReturnType<typeof listen>>;
  let reg: MessagingRegistry;
  let services: Services;
  let church: Church;
  let owner: SignedInClient;
  let number: string;
  let worker: Awaited<ReturnType<typeof startWorker>>;

  const withDb = <T>(fn: (db: TenantDb) => Promise<T>) => services.connections.withTenant(church.tenantId, fn);
  const upload = (bytes: Uint8Array) => owner.caller.media.upload(streamOf(bytes));
  const mediaRow = async (id: string) => (await withDb((db) => db.select().from(media).where(eq(media.id, id))))[0];
  const settled = (id: string) =>
    until(async () => {
      const m = await messageRow(services, church.tenantId, id);
      return m.status !== 'queued' && m.status !== 'sending' ? m : null;
    });
  /** A received picture once its fetch job has finished with it. */
  const fetchedPicture = (id: string) =>
    until(async () => {
      const row = await mediaRow(id);
      return row && row.state !== 'fetching' ? row : null;
    });

  beforeAll(async () => {
    mediaDir = await mkdtemp(join(tmpdir(), 'steeple-media-'));
    telnyx = await startTelnyxStandIn();
    // The app's picture route (app/api/media/[...key]/route.ts) as Next.js would hand it a request.
    app = await listen((req, res) => {
      void (async () => {
        const url = new URL(req.url ?? '/', 'http://app');
        if (req.method !== 'GET' || !url.pathname.startsWith('/api/media/')) return void res.writeHead(404).end();
        const key = url.pathname
          .slice('/api/media/'.length)
          .split('/')
          .map((s) => decodeURIComponent(s))
          .join('/');
        const answer = await servePicture(services, key, url.searchParams);
        res.writeHead(answer.status, Object.fromEntries(answer.headers));
        res.end(Buffer.from(await answer.arrayBuffer()));
      })().catch((err: unknown) => res.writeHead(500).end(String(err)));
    });
    const provider = createTelnyx({ apiKey: 'KEY_media_test', baseUrl: telnyx.url, timeoutMs: 5_000 });
    // NEXTAUTH_URL: the signed links handed to Telnyx point at the route above.
    reg = await createMessagingRegistry({ MEDIA_DIR: mediaDir, NEXTAUTH_URL: app.url }, provider);
    services = reg.services;
    church = await provisionChurch(services, { churchName: 'Picture Chapel' });
    owner = await signIn(services, church.email, church.password);
    number = await readyNumber(services, owner);
    worker = await startWorker(services);
  });
  afterAll(async () => {
    await worker?.stop();
    await reg?.cleanup();
    await Promise.all([telnyx?.close(), app?.close()]);
    if (mediaDir) await rm(mediaDir, { recursive: true, force: true });
  });

  it('MMS round-trips through the local store and a Telnyx stand-in', async () => {
    const [ada] = await insertMembers(services, church.tenantId, [{ firstName: 'Ada' }]);

    // Out: uploaded, kept under MEDIA_DIR, sent with words.
    const picture = await upload(PNG);
    expect(picture).toMatchObject({
      state: 'ready',
      contentType: 'image/png',
      bytes: PNG.length,
      overCarrierLimit: false,
      url: expect.stringMatching(new RegExp(`^/api/media/${church.tenantId}/${picture.id}\\.png\\?expires=\\d+&`)),
    });
    const stored = join(mediaDir, church.tenantId, `${picture.id}.png`);
    expect(await readFile(stored)).toEqual(PNG);
    const sent = await owner.caller.messages.send({ memberId: ada!.id, body: 'Our new hall', mediaId: picture.id });
    expect(sent).toMatchObject({ body: 'Our new hall', segments: 1, status: 'queued' });
    expect(await settled(sent.id)).toMatchObject({
      status: 'sent',
      providerMessageId: expect.stringMatching(/^telnyx-mms-\d+$/),
      error: null,
    });

    const [out] = telnyx.to(ada!.phone);
    expect(telnyx.to(ada!.phone)).toHaveLength(1);
    expect(out!.body).toMatchObject({ from: number, to: ada!.phone, text: 'Our new hall' });
    const links = out!.body.media_urls as string[];
    expect(links).toHaveLength(1);
    expect(links[0]).toMatch(new RegExp(`^${app.url}/api/media/${church.tenantId}/${picture.id}\\.png\\?`));
    // What Telnyx fetched through the app's route is the picture, byte for byte, as exactly its type.
    expect(out!.fetched).toEqual([{ url: links[0], status: 200, contentType: 'image/png', bytes: PNG }]);

    // In: the member answers with a picture Telnyx holds; the webhook notes it, the job fetches it into the store.
    const link = telnyx.host(GIF, 'image/gif');
    const providerId = `mms-${randomUUID()}`;
    const res = await postSigned(
      services,
      telnyxReceivedEvent({
        from: ada!.phone,
        to: number,
        text: 'Here is ours',
        id: providerId,
        media: [{ url: link, content_type: 'image/png' }], // what it claims; its bytes say GIF
      }),
    );
    expect(await res.json()).toEqual({ outcome: 'stored' });
    const [inbound] = await withDb((db) =>
      db.select().from(messages).where(eq(messages.providerMessageId, providerId)),
    );
    const pictureId = inboundPictureId(inbound!.id, 0);
    const got = await fetchedPicture(pictureId);
    expect(got).toMatchObject({
      origin: 'inbound',
      state: 'ready',
      contentType: 'image/gif',
      bytes: GIF.length,
      sourceUrl: link,
      storeKey: `${church.tenantId}/${pictureId}.gif`,
      error: null,
    });
    expect(existsSync(join(mediaDir, church.tenantId, `${pictureId}.gif`))).toBe(true);

    const thread = await owner.caller.conversations.get({ id: sent.conversationId });
    expect(thread.messages.map((m) => [m.direction, m.body, m.pictures.map((p) => p.state)])).toEqual([
      ['outbound', 'Our new hall', ['ready']],
      ['inbound', 'Here is ours', ['ready']],
    ]);
    const shown = thread.messages[1]!.pictures[0]!;
    expect(shown).toMatchObject({ id: pictureId, contentType: 'image/gif', bytes: GIF.length });
    const { key, params } = splitLink(shown.url!);
    const served = await servePicture(services, key, params);
    expect(served.status).toBe(200);
    expect(served.headers.get('content-type')).toBe('image/gif');
    expect(served.headers.get('x-content-type-options')).toBe('nosniff');
    expect(Buffer.from(await served.arrayBuffer())).toEqual(GIF);
    // And over HTTP, as the inbox's <img> loads it.
    const overHttp = await fetch(`${app.url}${shown.url}`);
    expect(Buffer.from(await overHttp.arrayBuffer())).toEqual(GIF);
  });

  it('upload refuses what is not a JPEG, PNG or GIF by its bytes, an empty file, and more than 5 MB', async () => {
    const count = async () => (await withDb((db) => db.select({ id: media.id }).from(media))).length;
    const before = await count();
    const refusal = async (bytes: Uint8Array) => {
      const err = await errorOf(upload(bytes));
      return { code: err.code, message: err.message };
    };
    const NOT_A_PICTURE = expect.stringContaining('Choose a JPEG, PNG or GIF');
    expect(await refusal(HTML)).toEqual({ code: 'BAD_REQUEST', message: NOT_A_PICTURE });
    // A browser shows WebP, but not every carrier takes it: a received one is kept, an attached one refused.
    expect(await refusal(WEBP)).toEqual({ code: 'BAD_REQUEST', message: NOT_A_PICTURE });
    expect(await refusal(MP4)).toEqual({ code: 'BAD_REQUEST', message: NOT_A_PICTURE });
    expect(await refusal(new Uint8Array(0))).toEqual({ code: 'BAD_REQUEST', message: 'That file is empty.' });
    const huge = Buffer.concat([PNG, Buffer.alloc(5 * 1024 * 1024 + 1 - PNG.length)]);
    expect(await refusal(huge)).toEqual({ code: 'BAD_REQUEST', message: expect.stringContaining('at most 5 MB') });
    // Exactly 5 MB is allowed, and flagged as larger than every carrier takes.
    const fiveMb = await upload(Buffer.concat([PNG, Buffer.alloc(5 * 1024 * 1024 - PNG.length)]));
    expect(fiveMb).toMatchObject({ state: 'ready', bytes: 5 * 1024 * 1024, overCarrierLimit: true });
    expect((await upload(GIF)).contentType).toBe('image/gif');

    // Nothing refused was kept: only the two accepted pictures have rows.
    expect(await count()).toBe(before + 2);
  });

  it('upload through the tRPC route: raw bytes as application/octet-stream, signed in', async () => {
    const holder = globalThis as unknown as { __steeple?: Services };
    const previous = holder.__steeple;
    holder.__steeple = services; // the route's getServices() hands out this registry's services
    try {
      const post = (body: Uint8Array, cookie: string | null) =>
        trpcPost(
          new Request('http://test/api/trpc/media.upload', {
            method: 'POST',
            headers: {
              'content-type': 'application/octet-stream',
              ...(cookie ? { cookie: `${sessionCookieName(services)}=${cookie}` } : {}),
            },
            body: new Uint8Array(body),
          }),
        );
      const ok = await post(PNG, owner.cookie);
      expect(ok.status).toBe(200);
      const view = (await ok.json()) as { result: { data: { json: { id: string; contentType: string } } } };
      expect(view.result.data.json).toMatchObject({ contentType: 'image/png' });
      expect(await mediaRow(view.result.data.json.id)).toMatchObject({ origin: 'upload', uploadedBy: church.adminId });
      expect((await post(PNG, null)).status).toBe(401);
      expect((await post(HTML, owner.cookie)).status).toBe(400);
    } finally {
      if (previous) holder.__steeple = previous;
      else delete holder.__steeple;
    }
  });

  it('messages.send needs words or a picture; a picture alone is one message with no text', async () => {
    const [bo] = await insertMembers(services, church.tenantId, [{ firstName: 'Bo' }]);
    const neither = await errorOf(owner.caller.messages.send({ memberId: bo!.id, body: '   ' }));
    expect(neither).toMatchObject({ code: 'BAD_REQUEST', message: 'Write a message or attach a picture.' });
    const nobody = await errorOf(owner.caller.messages.send({ memberId: bo!.id, body: 'hi', mediaId: randomUUID() }));
    expect(nobody).toMatchObject({
      code: 'NOT_FOUND',
      message: 'That picture is no longer available: attach it again.',
    });

    const picture = await upload(PNG);
    const sent = await owner.caller.messages.send({ memberId: bo!.id, body: '', mediaId: picture.id });
    expect(sent).toMatchObject({ body: '', segments: 1 });
    const thread = await owner.caller.conversations.get({ id: sent.conversationId });
    expect(thread.conversation.lastMessagePreview).toBe('📷 Picture');
    expect(await settled(sent.id)).toMatchObject({ status: 'sent' });
    const [out] = telnyx.to(bo!.phone);
    expect(out!.body).not.toHaveProperty('text'); // Telnyx takes an MMS without words
    expect(out!.fetched.map((f) => [f.status, f.contentType])).toEqual([[200, 'image/png']]);
    // Long words beside a picture are still one MMS.
    const long = await owner.caller.messages.send({ memberId: bo!.id, body: 'x'.repeat(500), mediaId: picture.id });
    expect(long.segments).toBe(1);
  });

  it('broadcasts: the preview prices an MMS per recipient; every copy carries the picture', async () => {
    const tag = `pictures-${randomUUID().slice(0, 8)}`;
    const people = await insertMembers(
      services,
      church.tenantId,
      Array.from({ length: 4 }, (_, i) => ({ firstName: `Bcast${i}`, tags: [tag] })),
    );
    const audience = { type: 'tag' as const, tag };
    const body = `Harvest supper on Saturday, bring a dish. ${'More words. '.repeat(20)}`;
    const plain = await owner.caller.broadcasts.preview({ audience, body });
    expect(plain).toMatchObject({ mms: false, recipients: 4 });
    expect(plain.segments).toBeGreaterThan(1);
    const preview = await owner.caller.broadcasts.preview({ audience, body, picture: true });
    expect(preview).toMatchObject({ mms: true, segments: 1, recipients: 4 });
    expect(preview.estimatedCost).toBe(Math.round(4 * services.config.MMS_PRICE_PER_MESSAGE * 100) / 100);
    expect(services.config.MMS_PRICE_PER_MESSAGE).toBe(0.015);
    expect(preview.estimatedCost).toBe(0.06);

    const picture = await upload(GIF);
    const created = await owner.caller.broadcasts.create({ body, audience, mediaId: picture.id });
    const done = await until(async () => {
      const b = await owner.caller.broadcasts.get({ id: created.id });
      return b.state !== 'scheduled' && b.state !== 'sending' ? b : null;
    });
    expect(done.state).toBe('sent');
    const copies = await broadcastMessages(services, church.tenantId, created.id);
    expect(copies).toHaveLength(4);
    expect(copies.every((m) => m.segments === 1 && m.status === 'sent')).toBe(true);
    const links = await withDb((db) =>
      db
        .select()
        .from(messageMedia)
        .where(
          inArray(
            messageMedia.messageId,
            copies.map((m) => m.id),
          ),
        ),
    );
    expect(links.map((l) => l.mediaId)).toEqual(copies.map(() => picture.id));
    expect(new Set(links.map((l) => l.messageId))).toEqual(new Set(copies.map((m) => m.id)));
    for (const p of people) {
      const [out] = telnyx.to(p.phone);
      expect(out!.fetched.map((f) => [f.status, f.contentType, f.bytes.equals(GIF)])).toEqual([
        [200, 'image/gif', true],
      ]);
    }
  });

  it('received: a video is unsupported, a 404 link fails at once, a replay notes its picture once', async () => {
    const [cy] = await insertMembers(services, church.tenantId, [{ firstName: 'Cy' }]);
    const receive = async (link: string, contentType: string, providerId = `mms-${randomUUID()}`) => {
      const body = telnyxReceivedEvent({
        from: cy!.phone,
        to: number,
        text: '',
        id: providerId,
        media: [{ url: link, content_type: contentType }],
      });
      expect((await postSigned(services, body)).status).toBe(200);
      const [m] = await withDb((db) => db.select().from(messages).where(eq(messages.providerMessageId, providerId)));
      return { message: m!, pictureId: inboundPictureId(m!.id, 0), body };
    };

    const video = await receive(telnyx.host(MP4, 'video/mp4'), 'video/mp4');
    expect(video.message.body).toBe('');
    expect(await fetchedPicture(video.pictureId)).toMatchObject({
      state: 'unsupported',
      storeKey: null,
      error: 'Not a picture Steeple can show (video/mp4)',
    });
    const thread = await owner.caller.conversations.get({ id: video.message.conversationId });
    expect(thread.conversation.lastMessagePreview).toBe('📷 Picture');
    expect(thread.messages.at(-1)!.pictures).toEqual([
      expect.objectContaining({ state: 'unsupported', url: null, contentType: 'video/mp4' }),
    ]);

    const goneLink = telnyx.host(PNG, 'image/png', 404);
    const gone = await receive(goneLink, 'image/png');
    expect(await fetchedPicture(gone.pictureId)).toMatchObject({
      state: 'failed',
      error: 'Not fetched: the link answered 404',
    });
    // At once: one download, no retry waiting in the queue.
    const path = new URL(goneLink).pathname;
    expect(telnyx.gets.filter((g) => g === path)).toHaveLength(1);
    const jobs = await queuedJobs(reg.admin, FETCH_PICTURE_TASK);
    expect(jobs.filter((j) => j.key?.endsWith(gone.pictureId))).toEqual([]);

    // Telnyx delivers the same event again: one message, one picture, one link between them.
    const first = await receive(telnyx.host(PNG, 'image/png'), 'image/png');
    await fetchedPicture(first.pictureId);
    expect((await postSigned(services, first.body)).status).toBe(200);
    expect((await postSigned(services, first.body)).status).toBe(200);
    const rows = await withDb(async (db) => ({
      messages: await db
        .select()
        .from(messages)
        .where(eq(messages.providerMessageId, first.message.providerMessageId!)),
      links: await db.select().from(messageMedia).where(eq(messageMedia.messageId, first.message.id)),
      pictures: await db.select().from(media).where(eq(media.id, first.pictureId)),
    }));
    expect(rows.messages).toHaveLength(1);
    expect(rows.links).toEqual([{ messageId: first.message.id, mediaId: first.pictureId, position: 0 }]);
    expect(rows.pictures).toEqual([expect.objectContaining({ state: 'ready', contentType: 'image/png' })]);
  });

  it('signed links: a changed signature or key is not found, an old one has expired, a bad key refused', async () => {
    const picture = await upload(PNG);
    const { key, params } = splitLink(picture.url!);
    expect((await servePicture(services, key, params)).status).toBe(200);

    const tampered = new URLSearchParams(params);
    const sig = tampered.get('signature')!;
    tampered.set('signature', `${sig.slice(0, -1)}${sig.endsWith('A') ? 'B' : 'A'}`);
    expect((await servePicture(services, key, tampered)).status).toBe(404);
    // A longer expiry with the same signature: the signature covers the expiry.
    const stretched = new URLSearchParams(params);
    stretched.set('expires', String(Number(params.get('expires')) + 86_400));
    expect((await servePicture(services, key, stretched)).status).toBe(404);
    // The signature of one picture does not open another.
    const other = await upload(GIF);
    expect((await servePicture(services, splitLink(other.url!).key, params)).status).toBe(404);
    expect((await servePicture(services, key, new URLSearchParams())).status).toBe(404);

    // Made two hours ago for an hour's life: expired.
    const old = splitLink(signedPath(services.config, key, FOR_INBOX, Date.now() - 2 * 3600_000));
    expect(checkLink(services.config, key, old.params)).toEqual({ ok: false, reason: 'expired' });
    const expired = await servePicture(services, key, old.params);
    expect(expired.status).toBe(410);
    expect(await expired.text()).toBe('This link has expired.');
    // The current link, checked as if it were tomorrow.
    expect(checkLink(services.config, key, params, Date.now() + 86_400_000)).toMatchObject({ reason: 'expired' });

    // Keys outside `<church>/<picture>.<ext>`, even signed with our key, are never looked up.
    for (const bad of [
      `../${key}`,
      `${church.tenantId}/../${key}`,
      key.replace('.png', '.html'),
      key.toUpperCase(),
      `${key}/x`,
      '',
    ]) {
      const signed = splitLink(signedPath(services.config, bad));
      expect((await servePicture(services, bad, signed.params)).status, bad).toBe(404);
    }
    // A well-formed key with nothing behind it, signed: not found either.
    const missing = `${church.tenantId}/${randomUUID()}.png`;
    expect((await servePicture(services, missing, splitLink(signedPath(services.config, missing)).params)).status).toBe(
      404,
    );
  });

  it('the sweep removes a day-old picture nothing uses, and its file; keeps a sent one and a fresh one', async () => {
    const [dee] = await insertMembers(services, church.tenantId, [{ firstName: 'Dee' }]);
    const unused = await upload(PNG);
    const used = await upload(GIF);
    const fresh = await upload(PNG);
    const forBroadcast = await upload(PNG);
    await owner.caller.messages.send({ memberId: dee!.id, body: 'kept', mediaId: used.id });
    const later = new Date(Date.now() + 7 * 86_400_000);
    await owner.caller.broadcasts.create({
      body: 'later',
      mediaId: forBroadcast.id,
      audience: { type: 'tag', tag: 'nobody-has-this' },
      scheduledAt: later,
    });
    const old = [unused.id, used.id, forBroadcast.id];
    await withDb((db) =>
      db
        .update(media)
        .set({ createdAt: sql`now() - interval '2 days'` })
        .where(inArray(media.id, old)),
    );
    const fileOf = (p: { id: string; contentType: string }) =>
      join(mediaDir, church.tenantId, `${p.id}.${p.contentType === 'image/gif' ? 'gif' : 'png'}`);
    expect(existsSync(fileOf(unused))).toBe(true);

    expect(await withDb((db) => sweepPictures(db, services.media))).toBeGreaterThanOrEqual(1);
    expect(await mediaRow(unused.id)).toBeUndefined();
    expect(existsSync(fileOf(unused))).toBe(false);
    for (const kept of [used, fresh, forBroadcast]) {
      expect(await mediaRow(kept.id), kept.id).toMatchObject({ state: 'ready' });
      expect(existsSync(fileOf(kept)), kept.id).toBe(true);
    }
    // Its link now finds nothing.
    const { key, params } = splitLink(unused.url!);
    expect((await servePicture(services, key, params)).status).toBe(404);
    // And it can no longer be sent.
    const err = await errorOf(owner.caller.messages.send({ memberId: dee!.id, body: 'x', mediaId: unused.id }));
    expect(err.code).toBe('NOT_FOUND');
    const remaining = await withDb((db) =>
      db
        .select({ id: media.id })
        .from(media)
        .where(and(inArray(media.id, [unused.id, used.id, fresh.id, forBroadcast.id]))),
    );
    expect(remaining.map((r) => r.id).sort()).toEqual([used.id, fresh.id, forBroadcast.id].sort());
  });
});
