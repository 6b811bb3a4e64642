import { randomUUID } from 'node:crypto';
import { expect, test, type APIRequestContext, type Page } from '@playwright/test';
import { telnyxReceivedEvent } from '../server/messaging/telnyx-events';
import {
  buyNumber,
  mainNav,
  newChurch,
  open,
  postTelnyxEvent,
  randomUsNumber,
  signUp,
  staffOnPhone,
  trpcMutation,
} from './support';

/**
 * Church keywords ("JOIN"), end to end in local-outbox mode. A newcomer's first text comes from a number the church
 * has never seen, so it has no conversation for "Simulate reply" to answer in: it is posted as Telnyx would, a
 * `message.received` event signed with the deployment's local key (the key simulated replies are signed with, derived
 * from STEEPLE_SECRET_KEY, which the embedded default keeps in .data/secret-key), so it takes the real inbound path.
 * Later texts from the same person use the inbox's "Simulate reply", which posts to the same webhook.
 */

/** A text from `from` to the church's number `to`, through the signed Telnyx webhook. */
const textIn = (request: APIRequestContext, from: string, to: string, text: string) =>
  postTelnyxEvent(request, telnyxReceivedEvent({ from, to, text, id: `e2e-${randomUUID()}` }));

const keywordCard = (page: Page, word: string) =>
  page
    .getByRole('list', { name: 'Keywords' })
    .getByTestId('keyword')
    .and(page.locator(`[data-word="${word}"]`));

test('an admin adds and edits a keyword; a newcomer texts it, is subscribed with its tag, and it is counted', async ({
  page,
}) => {
  test.setTimeout(120_000);
  const church = newChurch('Zion');
  await signUp(page, church);
  const number = await buyNumber(page.request);

  await mainNav(page).getByRole('link', { name: 'Keywords', exact: true }).click();
  await expect(page).toHaveURL(/\/keywords$/);
  await expect(page.getByRole('heading', { name: 'Keywords', level: 1 })).toBeVisible();
  await expect(page.getByText('People text JOIN')).toBeVisible();
  await expect(page.getByText('No keywords yet')).toBeVisible();

  // A reserved word is refused beside its field, with the server's own message, before anything is sent.
  await page.getByRole('button', { name: 'Add keyword', exact: true }).click();
  const add = page.getByRole('dialog', { name: 'Add keyword' });
  await add.getByLabel('Keyword').fill('stop');
  await add.getByLabel('Reply').fill('Welcome!');
  await add.getByRole('button', { name: 'Add keyword' }).click();
  await expect(add.getByLabel('Keyword')).toHaveAccessibleDescription(
    'STOP is reserved: it is how people opt out, and carriers require it to work.',
  );
  await expect(add.getByLabel('Keyword')).toHaveAttribute('aria-invalid', 'true');
  await expect(add.getByLabel('Keyword')).toBeFocused();
  // So is an unknown merge field.
  await add.getByLabel('Keyword').fill('join');
  await add.getByLabel('Reply').fill('Welcome, {frist_name}!');
  await add.getByRole('button', { name: 'Add keyword' }).click();
  await expect(add.getByLabel('Reply')).toHaveAccessibleDescription(/^Unknown merge field \{frist_name\}\./);
  await add.getByLabel('Reply').fill('Welcome to {church_name}, {first_name|friend}!');
  await add.getByLabel('Tags to add (optional)').fill('newcomer');
  await add.getByRole('button', { name: 'Add keyword' }).click();
  await expect(add).toBeHidden();
  await expect(page.getByRole('status').filter({ hasText: 'JOIN was added.' })).toBeVisible();
  const join = keywordCard(page, 'JOIN');
  await expect(join).toHaveCount(1);
  await expect(join.getByTestId('keyword-uses')).toHaveText('0');
  await expect(join.getByTestId('keyword-last-used')).toHaveText('Never');

  // A second keyword with the same word is refused by the server, beside the field.
  await page.getByRole('button', { name: 'Add keyword', exact: true }).click();
  await add.getByLabel('Keyword').fill('Join');
  await add.getByLabel('Reply').fill('Hello again');
  await add.getByRole('button', { name: 'Add keyword' }).click();
  await expect(add.getByLabel('Keyword')).toHaveAccessibleDescription('You already have the keyword JOIN.');
  await add.getByRole('button', { name: 'Cancel' }).click();
  await expect(add).toBeHidden();

  // Edit: the form starts with what is saved.
  await join.getByRole('button', { name: 'Edit JOIN' }).click();
  const edit = page.getByRole('dialog', { name: 'Edit JOIN' });
  await expect(edit.getByLabel('Keyword')).toHaveValue('JOIN');
  await expect(edit.getByLabel('Tags to add (optional)')).toHaveValue('newcomer');
  await edit.getByLabel('Reply').fill('Welcome to {church_name}, {first_name|friend}! See you Sunday.');
  await edit.getByLabel('Tags to add (optional)').fill('newcomer, visitors');
  await edit.getByRole('button', { name: 'Save changes' }).click();
  await expect(edit).toBeHidden();
  await expect(page.getByRole('status').filter({ hasText: 'JOIN was saved.' })).toBeVisible();
  await expect(join.getByTestId('keyword-reply')).toHaveText(
    'Welcome to {church_name}, {first_name|friend}! See you Sunday.',
  );
  await expect(join.getByTestId('keyword-tags').getByRole('listitem')).toHaveText(['newcomer', 'visitors']);

  // Someone the church has never heard from texts "join!" (any case, punctuation around it ignored).
  const person = randomUsNumber();
  await textIn(page.request, person, number, 'join!');

  // They are a member now, subscribed, with the keyword's tags.
  await open(page, '/members');
  await page.getByLabel('Tag', { exact: true }).selectOption('newcomer');
  await page.getByLabel('Texts', { exact: true }).selectOption('subscribed');
  const row = page.getByRole('table', { name: 'Members' }).locator(`[data-phone="${person}"]`);
  await expect(row).toBeVisible();
  await expect(row).toContainText('New contact');
  await expect(row).toContainText('newcomer');
  await expect(row).toContainText('visitors');

  // Their thread says how they joined, and the reply was sent with the church's name and the carriers' words.
  await open(page, '/inbox');
  await page
    .getByRole('list', { name: 'Conversations' })
    .getByTestId('conversation')
    .filter({ hasText: 'New contact' })
    .getByRole('link')
    .click();
  const thread = page.getByRole('log', { name: 'Messages with New contact' });
  const text = thread.getByTestId('message').filter({ hasText: 'join!' });
  await expect(text).toHaveAttribute('data-direction', 'inbound');
  await expect(text.getByTestId('keyword-note')).toHaveText('Joined via JOIN');
  const reply = thread.getByTestId('message').filter({ hasText: 'See you Sunday.' });
  await expect(reply).toHaveAttribute('data-kind', 'auto');
  await expect(reply.getByTestId('message-body')).toHaveText(
    `Welcome to ${church.church}, friend! See you Sunday. Msg frequency varies. Msg & data rates may apply. ` +
      'Reply HELP for help, STOP to opt out.',
  );
  await expect(page.getByTestId('subscription')).toHaveText('Subscribed');

  // The keywords page counts the use and the new member, day by day too.
  await mainNav(page).getByRole('link', { name: 'Keywords', exact: true }).click();
  await expect(page).toHaveURL(/\/keywords$/);
  await expect(join.getByTestId('keyword-uses')).toHaveText('1');
  await expect(join.getByTestId('keyword-new-members')).toHaveText('1');
  await expect(join.getByTestId('keyword-last-used')).not.toHaveText('Never');
  await join.getByRole('button', { name: 'Show stats for JOIN' }).click();
  const stats = join.getByRole('region', { name: 'JOIN, last 30 days' });
  await expect(stats.getByTestId('stats-uses')).toHaveText('1');
  await expect(stats.getByTestId('stats-new-members')).toHaveText('1');
  const chart = stats.getByRole('table', { name: 'Texts of JOIN per day, last 30 days' });
  await expect(chart.getByRole('row')).toHaveCount(31);
  await expect(chart.getByRole('row').last().getByRole('cell')).toHaveText(['1', '1']);
  await join.getByRole('button', { name: 'Hide stats for JOIN' }).click();
  await expect(stats).toBeHidden();
});

test('texting a keyword again, or after STOP, is noted in the thread; deleting a keyword keeps those notes', async ({
  page,
}) => {
  test.setTimeout(120_000);
  await signUp(page, newChurch('Hebron'));
  const number = await buyNumber(page.request);
  const created = await trpcMutation(page.request, 'keywords.create', { keyword: 'EASTER', reply: 'He is risen!' });
  expect(created.status, created.text).toBe(200);
  const person = randomUsNumber();
  await textIn(page.request, person, number, 'Easter');

  await open(page, '/inbox');
  await page.getByRole('list', { name: 'Conversations' }).getByTestId('conversation').getByRole('link').click();
  const messages = page.getByRole('log', { name: 'Messages with New contact' }).getByTestId('message');
  const notes = messages.getByTestId('keyword-note');
  await expect(notes).toHaveText(['Joined via EASTER']);

  await page.getByLabel('Reply from New contact').fill('easter');
  await page.getByRole('button', { name: 'Simulate reply' }).click();
  await expect(notes).toHaveText(['Joined via EASTER', 'Texted keyword EASTER (already subscribed)']);

  await page.getByLabel('Reply from New contact').fill('STOP');
  await page.getByRole('button', { name: 'Simulate reply' }).click();
  await expect(page.getByTestId('subscription')).toHaveText('Unsubscribed');
  await page.getByLabel('Reply from New contact').fill('EASTER');
  await page.getByRole('button', { name: 'Simulate reply' }).click();
  await expect(notes.last()).toHaveText('Texted EASTER but has opted out: told to text START');
  await expect(notes.last()).toHaveAttribute('data-outcome', 'opted_out');
  await expect(messages.filter({ hasText: 'EASTER did not sign you up' })).toHaveAttribute('data-kind', 'auto');
  await expect(page.getByTestId('subscription')).toHaveText('Unsubscribed');

  // Delete, after a change of mind in the confirmation.
  await open(page, '/keywords');
  const easter = keywordCard(page, 'EASTER');
  await expect(easter.getByTestId('keyword-uses')).toHaveText('3');
  await expect(easter.getByTestId('keyword-new-members')).toHaveText('1');
  await easter.getByRole('button', { name: 'Delete EASTER' }).click();
  const confirm = page.getByRole('dialog', { name: 'Delete EASTER?' });
  await confirm.getByRole('button', { name: 'Cancel' }).click();
  await expect(confirm).toBeHidden();
  await expect(easter).toHaveCount(1);
  await easter.getByRole('button', { name: 'Delete EASTER' }).click();
  await confirm.getByRole('button', { name: 'Delete', exact: true }).click();
  await expect(confirm).toBeHidden();
  await expect(page.getByRole('status').filter({ hasText: 'EASTER was deleted.' })).toBeVisible();
  await expect(easter).toHaveCount(0);
  await expect(page.getByText('No keywords yet')).toBeVisible();

  // The thread still says what the texts did.
  await open(page, '/inbox');
  await page.getByRole('list', { name: 'Conversations' }).getByTestId('conversation').getByRole('link').click();
  await expect(notes).toHaveCount(3);
  await expect(notes.first()).toHaveText('Joined via EASTER');
});

test('staff see the keywords and their numbers but cannot change them; the page fits a phone', async ({
  page,
  browser,
  baseURL,
}) => {
  test.setTimeout(90_000);
  await signUp(page, newChurch('Salem'));
  const created = await trpcMutation(page.request, 'keywords.create', {
    keyword: 'Welcome',
    reply: 'Hi {first_name|friend}, welcome to {church_name}!',
    addTags: ['guest'],
  });
  expect(created.status, created.text).toBe(200);
  const staff = await staffOnPhone(page, browser, baseURL);

  await open(staff, '/keywords');
  const card = keywordCard(staff, 'WELCOME');
  await expect(card).toBeVisible();
  await expect(card.getByTestId('keyword-tags')).toHaveText('guest');
  await expect(card.getByTestId('keyword-uses')).toHaveText('0');
  await expect(staff.getByRole('button', { name: 'Add keyword' })).toHaveCount(0);
  await expect(card.getByRole('button', { name: 'Edit WELCOME' })).toHaveCount(0);
  await expect(card.getByRole('button', { name: 'Delete WELCOME' })).toHaveCount(0);
  await card.getByRole('button', { name: 'Show stats for WELCOME' }).click();
  await expect(card.getByTestId('keyword-chart')).toBeVisible();
  // 390 px wide: nothing makes the page scroll sideways.
  expect(await staff.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);

  const refused = await trpcMutation(staff.request, 'keywords.create', { keyword: 'STAFF', reply: 'Hello' });
  expect(refused.status).toBe(403);
  expect(refused.error?.data.code).toBe('FORBIDDEN');
  await staff.context().close();
});
