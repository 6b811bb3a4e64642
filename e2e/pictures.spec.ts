import { randomUUID } from 'node:crypto';
import { expect, test } from '@playwright/test';
import { telnyxReceivedEvent } from '../server/messaging/telnyx-events';
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
} from './support';

/** A 2×2 PNG: small, but a real picture (the server reads what a file is from its bytes). */
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAFklEQVR4nGM4IScnF3WCQS7qxIkTcgAhGgUzkPHR8wAAAABJRU5ErkJggg==',
  'base64',
);

/**
 * Picture messages: attaching a picture in the inbox (a file that only pretends to be one is refused), sending it as
 * an MMS and seeing it in the thread; a member's picture arriving and being shown; a broadcast counting one MMS.
 */
test('attaching an image: sent from the inbox, received from a member, counted in a broadcast', async ({ page }) => {
  test.setTimeout(120_000);
  await signUp(page, newChurch('Pictures'));
  const churchNumber = await buyNumber(page.request);
  const phone = randomUsNumber();
  const member = await addMember(page, { firstName: 'Dorcas', lastName: 'Joppa', phone });
  const sent = await trpcMutation(page.request, 'messages.send', { memberId: member.id, body: 'Welcome!' });
  expect(sent.status, sent.text).toBe(200);
  await open(page, `/inbox?c=${sent.data.conversationId}`);

  // A text file named like a picture is refused by what it is.
  const input = page.getByTestId('picture-input');
  await input.setInputFiles({ name: 'flyer.jpg', mimeType: 'image/jpeg', buffer: Buffer.from('<html>not a picture') });
  await expect(page.getByText('Choose a JPEG, PNG or GIF picture')).toBeVisible();

  // A real one: shown before sending, and the counter says one MMS.
  await input.setInputFiles({ name: 'banner.png', mimeType: 'image/png', buffer: PNG });
  const attached = page.getByTestId('attached-picture');
  await expect(attached).toContainText('Picture · PNG');
  await expect(attached.getByRole('img', { name: 'Picture to send' })).toHaveJSProperty('naturalWidth', 2);
  await expect(page.getByTestId('segment-counter')).toHaveAttribute('data-mms', 'true');
  await fitsPhoneWithoutSeriousAxeViolations(page);
  await page.getByLabel('Message to Dorcas').fill('Our new banner!');
  await page.getByRole('button', { name: 'Send', exact: true }).click();
  await expect(attached).toHaveCount(0);
  const mine = page.getByTestId('message').filter({ hasText: 'Our new banner!' });
  await expect(mine.getByRole('img', { name: 'Picture sent' })).toHaveJSProperty('naturalWidth', 2);
  await expect(mine).toContainText('MMS');
  await expect(mine.getByTestId('message-status')).toContainText('Sent');

  // Dorcas sends a picture back: fetched into Steeple's store and shown (Telnyx's link stands in as our own).
  const link = await mine.getByRole('img', { name: 'Picture sent' }).getAttribute('src');
  const media = [{ url: new URL(link!, page.url()).toString(), content_type: 'image/png' }];
  await postTelnyxEvent(
    page.request,
    telnyxReceivedEvent({ from: phone, to: churchNumber, text: '', id: `e2e-${randomUUID()}`, media }),
  );
  const theirs = page.locator('[data-testid="message"][data-direction="inbound"]');
  await expect(theirs.getByRole('img', { name: 'Picture from Dorcas Joppa' })).toHaveJSProperty('naturalWidth', 2, {
    timeout: 20_000,
  });
  await expect(page.getByRole('list', { name: 'Conversations' })).toContainText('📷 Picture');
  await fitsPhoneWithoutSeriousAxeViolations(page);

  // A broadcast with a picture costs one MMS per person, whatever the length of its words.
  await open(page, '/broadcasts');
  await page.getByLabel('Message').fill('See you Sunday! '.repeat(20));
  await expect(page.getByTestId('segment-counter')).toHaveAttribute('data-segments', '3');
  await page.getByTestId('picture-input').setInputFiles({ name: 'sunday.png', mimeType: 'image/png', buffer: PNG });
  await expect(page.getByTestId('segment-counter')).toHaveAttribute('data-mms', 'true');
  await expect(page.getByTestId('broadcast-preview')).toContainText('1 picture message each');
  await fitsPhoneWithoutSeriousAxeViolations(page);
});
