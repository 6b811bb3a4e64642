import { generateKeyPairSync, randomUUID, sign } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TenantDb } from '@/db/tenant';
import { conversations, members, messages } from '@/db/tenant/schema';
import { churches } from '@/db/registry/schema';
import { loadConfig } from '@/server/config';
import { autoReplyId } from '@/server/messaging/inbound-keyword';
import { deliver, drain } from '@/server/messaging/inbound-delivery';
import { createServices, type Services } from '@/server/services';
import { provisionChurch, type Church } from './support/accounts';
import { createTestRegistry, testSecrets, type TestRegistry } from './support/harness';
import {
  routeNumberTo,
  deliveryEvent,
  OutageProxy,
  personNumber,
  post,
  postSigned,
  received,
} from './support/webhooks';

/** Live texting's settings (nothing is sent in these tests: TELNYX_API_URL leads nowhere). */
const liveTexting = {
  LOG_LEVEL: 'error',
  TELNYX_API_KEY: 'KEY-webhooks-test-0123456789',
  TELNYX_MESSAGING_PROFILE_ID: 'profile-webhooks-test',
  TELNYX_API_URL: 'http://127.0.0.1:9',
};

describe('Telnyx webhooks', () => {
  let reg: TestRegistry;
  let services: Services;
  let church: Church;
  let number: string;
  let people = 0;
  const nextPerson = () => personNumber(++people);

  const inChurch = <T>(tenantId: string, fn: (db: TenantDb) => Promise<T>) =>
    services.connections.withTenant(tenantId, fn);
  const messagesOf = (tenantId: string, providerId: string) =>
    services.connections.withTenant(tenantId, (db) =>
      db.select().from(messages).where(eq(messages.providerMessageId, providerId)),
    );
  const memberByPhone = (tenantId: string, phone: string) =>
    services.connections.withTenant(tenantId, (db) =>
      db
        .select()
        .from(members)
        .where(eq(members.phone, phone))
        .then((r) => r[0]),
    );
  const repliesTo = (tenantId: string, providerId: string) =>
    services.connections.withTenant(tenantId, (db) =>
      db
        .select()
        .from(messages)
        .where(eq(messages.id, autoReplyId(providerId))),
    );
  const jobsFor = async (messageId: string) =>
    (await reg.admin`select count(*)::int as n from graphile_worker.jobs where key like ${'send:%:' + messageId}`)[0]!
      .n as number;

  beforeAll(async () => {
    reg = await createTestRegistry();
    services = reg.services;
    church = await provisionChurch(services, { churchName: 'Webhook Chapel' });
    number = await routeNumberTo(services, church.tenantId);
  });
  afterAll(async () => {
    await reg?.cleanup();
  });

  describe('signature', () => {
    const event = () => received(nextPerson(), number, 'hello').body;

    it('accepts a correctly signed event', async () => {
      const res = await postSigned(services, event());
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ outcome: 'stored' });
    });

    it.each([
      ['no headers', () => ({})],
      ['a signature but no timestamp', () => ({ 'telnyx-signature-ed25519': Buffer.alloc(64).toString('base64') })],
      [
        'a malformed signature',
        () => ({
          'telnyx-signature-ed25519': 'not base64!',
          'telnyx-timestamp': String(Math.floor(Date.now() / 1000)),
        }),
      ],
      [
        'a malformed timestamp',
        () => ({ 'telnyx-signature-ed25519': Buffer.alloc(64).toString('base64'), 'telnyx-timestamp': 'yesterday' }),
      ],
      [
        'an all-zero signature',
        () => ({
          'telnyx-signature-ed25519': Buffer.alloc(64).toString('base64'),
          'telnyx-timestamp': String(Math.floor(Date.now() / 1000)),
        }),
      ],
    ])('rejects %s with 401', async (_, headers) => {
      const res = await post(services, event(), headers());
      expect(res.status).toBe(401);
    });

    it('rejects a signature made with another key', async () => {
      const other = generateKeyPairSync('ed25519').privateKey;
      expect((await postSigned(services, event(), other)).status).toBe(401);
    });

    it('rejects a body changed after signing', async () => {
      const body = event();
      const headers = (await import('@/server/messaging/signature')).signWebhook(services.messaging.signingKey!, body);
      expect((await post(services, body.replace('hello', 'HELLO'), headers)).status).toBe(401);
    });

    it('rejects stale timestamps (over 300 s, either direction) and accepts one within the window', async () => {
      const now = Math.floor(Date.now() / 1000);
      expect((await postSigned(services, event(), undefined, now - 301)).status).toBe(401);
      expect((await postSigned(services, event(), undefined, now + 301)).status).toBe(401);
      expect((await postSigned(services, event(), undefined, now - 200)).status).toBe(200);
    });

    it('accepts a signature made as Telnyx does (not our signer); rejects changed body or old timestamp', async () => {
      const { publicKey, privateKey } = generateKeyPairSync('ed25519');
      const raw = publicKey.export({ format: 'der', type: 'spki' }).subarray(-32).toString('base64');
      // Signed by hand: a mistake shared by signWebhook and verifyWebhook would not show in the other tests.
      const telnyxHeaders = (body: string, timestamp = Math.floor(Date.now() / 1000)) => ({
        'telnyx-signature-ed25519': sign(null, Buffer.from(`${timestamp}|${body}`), privateKey).toString('base64'),
        'telnyx-timestamp': String(timestamp),
      });
      const configured = createServices(
        loadConfig({ DATABASE_URL: reg.url, ...testSecrets, ...liveTexting, TELNYX_PUBLIC_KEY: raw }),
      );
      try {
        const body = event();
        const accepted = await post(configured, body, telnyxHeaders(body));
        expect(accepted.status).toBe(200);
        expect(await accepted.json()).toEqual({ outcome: 'stored' });
        const tampered = event();
        expect((await post(configured, tampered.replace('hello', 'HELLO'), telnyxHeaders(tampered))).status).toBe(401);
        const old = event();
        expect((await post(configured, old, telnyxHeaders(old, Math.floor(Date.now() / 1000) - 301))).status).toBe(401);
      } finally {
        await configured.close();
      }
    });

    it('with TELNYX_PUBLIC_KEY but no TELNYX_API_KEY texting stays local: simulated replies still verify', async () => {
      const { publicKey } = generateKeyPairSync('ed25519');
      const raw = publicKey.export({ format: 'der', type: 'spki' }).subarray(-32).toString('base64');
      const local = createServices(
        loadConfig({ DATABASE_URL: reg.url, ...testSecrets, LOG_LEVEL: 'error', TELNYX_PUBLIC_KEY: raw }),
      );
      try {
        expect(local.messaging.signingKey).not.toBeNull(); // "Simulate a reply" is offered, as Settings says
        expect((await postSigned(local, event(), local.messaging.signingKey!)).status).toBe(200);
      } finally {
        await local.close();
      }
    });

    it('verifies against TELNYX_PUBLIC_KEY when set (a raw 32-byte base64 key, as the portal gives it)', async () => {
      const { publicKey, privateKey } = generateKeyPairSync('ed25519');
      const raw = publicKey.export({ format: 'der', type: 'spki' }).subarray(-32).toString('base64');
      const configured = createServices(
        loadConfig({ DATABASE_URL: reg.url, ...testSecrets, ...liveTexting, TELNYX_PUBLIC_KEY: raw }),
      );
      try {
        expect(configured.messaging.signingKey).toBeNull(); // no simulated replies with a real account
        expect((await postSigned(configured, event(), privateKey)).status).toBe(200);
        expect((await postSigned(configured, event(), services.messaging.signingKey!)).status).toBe(401);
      } finally {
        await configured.close();
      }
    });
  });

  describe('malformed bodies are 400, never 500', () => {
    it.each([
      ['not JSON', '{"data":'],
      ['not an event', '{"hello":"world"}'],
      [
        'received without a sender',
        JSON.stringify({
          data: { event_type: 'message.received', payload: { id: 'x', to: [{ phone_number: '+12025550100' }] } },
        }),
      ],
      [
        'received with no recipients',
        JSON.stringify({
          data: {
            event_type: 'message.received',
            payload: { id: 'x', from: { phone_number: '+13125550100' }, to: [] },
          },
        }),
      ],
      [
        'a delivery report without an id',
        JSON.stringify({
          data: {
            event_type: 'message.finalized',
            payload: { from: { phone_number: '+12025550100' }, to: [{ phone_number: '+1', status: 'delivered' }] },
          },
        }),
      ],
    ])('%s', async (_, body) => {
      const res = await postSigned(services, body);
      expect(res.status).toBe(400);
      expect(JSON.stringify(await res.json())).not.toMatch(/stp_|postgres|stack|at \w+ \(/);
    });

    it('acknowledges event types it does not act on', async () => {
      const res = await postSigned(
        services,
        JSON.stringify({ data: { event_type: 'number_order.complete', payload: {} } }),
      );
      expect(res.status).toBe(200);
    });
  });

  describe('storing and routing', () => {
    it('an unknown sender becomes a "New contact" member with a conversation and one unread message', async () => {
      const from = nextPerson();
      const m = received(from, number, 'Is there parking on Sunday?');
      expect((await postSigned(services, m.body)).status).toBe(200);
      const member = await memberByPhone(church.tenantId, from);
      // Texting in is not consent to broadcasts: a contact who can be answered, not yet opted in.
      expect(member).toMatchObject({
        firstName: 'New contact',
        phone: from,
        subscription: 'not_opted_in',
        subscriptionSource: 'inbound',
      });
      const [stored] = await messagesOf(church.tenantId, m.id);
      expect(stored).toMatchObject({
        direction: 'inbound',
        status: 'received',
        body: 'Is there parking on Sunday?',
        fromNumber: from,
        toNumber: number,
      });
      const [conv] = await inChurch(church.tenantId, (db) =>
        db.select().from(conversations).where(eq(conversations.id, stored!.conversationId)),
      );
      expect(conv).toMatchObject({
        memberId: member!.id,
        unreadCount: 1,
        churchNumber: number,
        lastMessagePreview: 'Is there parking on Sunday?',
      });
    });

    it('a message for a number no church has is acknowledged and stored nowhere', async () => {
      const res = await postSigned(services, received(nextPerson(), '+12025559999', 'anyone?').body);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ ignored: 'unknown number' });
    });

    it('a replay stores one message, and concurrent duplicates store one message', async () => {
      const from = nextPerson();
      const m = received(from, number, 'twice?');
      const first = await postSigned(services, m.body);
      const replay = await postSigned(services, m.body);
      expect([first.status, replay.status]).toEqual([200, 200]);
      expect(await replay.json()).toEqual({ outcome: 'duplicate' });

      const burst = received(nextPerson(), number, 'at once');
      const answers = await Promise.all(Array.from({ length: 12 }, () => postSigned(services, burst.body)));
      expect(answers.map((a) => a.status)).toEqual(Array(12).fill(200));
      const bodies = await Promise.all(answers.map((a) => a.json()));
      expect(bodies.filter((b) => b.outcome === 'stored')).toHaveLength(1);
      expect(await messagesOf(church.tenantId, m.id)).toHaveLength(1);
      expect(await messagesOf(church.tenantId, burst.id)).toHaveLength(1);
      const conv = await inChurch(church.tenantId, (db) =>
        db
          .select({ unread: conversations.unreadCount })
          .from(conversations)
          .innerJoin(members, eq(members.id, conversations.memberId))
          .where(eq(members.phone, from)),
      );
      expect(conv[0]!.unread).toBe(1);
    });

    it('routes each message to the church that owns the receiving number, across 50 churches', async () => {
      const fleet: { church: Church; number: string }[] = [{ church, number }];
      for (let i = 1; i < 50; i++) {
        const c = await provisionChurch(services, { churchName: `Routing Church ${i}` });
        fleet.push({ church: c, number: await routeNumberTo(services, c.tenantId) });
      }
      const sender = nextPerson(); // one person texting all 50 churches
      const sent = fleet.map(({ church: c, number: n }) => ({
        tenantId: c.tenantId,
        ...received(sender, n, `hello ${c.churchName}`),
      }));
      const answers = await Promise.all(sent.map((s) => postSigned(services, s.body)));
      expect(answers.every((a) => a.status === 200)).toBe(true);
      for (const s of sent) {
        const here = await messagesOf(s.tenantId, s.id);
        expect(here, `message for ${s.tenantId}`).toHaveLength(1);
        // ...and in no other church: each church's database holds only its own message from this sender.
        const all = await services.connections.withTenant(s.tenantId, (db) =>
          db
            .select({ body: messages.body })
            .from(messages)
            .innerJoin(conversations, eq(conversations.id, messages.conversationId))
            .innerJoin(members, eq(members.id, conversations.memberId))
            .where(eq(members.phone, sender)),
        );
        expect(all.map((r) => r.body)).toEqual([JSON.parse(s.body).data.payload.text]);
      }
    }, 120_000);
  });

  describe('opt-out keywords', () => {
    /** After keyword `m` from `from`: their consent is `state`, set by the keyword, and one reply is queued to them. */
    async function keywordApplied(from: string, m: { id: string }, state: 'subscribed' | 'unsubscribed', word = '') {
      expect(await memberByPhone(church.tenantId, from), word).toMatchObject({
        subscription: state,
        subscriptionSource: 'keyword',
      });
      const replies = await repliesTo(church.tenantId, m.id);
      expect(replies, word).toHaveLength(1);
      expect(replies[0], word).toMatchObject({
        direction: 'outbound',
        kind: 'auto',
        status: 'queued',
        toNumber: from,
        fromNumber: number,
      });
      return replies[0]!;
    }

    it.each([
      'STOP',
      'stop',
      ' Stop. ',
      'STOPALL',
      'UNSUBSCRIBE',
      'CANCEL',
      'END',
      'QUIT',
      'OPT OUT',
      'optout',
      'Opt-out!',
      'REVOKE',
      '“stop”',
    ])('"%s" unsubscribes and queues exactly one confirmation', async (word) => {
      const from = nextPerson();
      const m = received(from, number, word);
      expect((await postSigned(services, m.body)).status).toBe(200);
      expect((await postSigned(services, m.body)).status).toBe(200); // a replay changes nothing
      const reply = await keywordApplied(from, m, 'unsubscribed');
      expect(reply.body).toContain('unsubscribed');
      expect(await jobsFor(reply.id)).toBe(1);
    });

    it('START, UNSTOP and YES resubscribe; HELP answers with the church name and contact', async () => {
      await services.registry.db
        .update(churches)
        .set({ contactPhone: '+12025550111', contactEmail: 'office@webhook.example' })
        .where(eq(churches.tenantId, church.tenantId));
      reg.services.profiles.forget(church.tenantId);
      const from = nextPerson();
      // STOP before each opt-in word, so each one has something to change; state and reply are checked after
      // every word.
      const steps = [
        ['STOP', 'unsubscribed'],
        ['START', 'subscribed'],
        ['STOP', 'unsubscribed'],
        ['unstop', 'subscribed'],
        ['STOP', 'unsubscribed'],
        ['Yes', 'subscribed'],
      ] as const;
      for (const [word, state] of steps) {
        const m = received(from, number, word);
        expect((await postSigned(services, m.body)).status, word).toBe(200);
        expect((await keywordApplied(from, m, state, word)).body, word).toMatch(
          state === 'subscribed' ? /^Webhook Chapel: you are subscribed\./ : /^Webhook Chapel: you are unsubscribed/,
        );
      }
      const help = received(from, number, 'help');
      await postSigned(services, help.body);
      const [reply] = await repliesTo(church.tenantId, help.id);
      expect(reply!.body).toMatch(/^Webhook Chapel/);
      expect(reply!.body).toContain('(202) 555-0111'); // as a US church reads phone numbers
      expect(reply!.body).toContain('office@webhook.example');
      expect(await memberByPhone(church.tenantId, from)).toMatchObject({ subscription: 'subscribed' });
    });

    it('"Yes" from someone already subscribed answers a question: no automatic reply, nothing changes', async () => {
      const from = nextPerson();
      await postSigned(services, received(from, number, 'START').body);
      await postSigned(services, received(from, number, 'Can you drive on Sunday?').body);
      const yes = received(from, number, 'Yes!');
      await postSigned(services, yes.body);
      expect(await repliesTo(church.tenantId, yes.id)).toHaveLength(0);
      expect(await messagesOf(church.tenantId, yes.id)).toHaveLength(1);
      expect(await memberByPhone(church.tenantId, from)).toMatchObject({
        subscription: 'subscribed',
        subscriptionSource: 'keyword',
      });
    });

    it('a keyword inside a sentence is just a message', async () => {
      const from = nextPerson();
      const m = received(from, number, 'Please stop by the office');
      await postSigned(services, m.body);
      expect(await memberByPhone(church.tenantId, from)).toMatchObject({ subscription: 'not_opted_in' });
      expect(await repliesTo(church.tenantId, m.id)).toHaveLength(0);
    });
  });

  describe('delivery reports', () => {
    /**
     * A conversation with one outbound message already sent (as the sender would leave it): its provider id and
     * recipient.
     */
    async function sentMessage() {
      const from = nextPerson();
      const m = received(from, number, 'hi');
      await postSigned(services, m.body);
      const [inbound] = await messagesOf(church.tenantId, m.id);
      const providerId = `out-${randomUUID()}`;
      await services.connections.withTenant(church.tenantId, (db) =>
        db.insert(messages).values({
          conversationId: inbound!.conversationId,
          direction: 'outbound',
          body: 'hello back',
          segments: 1,
          status: 'sent',
          providerMessageId: providerId,
          fromNumber: number,
          toNumber: from,
        }),
      );
      return { providerId, from };
    }

    it('move an outbound message forward and never back, whatever order they arrive in', async () => {
      const { providerId, from } = await sentMessage();
      const report = (type: 'message.sent' | 'message.finalized', status: string, error?: string) =>
        deliveryEvent(type, { id: providerId, from: number, to: from, status, error });
      const statusNow = async () => (await messagesOf(church.tenantId, providerId))[0]!.status;

      expect((await postSigned(services, report('message.finalized', 'delivered'))).status).toBe(200);
      expect(await statusNow()).toBe('delivered');
      await postSigned(services, report('message.sent', 'sent')); // late
      expect(await statusNow()).toBe('delivered');
      // Both final: the first wins.
      await postSigned(services, report('message.finalized', 'delivery_failed', 'Carrier rejected'));
      expect(await statusNow()).toBe('delivered');
    });

    it('a failure report records the carrier reason', async () => {
      const { providerId, from } = await sentMessage();
      await postSigned(
        services,
        deliveryEvent('message.finalized', {
          id: providerId,
          from: number,
          to: from,
          status: 'delivery_failed',
          error: 'Unreachable handset',
        }),
      );
      expect((await messagesOf(church.tenantId, providerId))[0]).toMatchObject({
        status: 'failed',
        error: 'Unreachable handset',
      });
    });

    it('a report for a message we never sent is acknowledged', async () => {
      const res = await postSigned(
        services,
        deliveryEvent('message.finalized', {
          id: `unknown-${randomUUID()}`,
          from: number,
          to: nextPerson(),
          status: 'delivered',
        }),
      );
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ outcome: 'unchanged' });
    });
  });

  describe('outages: only the registry down is a 503, and nothing is lost', () => {
    /** `fn` with services whose registry is reached through a proxy it can cut; both are closed after. */
    async function behindProxy(fn: (viaProxy: Services, proxy: OutageProxy) => Promise<void>) {
      const u = new URL(reg.url);
      const proxy = await new OutageProxy({ host: u.hostname, port: Number(u.port || 5432) }).start();
      u.port = String(proxy.port);
      const viaProxy = createServices(
        loadConfig({ DATABASE_URL: u.toString(), ...testSecrets, LOG_LEVEL: 'error', REGISTRY_TIMEOUT_MS: '500' }),
      );
      try {
        await fn(viaProxy, proxy);
      } finally {
        await viaProxy.close();
        await proxy.stop();
      }
    }

    it('registry down → 503; back up → the retry is stored once', () =>
      behindProxy(async (viaProxy, proxy) => {
        const fresh = await provisionChurch(services, { churchName: 'Outage Chapel' });
        const freshNumber = await routeNumberTo(services, fresh.tenantId);
        const m = received(nextPerson(), freshNumber, 'STOP');
        proxy.cut();
        const during = await postSigned(viaProxy, m.body);
        expect(during.status).toBe(503);
        expect(during.headers.get('retry-after')).toBeTruthy();
        expect(await messagesOf(fresh.tenantId, m.id)).toHaveLength(0);
        proxy.restore();
        const after = await postSigned(viaProxy, m.body);
        expect(after.status).toBe(200);
        expect(await messagesOf(fresh.tenantId, m.id)).toHaveLength(1);
        const [reply] = await repliesTo(fresh.tenantId, m.id);
        expect(await jobsFor(reply!.id)).toBe(1);
      }));

    it('an automatic reply whose queueing failed is queued when the event is delivered again', () =>
      behindProxy(async (viaProxy, proxy) => {
        // Warm the routing and profile caches (a HELP reads the profile), keep the event, then cut the registry:
        // storing in the church's database works, queueing the reply (and marking the event delivered) does not.
        await postSigned(viaProxy, received(nextPerson(), number, 'HELP').body);
        const m = received(nextPerson(), number, 'HELP');
        const { event } = await services.messaging.inbound.record({
          tenantId: church.tenantId,
          kind: 'received',
          key: `received:${m.id}`,
          sender: JSON.parse(m.body).data.payload.from.phone_number,
          optOut: false,
          payload: {
            providerMessageId: m.id,
            from: JSON.parse(m.body).data.payload.from.phone_number,
            to: number,
            text: 'HELP',
          },
        });
        proxy.cut();
        await expect(deliver(viaProxy, event)).rejects.toThrow();
        const [reply] = await repliesTo(church.tenantId, m.id);
        expect(reply).toMatchObject({ status: 'queued' });
        expect(await jobsFor(reply!.id)).toBe(0);
        proxy.restore();
        // The drain delivers it again: the text is a duplicate, the reply still waiting is queued, once.
        expect(await drain(viaProxy, church.tenantId)).toBeNull();
        expect(await jobsFor(reply!.id)).toBe(1);
        expect(await messagesOf(church.tenantId, m.id)).toHaveLength(1);
        // Delivered, it leaves the registry: from here the church's own unique message id answers replays.
        expect(await reg.admin`select 1 from inbound_events where event_key = ${'received:' + m.id}`).toHaveLength(0);
      }));

    it('church database refusing connections → 200 (kept in the registry); allowed again → drained once', async () => {
      const fresh = await provisionChurch(services, { churchName: 'Closed Chapel' });
      const freshNumber = await routeNumberTo(services, fresh.tenantId);
      const [{ db_name }] = (await reg.admin`select db_name from tenants where id = ${fresh.tenantId}`) as unknown as [
        { db_name: string },
      ];
      const isolated = createServices(
        loadConfig({ DATABASE_URL: reg.url, ...testSecrets, LOG_LEVEL: 'error', CONNECTION_WAIT_MS: '500' }),
      );
      try {
        await reg.admin.unsafe(`alter database "${db_name}" allow_connections false`);
        const m = received(nextPerson(), freshNumber, 'hello?');
        const during = await postSigned(isolated, m.body);
        expect(during.status).toBe(200);
        expect(await during.json()).toEqual({ outcome: 'queued' });
        expect((await postSigned(isolated, m.body)).status).toBe(200); // Telnyx's own retry is answered too
        expect(await isolated.messaging.inbound.stats()).toMatchObject({ pending: 1 });
        expect(await drain(isolated, fresh.tenantId)).toBeGreaterThan(0); // still down: try again later
        await reg.admin.unsafe(`alter database "${db_name}" allow_connections true`);
        expect(await drain(isolated, fresh.tenantId)).toBeNull();
        const stored = await isolated.connections.withTenant(fresh.tenantId, (db) =>
          db.select().from(messages).where(eq(messages.providerMessageId, m.id)),
        );
        expect(stored).toHaveLength(1);
        expect(await isolated.messaging.inbound.stats()).toMatchObject({ pending: 0 });
      } finally {
        await reg.admin.unsafe(`alter database "${db_name}" allow_connections true`);
        await isolated.close();
      }
    });
  });
});
