import { expect, test } from '@playwright/test';
import { fitsPhoneWithoutSeriousAxeViolations } from './page-checks';
import { buyNumber, newChurch, open, randomUsNumber, signUp, trpcMutation } from './support';

/**
 * The team inbox: giving a thread to one person and finding one's own with the filters, a note for the team that is
 * never sent, searching what was said, marking a thread unread, closing it and seeing it come back when they text.
 */
test('the owner assigns a thread, adds a note, finds it by search, marks it unread and closes it', async ({ page }) => {
  test.setTimeout(120_000);
  const church = newChurch('Assign');
  await signUp(page, church);
  await buyNumber(page.request);
  const member = await trpcMutation(page.request, 'members.create', {
    firstName: 'Lydia',
    lastName: 'Thyatira',
    phone: randomUsNumber(),
  });
  expect(member.status, member.text).toBe(200);
  const sent = await trpcMutation(page.request, 'messages.send', { memberId: member.data.id, body: 'Welcome!' });
  expect(sent.status, sent.text).toBe(200);
  const conversationId = sent.data.conversationId as string;

  // Assigning, and the "Show" filter.
  await open(page, `/inbox?c=${conversationId}`);
  const conversations = page.getByRole('list', { name: 'Conversations' });
  await expect(conversations.getByTestId('conversation')).toHaveCount(1);
  const show = page.getByLabel('Show', { exact: true });
  await show.selectOption({ label: 'Assigned to me' });
  await expect(page.getByText('No conversations are assigned to you.')).toBeVisible();
  const picker = page.getByLabel('Assigned to', { exact: true });
  await expect(picker).toHaveValue('');
  await picker.selectOption({ label: `${church.name} (you)` });
  await expect(conversations.getByText('Lydia Thyatira')).toBeVisible();
  await show.selectOption({ label: 'Unassigned' });
  await expect(page.getByText('Every conversation has someone answering it.')).toBeVisible();
  await show.selectOption({ label: 'Everyone’s' });

  // A note: in the thread, marked as internal, and not sent.
  await page.getByRole('button', { name: 'Internal note' }).click();
  await page.getByLabel('Note for your team').fill('Lydia runs the dye shop; ask about the purple banners');
  await page.getByRole('button', { name: 'Add note' }).click();
  const note = page.getByTestId('note');
  await expect(note).toContainText('Internal note · You');
  await expect(note).toContainText('not sent');
  await expect(note.getByTestId('note-body')).toHaveText('Lydia runs the dye shop; ask about the purple banners');
  await expect(page.getByTestId('message')).toHaveCount(1); // still only "Welcome!"
  await expect(page.getByLabel('Note for your team')).toHaveValue('');
  await fitsPhoneWithoutSeriousAxeViolations(page);

  // Search finds the note and the message, and opens the thread.
  await page.getByLabel('Search messages and notes').fill('purple ban');
  const hits = page.getByRole('list', { name: 'Search results' }).getByTestId('search-hit');
  await expect(hits).toHaveCount(1);
  await expect(hits.first()).toHaveAttribute('data-kind', 'note');
  await expect(hits.first().locator('mark')).toHaveText(['purple', 'banners']);
  await page.getByLabel('Search messages and notes').fill('welc');
  await expect(hits.first()).toHaveAttribute('data-kind', 'message');
  await hits.first().click();
  await expect(page).toHaveURL(new RegExp(`c=${conversationId}&m=`));
  // The message found is marked in its thread.
  await expect(page.locator('[data-testid="message"][data-focused]')).toContainText('Welcome!');
  await page.getByLabel('Search messages and notes').fill('');

  // Mark as unread: back to the list, bold.
  await page.getByRole('button', { name: 'Mark as unread' }).click();
  await expect(page).toHaveURL(/\/inbox$/);
  await expect(conversations.getByTestId('conversation')).toHaveAttribute('data-unread', 'true');

  // Close: out of the open list, in the closed one; a text from Lydia brings it back.
  await conversations.getByText('Lydia Thyatira').click();
  await page.getByRole('button', { name: 'Close conversation' }).click();
  await expect(page.getByTestId('closed-notice')).toBeVisible();
  await expect(page.getByText('No open conversations.')).toBeVisible();
  await page.getByLabel('Status', { exact: true }).selectOption({ label: 'Closed' });
  await expect(conversations.getByText('Lydia Thyatira')).toBeVisible();
  const reply = await trpcMutation(page.request, 'messages.simulateReply', { conversationId, body: 'Yes please!' });
  expect(reply.status, reply.text).toBe(200);
  await expect(page.getByText('No closed conversations here.')).toBeVisible();
  await expect(page.getByTestId('closed-notice')).toHaveCount(0);
  await page.getByLabel('Status', { exact: true }).selectOption({ label: 'Open' });
  await expect(conversations.getByText('Lydia Thyatira')).toBeVisible();

  await page.setViewportSize({ width: 390, height: 844 });
  await open(page, `/inbox?c=${conversationId}`);
  await page.getByRole('button', { name: 'Internal note' }).click();
  await fitsPhoneWithoutSeriousAxeViolations(page);
});
