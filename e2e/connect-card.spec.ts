import { expect, test } from '@playwright/test';
import { buyNumber, newChurch, open, randomUsNumber, signUp, trpcMutation, trpcQuery } from './support';
import { fitsWidth, noSeriousAxeViolations } from './page-checks';

/**
 * The public connect card, filled in on a phone by someone with no account, and what the church's admin sees
 * afterwards: the member with the card's tags and prayer request, and the welcome text in their thread.
 */

const phone = { width: 390, height: 844 };

test('a visitor fills in the connect card on a phone; the admin sees the member, tags and welcome text', async ({
  page,
  browser,
  baseURL,
}) => {
  test.setTimeout(120_000);
  const church = newChurch('Bethel');
  await signUp(page, church);
  await buyNumber(page.request);
  const settings = await trpcMutation(page.request, 'connectCard.update', {
    welcomeText: 'Welcome, {first_name|friend}! Coffee is on us next Sunday.',
    tags: ['guest'],
    firstVisitTag: 'first-time guest',
  });
  expect(settings.status, settings.text).toBe(200);
  const profile = await trpcQuery(page.request, 'church.profile');
  const url: string = profile.data.church.connectCardUrl;
  expect(url).toMatch(/\/c\/[a-z0-9-]+$/);

  // A stranger's phone: no session.
  const visitorContext = await browser.newContext({ baseURL, viewport: phone, isMobile: true, hasTouch: true });
  const visitor = await visitorContext.newPage();
  await visitor.goto(new URL(url).pathname);
  await expect(visitor.getByRole('heading', { level: 1, name: church.church })).toBeVisible();
  await fitsWidth(visitor);
  await noSeriousAxeViolations(visitor);

  const mobile = randomUsNumber();
  await visitor.getByLabel('First name').fill('Priscilla');
  await visitor.getByLabel('Last name').fill('Aquila');
  await visitor.getByLabel('Mobile number').fill(mobile);
  await visitor.getByLabel('Email (optional)').fill('priscilla@example.org');
  await visitor.getByRole('radio', { name: 'Yes' }).check();
  await visitor.getByLabel('How can we pray for you? (optional)').fill('A new job in town');
  await visitor.getByRole('checkbox', { name: `Yes, text me updates from ${church.church}` }).check();
  await expect(visitor.getByText('Message frequency varies. Message and data rates may apply.')).toBeVisible();
  await expect(visitor.getByRole('link', { name: 'Privacy note' })).toHaveAttribute('href', /\/privacy$/);
  // A person takes longer than the card's minimum fill time (3 s); a script that posts at once is asked to wait.
  await visitor.waitForTimeout(3_100);
  await visitor.getByRole('button', { name: 'Send' }).click();
  await expect(visitor.getByRole('heading', { name: 'Thank you, Priscilla!' })).toBeVisible();
  await fitsWidth(visitor);
  await noSeriousAxeViolations(visitor);

  // The privacy note it links to.
  await visitor.goto(`${new URL(url).pathname}/privacy`);
  await expect(visitor.getByRole('heading', { level: 1 })).toContainText(`How ${church.church} uses your details`);
  await fitsWidth(visitor);
  await visitorContext.close();

  // The admin finds the member, subscribed and tagged, with the prayer request in the notes.
  await open(page, '/members');
  const row = page.getByRole('table', { name: 'Members' }).getByTestId('member-row').filter({ hasText: 'Priscilla' });
  await expect(row).toContainText('Priscilla Aquila');
  await expect(row).toContainText('first-time guest');
  await expect(row).not.toContainText('Not opted in'); // the table marks only those who are not subscribed
  await row.getByRole('button', { name: 'Edit Priscilla Aquila' }).click();
  await expect(page.getByRole('dialog').getByRole('radio', { name: /^Subscribed/ })).toBeChecked();
  await expect(page.getByRole('dialog').getByLabel('Notes (optional)')).toHaveValue(
    /prayer request: A new job in town/,
  );
  await page.keyboard.press('Escape');

  // Their thread holds the welcome, sent, with the carriers' disclosure.
  const list = await trpcQuery(page.request, 'conversations.list?input=' + encodeURIComponent('{"json":{}}'));
  const thread = (list.data.items as { id: string; memberName?: string; member?: { firstName: string } }[]).find((c) =>
    JSON.stringify(c).includes('Priscilla'),
  );
  expect(thread, JSON.stringify(list.data)).toBeTruthy();
  await open(page, `/inbox?c=${thread!.id}`);
  const welcome = page
    .getByRole('log', { name: 'Messages with Priscilla Aquila' })
    .getByTestId('message')
    .filter({ hasText: 'Welcome, Priscilla! Coffee is on us next Sunday.' });
  await expect(welcome).toHaveAttribute('data-status', 'sent');
  await expect(welcome).toContainText('STOP to opt out');
});

test('an unknown church’s card is "not available"', async ({ page }) => {
  const res = await page.goto('/c/no-such-church-here');
  expect(res?.status()).toBe(404);
  await expect(page.getByRole('heading', { name: 'This page is not available' })).toBeVisible();
});
