import { expect, test, type Page } from '@playwright/test';
import { fitsWidth, noSeriousAxeViolations } from './page-checks';
import { addMember, buyNumber, newChurch, open, randomUsNumber, signUp, trpcMutation } from './support';

/**
 * The inbox on a phone: the list, then one thread, then back; previews cut short rather than widening the page; no
 * keyboard hint where there is no keyboard. Its filters and the open thread live in the URL, so a reload keeps them.
 */

const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 800 };

async function checkPage(page: Page) {
  await fitsWidth(page);
  await noSeriousAxeViolations(page);
}

const LONG =
  'Thank you so much for the welcome on Sunday, we loved the music and the kids want to come back next week ' +
  'https://example.org/a-very-long-link-without-any-spaces-that-would-otherwise-push-the-page-sideways-for-ever';

test('on a phone the inbox is list → thread → back, previews truncate, and no Ctrl+Enter hint', async ({ page }) => {
  test.setTimeout(120_000);
  await signUp(page, newChurch('Philippi'));
  await buyNumber(page.request);
  const lydia = await addMember(page, { firstName: 'Lydia', lastName: 'Purple', phone: randomUsNumber() });
  const sent = await trpcMutation(page.request, 'messages.send', { memberId: lydia.id, body: 'Hello Lydia' });
  expect(sent.status, sent.text).toBe(200);
  const conversationId = sent.data.conversationId as string;
  const reply = await trpcMutation(page.request, 'messages.simulateReply', { conversationId, body: LONG });
  expect(reply.status, reply.text).toBe(200);

  await page.setViewportSize(PHONE);
  await open(page, '/inbox');
  const list = page.getByRole('list', { name: 'Conversations' });
  const row = list.getByTestId('conversation');
  // The preview is cut short with an ellipsis inside its row, rather than widening the page.
  const preview = row.getByTestId('conversation-preview');
  await expect(preview).toContainText('Thank you so much for the welcome');
  expect(await preview.evaluate((el) => el.scrollWidth > el.clientWidth)).toBe(true);
  await expect(page.getByText('Choose a conversation')).toBeHidden(); // the list alone
  await checkPage(page);

  // The thread alone, with a way back.
  await row.getByRole('link').click();
  await expect(page).toHaveURL(new RegExp(`/inbox\\?c=${conversationId}$`));
  const thread = page.getByRole('log', { name: 'Messages with Lydia Purple' });
  await expect(thread).toContainText('Hello Lydia');
  await expect(list).toBeHidden();
  const back = page.getByRole('link', { name: 'Back to inbox' });
  await expect(back).toBeVisible();
  const box = await back.boundingBox();
  expect(box!.height).toBeGreaterThanOrEqual(44);
  await expect(page.getByText(/Enter to send/)).toBeHidden();
  await checkPage(page);
  await back.click();
  await expect(page).toHaveURL(/\/inbox$/);
  await expect(list).toBeVisible();
  await expect(thread).toBeHidden();

  // A filter is in the URL; opening a thread and coming back keeps it, and so does a reload.
  await page.getByLabel('Unread only').check();
  await expect(page).toHaveURL(/\/inbox\?unread=1$/);
  await expect(page.getByText('No unread conversations. You are all caught up.')).toBeVisible();
  await page.getByLabel('Unread only').uncheck();
  await page.getByLabel('Status', { exact: true }).selectOption({ label: 'Closed' });
  await expect(page).toHaveURL(/\/inbox\?status=closed$/);
  await page.reload();
  await expect(page.locator('html[data-hydrated]')).toHaveCount(1);
  await expect(page.getByLabel('Status', { exact: true })).toHaveValue('closed');
  await expect(page.getByText('No closed conversations here.')).toBeVisible();
  await page.getByLabel('Status', { exact: true }).selectOption({ label: 'Open' });
  await expect(page).toHaveURL(/\/inbox$/);

  // The search too: typed, kept across a reload, and the thread a result opens keeps it for the way back.
  await page.getByLabel('Search messages and notes').fill('welcome');
  await expect(page).toHaveURL(/\/inbox\?q=welcome$/);
  await page.reload();
  await expect(page.getByLabel('Search messages and notes')).toHaveValue('welcome');
  const hit = page.getByRole('list', { name: 'Search results' }).getByTestId('search-hit');
  await expect(hit).toHaveCount(1);
  await hit.getByRole('link').click();
  await expect(page).toHaveURL(new RegExp(`/inbox\\?q=welcome&c=${conversationId}&m=`));
  await page.getByRole('link', { name: 'Back to inbox' }).click();
  await expect(page).toHaveURL(/\/inbox\?q=welcome$/);
  await expect(hit).toHaveCount(1);
});

test('on a desktop the inbox keeps both panes, and the send shortcut is named', async ({ page }) => {
  await page.setViewportSize(DESKTOP);
  await signUp(page, newChurch('Thessalonica'));
  await buyNumber(page.request);
  const jason = await addMember(page, { firstName: 'Jason', lastName: 'Host', phone: randomUsNumber() });
  const sent = await trpcMutation(page.request, 'messages.send', { memberId: jason.id, body: 'Hello Jason' });
  expect(sent.status, sent.text).toBe(200);

  await open(page, `/inbox?c=${sent.data.conversationId}&show=mine`);
  await expect(page.getByLabel('Show', { exact: true })).toHaveValue('mine');
  await expect(page.getByRole('list', { name: 'Conversations' })).toBeHidden(); // nothing assigned to me yet
  await expect(page.getByText('No conversations are assigned to you.')).toBeVisible();
  await expect(page.getByRole('log', { name: 'Messages with Jason Host' })).toContainText('Hello Jason');
  await expect(page.getByRole('link', { name: 'Back to inbox' })).toBeHidden();
  await expect(page.getByText('Ctrl+Enter to send')).toBeVisible();
  await checkPage(page);

  // The shortcut still sends.
  const box = page.getByRole('textbox', { name: 'Message to Jason' });
  await box.fill('See you Sunday');
  await box.press('Control+Enter');
  await expect(page.getByRole('log', { name: 'Messages with Jason Host' })).toContainText('See you Sunday');
  await expect(box).toHaveValue('');
});
