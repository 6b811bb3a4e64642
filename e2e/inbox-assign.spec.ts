import { expect, test } from '@playwright/test';
import { buyNumber, newChurch, open, randomUsNumber, signUp, trpcMutation } from './support';

/** Giving a thread to one person on the team, and finding one's own threads with the inbox filter. */
test('the owner assigns a conversation to themselves and finds it under "Assigned to me"', async ({ page }) => {
  test.setTimeout(90_000);
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

  await open(page, `/inbox?c=${sent.data.conversationId}`);
  const conversations = page.getByRole('list', { name: 'Conversations' });
  await expect(conversations.getByTestId('conversation')).toHaveCount(1);
  await page.getByLabel('Assigned to me', { exact: true }).check();
  await expect(page.getByText('No conversations are assigned to you.')).toBeVisible();

  const picker = page.getByLabel('Assigned to', { exact: true });
  await expect(picker).toHaveValue('');
  await picker.selectOption({ label: `${church.name} (you)` });
  await expect(conversations.getByTestId('conversation')).toHaveCount(1);
  await expect(conversations.getByText('Lydia Thyatira')).toBeVisible();

  await picker.selectOption({ label: 'Everyone' });
  await expect(page.getByText('No conversations are assigned to you.')).toBeVisible();
});
