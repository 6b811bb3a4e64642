import { expect, test, type Page } from '@playwright/test';
import { fitsWidth, noSeriousAxeViolations } from './page-checks';
import { addMember, buyNumber, newChurch, open, randomUsNumber, signUp, trpcMutation } from './support';

/**
 * A page per member (/members/<id>): details with the church's own fields, the conversation, the team's notes, the
 * consent history and what is scheduled for them; reached from the members list, the inbox and a search; edited in
 * place. On a phone the members list is cards, and its search and filters live in the URL.
 */

const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 800 };

async function ok(page: Page, path: string, input: unknown) {
  const res = await trpcMutation(page.request, path, input);
  expect(res.status, res.text).toBe(200);
  return res.data;
}

async function checkPage(page: Page) {
  await fitsWidth(page);
  await noSeriousAxeViolations(page);
}

/** At least 44 × 44 px: a thumb's size. */
async function touchSized(page: Page, locator: ReturnType<Page['locator']>) {
  const box = await locator.boundingBox();
  expect(box, 'on screen').not.toBeNull();
  expect(box!.height).toBeGreaterThanOrEqual(44);
  expect(box!.width).toBeGreaterThanOrEqual(44);
}

test('a member page: details, conversation, notes, consent, schedule; reached from list, inbox and search', async ({
  page,
}) => {
  test.setTimeout(120_000);
  await page.setViewportSize(DESKTOP);
  await signUp(page, newChurch('Bethel'));
  await buyNumber(page.request);
  const field = await ok(page, 'customFields.create', { label: 'Baptism date', type: 'date' });
  const ruth = await addMember(page, { firstName: 'Ruth', lastName: 'Moab', phone: randomUsNumber() });
  await ok(page, 'members.update', {
    id: ruth.id,
    tags: ['choir'],
    email: 'ruth@example.org',
    fields: { [field.id]: '2024-03-31' },
  });
  const sent = await ok(page, 'messages.send', { memberId: ruth.id, body: 'Welcome to Bethel, Ruth!' });
  const conversationId = sent.conversationId as string;
  await ok(page, 'conversations.addNote', { id: conversationId, body: 'Ask her about the choir robes' });
  const tomorrow = new Date(Date.now() + 86_400_000).toISOString();
  await ok(page, 'broadcasts.create', {
    body: 'Choir practice moves to Thursday',
    audience: { type: 'tag', tag: 'choir' },
    scheduledAt: tomorrow,
  });
  await ok(page, 'broadcasts.create', {
    body: 'Youth night is on',
    audience: { type: 'tag', tag: 'youth' },
    scheduledAt: tomorrow,
  });

  // From the members list: the name opens the page.
  await open(page, '/members');
  await page.getByRole('table', { name: 'Members' }).getByRole('link', { name: 'Ruth Moab' }).click();
  await expect(page).toHaveURL(new RegExp(`/members/${ruth.id}$`));
  await expect(page.getByRole('heading', { name: 'Ruth Moab', level: 1 })).toBeVisible();
  await expect(page).toHaveTitle(/Ruth Moab/);

  const details = page.getByTestId('member-details');
  await expect(details).toContainText('ruth@example.org');
  await expect(details).toContainText('choir');
  await expect(details).toContainText('Baptism date');
  await expect(details).toContainText('March 31, 2024');
  const conversation = page.getByRole('region', { name: 'Conversation' });
  await expect(conversation.getByRole('log', { name: 'Messages with Ruth Moab' })).toContainText(
    'Welcome to Bethel, Ruth!',
  );
  await expect(conversation.getByRole('link', { name: 'Reply in the inbox' })).toHaveAttribute(
    'href',
    `/inbox?c=${conversationId}`,
  );
  const notes = page.getByRole('region', { name: 'Notes for your team' });
  await expect(notes.getByTestId('note')).toContainText('Ask her about the choir robes');
  await expect(page.getByTestId('consent-history')).toContainText('agreed at the welcome desk');
  const scheduled = page.getByTestId('member-broadcasts');
  await expect(scheduled).toContainText('Choir practice moves to Thursday');
  await expect(scheduled).not.toContainText('Youth night');

  // A note written here is the conversation's (the inbox shows it too).
  await notes.getByLabel('Note for your team').fill('Called her back, coming Sunday');
  await notes.getByRole('button', { name: 'Add note' }).click();
  await expect(notes.getByTestId('note')).toHaveCount(2);
  await expect(notes.getByTestId('note').first()).toContainText('Called her back, coming Sunday');
  await checkPage(page);

  // Edited in place with the members list's dialog.
  await page.getByRole('button', { name: 'Edit', exact: true }).click();
  const edit = page.getByRole('dialog', { name: 'Edit Ruth Moab' });
  await edit.getByLabel('Last name').fill('Naomi');
  await edit.getByRole('button', { name: 'Save changes' }).click();
  await expect(edit).toBeHidden();
  await expect(page.getByRole('heading', { name: 'Ruth Naomi', level: 1 })).toBeVisible();
  await expect(page.getByRole('status').filter({ hasText: 'Ruth Naomi was saved.' })).toBeVisible();

  await page.setViewportSize(PHONE);
  await expect(page.getByRole('heading', { name: 'Ruth Naomi', level: 1 })).toBeVisible();
  await checkPage(page);
  await touchSized(page, page.getByRole('button', { name: 'Edit', exact: true }));

  // From the inbox: the thread's header names them, and the name opens their page.
  await page.setViewportSize(DESKTOP);
  await open(page, `/inbox?c=${conversationId}`);
  await expect(page.getByTestId('note')).toHaveCount(2);
  await page.getByRole('heading', { name: 'Ruth Naomi' }).getByRole('link').click();
  await expect(page).toHaveURL(new RegExp(`/members/${ruth.id}$`));

  // From a search on the members page.
  await open(page, '/members');
  await page.getByRole('searchbox', { name: 'Search members' }).fill('naomi');
  await expect(page).toHaveURL(/[?&]q=naomi/);
  await page.getByRole('table', { name: 'Members' }).getByRole('link', { name: 'Ruth Naomi' }).click();
  await expect(page).toHaveURL(new RegExp(`/members/${ruth.id}$`));
  await expect(page.getByRole('heading', { name: 'Ruth Naomi', level: 1 })).toBeVisible();
});

test("a member who is not this church's, or no longer exists, is the app's not-found page", async ({ page }) => {
  const other = newChurch('Elsewhere');
  await signUp(page, other);
  const stranger = await addMember(page, { firstName: 'Stranger', lastName: 'Danger', phone: randomUsNumber() });
  await page.context().clearCookies();

  await signUp(page, newChurch('Hebron'));
  for (const id of [stranger.id, '00000000-0000-4000-8000-000000000000', 'not-an-id']) {
    const res = await page.goto(`/members/${id}`);
    expect(res?.status()).toBe(404);
    await expect(page.getByRole('heading', { name: 'Page not found' })).toBeVisible();
    await expect(page.getByText('Stranger')).toHaveCount(0);
  }
});

test('on a phone, members are cards with their actions in reach; search and filters survive a reload', async ({
  page,
}) => {
  test.setTimeout(90_000);
  await signUp(page, newChurch('Shiloh'));
  const tags = { Grace: ['choir'], Alan: ['choir', 'youth'], Ada: [] as string[] };
  for (const [firstName, memberTags] of Object.entries(tags)) {
    const m = await addMember(page, { firstName, lastName: 'Longsurname-Withoutanybreaks', phone: randomUsNumber() });
    await ok(page, 'members.update', { id: m.id, tags: memberTags, email: `${firstName.toLowerCase()}@example.org` });
  }

  await page.setViewportSize(PHONE);
  await open(page, '/members');
  await expect(page.getByRole('table', { name: 'Members' })).toBeHidden();
  const cards = page.getByRole('list', { name: 'Members' }).getByTestId('member-card');
  await expect(cards).toHaveCount(3);
  const grace = cards.filter({ hasText: 'Grace' });
  await expect(grace).toContainText('grace@example.org');
  await expect(grace).toContainText('choir');
  await touchSized(page, grace.getByRole('button', { name: /^Edit Grace/ }));
  await touchSized(page, grace.getByRole('button', { name: /^Delete Grace/ }));
  await touchSized(page, grace.getByRole('link', { name: /^Grace/ }));
  await checkPage(page);

  // Filters and the search go into the URL, and a reload keeps them.
  await page.getByLabel('Tag', { exact: true }).selectOption('choir');
  await expect(cards).toHaveCount(2);
  await page.getByRole('searchbox', { name: 'Search members' }).fill('alan');
  await expect(cards).toHaveCount(1);
  await expect(page).toHaveURL(/[?&]q=alan/);
  await expect(page).toHaveURL(/[?&]tag=choir/);
  await page.reload();
  await expect(page.locator('html[data-hydrated]')).toHaveCount(1);
  await expect(page.getByRole('searchbox', { name: 'Search members' })).toHaveValue('alan');
  await expect(page.getByLabel('Tag', { exact: true })).toHaveValue('choir');
  await expect(cards).toHaveCount(1);
  await expect(cards.first()).toContainText('Alan');

  // Clearing empties the URL too; a card's name opens the member's page.
  await page.getByRole('searchbox', { name: 'Search members' }).fill('nobody at all');
  await page.getByRole('button', { name: 'Clear search and filters' }).click();
  await expect(cards).toHaveCount(3);
  await expect(page).toHaveURL(/\/members$/);
  await cards.filter({ hasText: 'Ada' }).getByRole('link').click();
  await expect(page.getByRole('heading', { name: /^Ada/, level: 1 })).toBeVisible();
  await checkPage(page);

  await page.setViewportSize(DESKTOP);
  await open(page, '/members');
  await expect(page.getByRole('table', { name: 'Members' })).toBeVisible();
  await expect(page.getByRole('list', { name: 'Members' })).toBeHidden();
  await checkPage(page);
});
