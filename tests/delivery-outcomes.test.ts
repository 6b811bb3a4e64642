import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorker } from '@/server/jobs/worker';
import type { Services } from '@/server/services';
import { errorOf, provisionChurch, signIn, type Church, type SignedInClient } from './support/accounts';
import { until } from './support/harness';
import {
  broadcastMessages,
  readyNumber,
  createMessagingRegistry,
  FakeProvider,
  FakeTelnyx,
  insertMembers,
  messageRow,
  telnyxEnv,
  type MessagingRegistry,
} from './support/messaging';
import { deliveryEvent, postSigned } from './support/webhooks';

/**
 * What became of each text at the carrier (Telnyx's message.sent and message.finalized webhooks): stored with the
 * carrier's code, said in plain words, counted per reason for broadcasts, sent again where that could work, and an
 * "opted out" refusal unsubscribes the member through the consent log, once.
 */
describe('delivery outcomes', () => {
  let reg: MessagingRegistry;
  let services: Services;
  let church: Church;
  let owner: SignedInClient;
  let number: string;
  let worker: Awaited<ReturnType<typeof startWorker>>;
  const fake = new FakeProvider();

  beforeAll(async () => {
    reg = await createMessagingRegistry({}, fake);
    services = reg.services;
    church = await provisionChurch(services, { churchName: 'Outcomes Chapel' });
    owner = await signIn(services, church.email, church.password);
    number = await readyNumber(services, owner);
    worker = await startWorker(services);
  });
  afterAll(async () => {
    await worker?.stop();
    await reg?.cleanup();
  });

  const settled = (id: string) =>
    until(async () => {
      const r = await messageRow(services, church.tenantId, id);
      return r.status !== 'queued' && r.status !== 'sending' ? r : null;
    });
  /** A member texted by the owner, the text out with the (fake) carrier. */
  async function textedMember(firstName: string) {
    const [member] = await insertMembers(services, church.tenantId, [{ firstName }]);
    const queued = await owner.caller.messages.send({
      memberId: member!.id,
      body: `Hi ${firstName}`,
      duringQuietHours: true,
    });
    const message = await settled(queued.id);
    expect(message.status).toBe('sent');
    return { member: member!, message, conversationId: queued.conversationId };
  }
  const report = (
    m: { providerMessageId: string | null; toNumber: string | null },
    status: string,
    failure: { code?: string; error?: string } = {},
  ) =>
    postSigned(
      services,
      deliveryEvent('message.finalized', {
        id: m.providerMessageId!,
        from: number,
        to: m.toNumber!,
        status,
        ...failure,
      }),
    );
  const threadMessage = async (conversationId: string, id: string) =>
    (await owner.caller.conversations.get({ id: conversationId })).messages.find((m) => m.id === id)!;

  it('delivered, failed for each kind of reason, or unconfirmed: kept with its code, in plain words', async () => {
    const delivered = await textedMember('Dee');
    expect(await (await report(delivered.message, 'delivered')).json()).toEqual({ outcome: 'updated' });
    expect(await threadMessage(delivered.conversationId, delivered.message.id)).toMatchObject({
      status: 'delivered',
      failure: null,
    });

    const cases = [
      ['40001', 'Not a mobile number: a landline cannot receive texts', false],
      ['40002', 'Blocked as spam by the carrier', false],
      ['40012', 'Not a working mobile number (disconnected or unassigned)', false],
      ['40010', 'Your number is not registered for 10DLC, so carriers block its texts', false],
      ['40006', "The recipient's carrier was unavailable", true],
      ['40016', "T-Mobile's daily limit for your brand was reached", true],
    ] as const;
    for (const [code, reason, retry] of cases) {
      const { message, conversationId } = await textedMember(`Code${code}`);
      await report(message, 'delivery_failed', { code, error: `carrier words for ${code}` });
      expect(await messageRow(services, church.tenantId, message.id)).toMatchObject({
        status: 'failed',
        errorCode: code,
        error: `carrier words for ${code}`,
      });
      expect((await threadMessage(conversationId, message.id)).failure, code).toMatchObject({ reason, retry });
    }

    // A code we do not know: the carrier's own words, and sending again is allowed.
    const odd = await textedMember('Odd');
    await report(odd.message, 'delivery_failed', { code: '49999', error: 'Handset busy' });
    expect((await threadMessage(odd.conversationId, odd.message.id)).failure).toEqual({
      kind: 'unknown',
      reason: 'Handset busy',
      retry: true,
    });
    // Expired on the way: failed, with Telnyx's code.
    const late = await textedMember('Late');
    await report(late.message, 'expired', { code: '40005' });
    expect((await threadMessage(late.conversationId, late.message.id)).failure).toMatchObject({
      reason: 'Expired before it reached the phone',
      retry: true,
    });
    // Unconfirmed: the carrier never said, so it stays "sent".
    const unsure = await textedMember('Unsure');
    await report(unsure.message, 'delivery_unconfirmed');
    expect((await messageRow(services, church.tenantId, unsure.message.id)).status).toBe('sent');
  });

  it('a carrier "opted out" refusal unsubscribes the member through the consent log, once', async () => {
    const { member, message } = await textedMember('Stopper');
    const event = deliveryEvent('message.finalized', {
      id: message.providerMessageId!,
      from: number,
      to: member.phone,
      status: 'delivery_failed',
      code: '40300',
      error: 'Blocked due to STOP message',
    });
    expect(await (await postSigned(services, event)).json()).toEqual({ outcome: 'updated' });
    // Telnyx delivers a webhook again when unsure: stored once, applied once.
    expect((await (await postSigned(services, event)).json()).outcome).toMatch(/^(duplicate|unchanged)$/);
    const got = await owner.caller.members.get({ id: member.id });
    expect(got.subscription).toBe('unsubscribed');
    const log = await owner.caller.members.consentLog({ id: member.id });
    const carrier = log.filter((e) => e.detail?.includes('carrier'));
    expect(carrier).toEqual([
      expect.objectContaining({
        state: 'unsubscribed',
        previous: 'subscribed',
        source: 'text',
        detail: 'STOP, sent to their carrier (it refused our text: opted out)',
      }),
    ]);
    // Nothing more goes to them.
    expect((await errorOf(owner.caller.messages.send({ memberId: member.id, body: 'Still there?' }))).code).toBe(
      'PRECONDITION_FAILED',
    );
  });

  it('a late carrier opt-out about a text sent before the member texted START changes nothing', async () => {
    const { member, message, conversationId } = await textedMember('Returner');
    await owner.caller.messages.simulateReply({ conversationId, body: 'STOP' });
    await owner.caller.messages.simulateReply({ conversationId, body: 'START' });
    expect((await owner.caller.members.get({ id: member.id })).subscription).toBe('subscribed');
    await report(message, 'delivery_failed', { code: '40300', error: 'Blocked due to STOP message' });
    expect((await messageRow(services, church.tenantId, message.id)).errorCode).toBe('40300');
    expect((await owner.caller.members.get({ id: member.id })).subscription).toBe('subscribed');
  });

  it('a broadcast counts its failures by reason', async () => {
    const members = await insertMembers(
      services,
      church.tenantId,
      ['B1', 'B2', 'B3', 'B4', 'B5'].map((firstName) => ({ firstName, tags: ['outcomes'] })),
    );
    const created = await owner.caller.broadcasts.create({
      body: 'Picnic Sunday',
      audience: { type: 'tag', tag: 'outcomes' },
    });
    const sent = await until(async () => {
      const all = await broadcastMessages(services, church.tenantId, created.id);
      return all.length === 5 && all.every((m) => m.status === 'sent') ? all : null;
    });
    const sentTo = (phone: string) => sent.find((m) => m.toNumber === phone)!;
    const codes = ['40001', '40001', '40300', null, '40006'];
    for (const [i, m] of members.entries()) {
      const code = codes[i];
      await report(sentTo(m.phone), code ? 'delivery_failed' : 'delivered', code ? { code } : {});
    }
    const detail = await owner.caller.broadcasts.get({ id: created.id });
    expect(detail).toMatchObject({ failed: 4, delivered: 1 });
    expect(detail.failures).toEqual([
      { kind: 'not_mobile', reason: 'Not a mobile number: a landline cannot receive texts', count: 2 },
      { kind: 'opted_out', reason: 'The recipient opted out with their carrier (they texted STOP)', count: 1 },
      { kind: 'temporary', reason: "The recipient's carrier was unavailable", count: 1 },
    ]);
  });

  it('a failed text is sent again only where that could work, once', async () => {
    const busy = await textedMember('Busy');
    await report(busy.message, 'delivery_failed', { code: '40006' });
    const again = await owner.caller.messages.retry({ id: busy.message.id, duringQuietHours: true });
    expect(again).toMatchObject({ id: busy.message.id, status: 'queued', errorCode: null, error: null });
    const resent = await settled(busy.message.id);
    expect(resent.status).toBe('sent');
    expect(resent.providerMessageId).not.toBe(busy.message.providerMessageId);
    expect(fake.to(busy.member.phone)).toHaveLength(2);
    // Not failed (any more): nothing to send again.
    expect((await errorOf(owner.caller.messages.retry({ id: busy.message.id }))).code).toBe('PRECONDITION_FAILED');

    const landline = await textedMember('Landline');
    await report(landline.message, 'delivery_failed', { code: '40001' });
    const refused = await errorOf(owner.caller.messages.retry({ id: landline.message.id }));
    expect(refused).toMatchObject({
      code: 'PRECONDITION_FAILED',
      message: 'Sending it again would not help: not a mobile number: a landline cannot receive texts.',
    });
    expect((await messageRow(services, church.tenantId, landline.message.id)).status).toBe('failed');
    expect((await errorOf(owner.caller.messages.retry({ id: crypto.randomUUID() }))).code).toBe('NOT_FOUND');
  });
});

describe('delivery outcomes: a send Telnyx refuses at once', () => {
  let reg: MessagingRegistry;
  let telnyx: FakeTelnyx;
  let services: Services;
  let church: Church;
  let owner: SignedInClient;

  beforeAll(async () => {
    telnyx = await FakeTelnyx.start();
    reg = await createMessagingRegistry();
    services = reg.servicesWith(telnyxEnv(telnyx, 'KEY0123456789abcdef_outcomes'));
    church = await provisionChurch(services, { churchName: 'Refused Chapel' });
    owner = await signIn(services, church.email, church.password);
    telnyx.numbers.forSale.set('+12025550160', { city: 'WASHINGTON', state: 'DC', monthly: '1.00' });
    telnyx.registration.campaignStatusOnSubmit = 'MNO_PROVISIONED'; // carriers approve at once here
    await readyNumber(services, owner);
  });
  afterAll(async () => {
    await reg?.cleanup();
    await telnyx?.close();
  });

  it('"Blocked due to STOP message" fails the text with its code and unsubscribes the member', async () => {
    const [member] = await insertMembers(services, church.tenantId, [{ firstName: 'Quiet' }]);
    telnyx.script.set(member!.phone, [
      { status: 403, body: { errors: [{ code: '40300', title: 'Blocked due to STOP message', detail: 'Blocked' }] } },
    ]);
    const queued = await owner.caller.messages.send({ memberId: member!.id, body: 'Hello', duringQuietHours: true });
    const worker = await startWorker(services);
    try {
      const row = await until(async () => {
        const r = await messageRow(services, church.tenantId, queued.id);
        return r.status === 'failed' ? r : null;
      });
      expect(row).toMatchObject({ errorCode: '40300', error: 'Not sent: Blocked due to STOP message: Blocked' });
    } finally {
      await worker.stop();
    }
    expect((await owner.caller.members.get({ id: member!.id })).subscription).toBe('unsubscribed');
    const thread = await owner.caller.conversations.get({ id: queued.conversationId });
    expect(thread.messages.at(-1)?.failure).toMatchObject({ kind: 'opted_out', retry: false });
  });
});
