import { expect, test, type APIRequestContext } from '@playwright/test';
import { telnyxDeliveryEvent } from '../server/messaging/telnyx-events';
import { fitsPhoneWithoutSeriousAxeViolations } from './page-checks';
import {
  addMember,
  buyNumber,
  newChurch,
  open,
  postTelnyxEvent,
  randomUsNumber,
  signUp,
  trpcMutation,
  trpcQuery,
  withInput,
} from './support';

/**
 * What the carrier did with a text, in the inbox on a phone (390 px): a refusal says why in plain words, "Send again"
 * only where that could work, and a carrier opt-out unsubscribes the member. The reports are posted as Telnyx's
 * signed `message.finalized` webhooks, as in production (e2e runs on the local outbox).
 */

test.use({ viewport: { width: 390, height: 844 } });

type Sent = { id: string; conversationId: string; providerMessageId: string; toNumber: string; fromNumber: string };

/** Text a member through the API and wait until the local outbox has sent it. */
async function sendAndWait(request: APIRequestContext, memberId: string, body: string): Promise<Sent> {
  const queued = await trpcMutation(request, 'messages.send', { memberId, body, duringQuietHours: true });
  expect(queued.status, queued.text).toBe(200);
  let sent: Sent | undefined;
  await expect
    .poll(async () => {
      const thread = await trpcQuery(request, withInput('conversations.get', { id: queued.data.conversationId }));
      sent = (thread.data.messages as (Sent & { status: string })[]).find(
        (m) => m.id === queued.data.id && m.status === 'sent',
      );
      return !!sent;
    })
    .toBe(true);
  return sent!;
}

const failed = (m: Sent, code: string, error: string) =>
  telnyxDeliveryEvent('message.finalized', {
    id: m.providerMessageId,
    from: m.fromNumber,
    to: m.toNumber,
    status: 'delivery_failed',
    code,
    error,
  });

test('a refused text says why, is sent again where that helps, and a carrier opt-out unsubscribes', async ({
  page,
}) => {
  test.setTimeout(120_000);
  await signUp(page, newChurch('Carrier'));
  await buyNumber(page.request);
  const ruth = await addMember(page, { firstName: 'Ruth', lastName: 'Busy', phone: randomUsNumber() });
  const text = await sendAndWait(page.request, ruth.id, 'See you Sunday');
  await postTelnyxEvent(page.request, failed(text, '40006', 'Recipient server unavailable'));

  await open(page, `/inbox?c=${text.conversationId}`);
  const message = page.getByRole('log', { name: 'Messages with Ruth Busy' }).getByTestId('message').last();
  await expect(message.getByTestId('message-status')).toHaveText(
    "· Not delivered: The recipient's carrier was unavailable",
  );
  await fitsPhoneWithoutSeriousAxeViolations(page);
  await message.getByRole('button', { name: 'Send again' }).click();
  await expect(message.getByTestId('message-status')).toHaveText('· Sent');
  await expect(message.getByRole('button', { name: 'Send again' })).toHaveCount(0);

  // Opted out with the carrier: said so, nothing to send again, and Ruth is unsubscribed by her own STOP.
  const again = await sendAndWait(page.request, ruth.id, 'Choir at 7');
  await postTelnyxEvent(page.request, failed(again, '40300', 'Blocked due to STOP message'));
  const last = page.getByRole('log', { name: 'Messages with Ruth Busy' }).getByTestId('message').last();
  await expect(last.getByTestId('message-status')).toHaveText(
    '· Not delivered: The recipient opted out with their carrier (they texted STOP)',
    { timeout: 10_000 },
  );
  await expect(last.getByRole('button', { name: 'Send again' })).toHaveCount(0);
  const member = await trpcQuery(page.request, withInput('members.get', { id: ruth.id }));
  expect(member.data.subscription).toBe('unsubscribed');
  await fitsPhoneWithoutSeriousAxeViolations(page);
});
