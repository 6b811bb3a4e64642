import { readFileSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { mainNav, newChurch, openSection, open, signUp, staffOnPhone, trpcMutation, trpcQuery } from './support';

/**
 * The connect card's admin page (/connect-card): the card's address and QR code to share, its settings, and the
 * weekly counts. The public form itself (/c/<slug>) is e2e/connect-card.spec.ts's.
 */

const fitsSideways = (page: Page) =>
  page.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth);

const settingsForm = (page: Page) => page.getByRole('region', { name: 'Settings', exact: true });

test('an admin shares the card and changes its settings, which are kept; mistakes are shown by their fields', async ({
  page,
}) => {
  test.setTimeout(120_000);
  await signUp(page, newChurch('Bethel'));

  await mainNav(page).getByRole('link', { name: 'Connect card', exact: true }).click();
  await expect(page).toHaveURL(/\/connect-card$/);
  await expect(page.getByRole('heading', { name: 'Connect card', level: 1 })).toBeVisible();
  await expect(page.getByText('A public form people fill in on their phone')).toBeVisible();
  await expect(mainNav(page).getByRole('link', { name: 'Connect card' })).toHaveAttribute('aria-current', 'page');

  // The address: the church's own, opened in a new tab.
  const profile = await trpcQuery(page.request, 'church.profile');
  expect(profile.status, profile.text).toBe(200);
  const url: string = profile.data.church.connectCardUrl;
  expect(url).toMatch(/\/c\/[a-z0-9-]+$/);
  const link = page.getByRole('link', { name: /Open the connect card/ });
  await expect(link).toHaveAttribute('href', url);
  await expect(link).toHaveAttribute('target', '_blank');
  await expect(link).toContainText(url);

  // The QR code is shown (it loads under the page's content security policy) and names what it encodes.
  const qr = page.getByTestId('connect-card-qr');
  await expect(qr).toHaveAttribute('alt', `QR code for ${url}`);
  await expect(qr).toHaveAttribute('src', /^data:image\/svg\+xml;utf8,/);
  await expect.poll(() => qr.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBeGreaterThan(0);

  // Copy link puts the address on the clipboard.
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
  await page.getByRole('button', { name: 'Copy link' }).click();
  await expect(page.getByText('Link copied.')).toBeVisible();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(url);

  // Downloads: the SVG as it is shown, and a 1,024 px PNG for print, fetched when asked for.
  const [svg] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('link', { name: 'Download SVG' }).click(),
  ]);
  expect(svg.suggestedFilename()).toBe('connect-card-qr.svg');
  expect(readFileSync((await svg.path())!, 'utf8')).toContain('<svg');
  const [png] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Download PNG for print' }).click(),
  ]);
  expect(png.suggestedFilename()).toBe('connect-card-qr.png');
  const bytes = readFileSync((await png.path())!);
  expect(bytes.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a'); // the PNG signature
  expect([bytes.readUInt32BE(16), bytes.readUInt32BE(20)]).toEqual([1024, 1024]); // IHDR width, height

  // A new card: on, asking for prayer, tagging first-time guests, no welcome text yet.
  const form = settingsForm(page);
  await expect(form.getByLabel('Card is on')).toBeChecked();
  await expect(form.getByLabel('Ask “How can we pray for you?”')).toBeChecked();
  await expect(form.getByLabel('Extra tag for first-time guests')).toHaveValue('first-time guest');
  await expect(form.getByLabel('Welcome text')).toHaveValue('');

  // An unknown merge field and an address that is not one are refused beside their fields, before anything is sent.
  const welcome = form.getByLabel('Welcome text');
  const privacy = form.getByLabel('Privacy note link (optional)');
  await welcome.fill('Hi {nick}, welcome!');
  await privacy.fill('our website');
  await form.getByRole('button', { name: 'Save settings' }).click();
  await expect(welcome).toHaveAccessibleDescription(/^Unknown merge field \{nick\}\./);
  await expect(welcome).toHaveAttribute('aria-invalid', 'true');
  await expect(welcome).toBeFocused();
  await expect(privacy).toHaveAccessibleDescription('Enter a web address starting with https://');
  await expect(privacy).toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByText('Saved.')).toHaveCount(0);
  // The server refuses them too.
  const refused = await trpcMutation(page.request, 'connectCard.update', { privacyUrl: 'our website' });
  expect(refused.status).toBe(400);
  expect(refused.text).toContain('Enter a web address starting with https://');

  // The welcome text, with a merge field from the menu; tags; no prayer question.
  await welcome.fill('Hi ');
  await form.getByRole('button', { name: 'Insert a field' }).click();
  await form.getByRole('button', { name: 'First name (or “friend”)' }).click();
  await expect(welcome).toHaveValue('Hi {first_name|friend}');
  await expect(welcome).toBeFocused();
  await welcome.press('End');
  await welcome.pressSequentially(', welcome to our church!');
  await expect(welcome).toHaveValue('Hi {first_name|friend}, welcome to our church!');
  await expect(welcome).toHaveAttribute('aria-invalid', 'false');
  await expect(form.getByTestId('segment-counter')).toHaveAttribute('data-segments', '1');
  await form.getByLabel('Tags for everyone').fill('guest, newcomer');
  await form.getByLabel('Extra tag for first-time guests').fill('first visit');
  await form.getByLabel('Ask “How can we pray for you?”').uncheck();
  await privacy.fill('https://example.org/privacy');
  await form.getByRole('button', { name: 'Save settings' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Saved.' })).toBeVisible();

  // Kept: a fresh page shows what was saved.
  await open(page, '/connect-card');
  await expect(welcome).toHaveValue('Hi {first_name|friend}, welcome to our church!');
  await expect(form.getByLabel('Tags for everyone')).toHaveValue('guest, newcomer');
  await expect(form.getByLabel('Extra tag for first-time guests')).toHaveValue('first visit');
  await expect(form.getByLabel('Ask “How can we pray for you?”')).not.toBeChecked();
  await expect(form.getByLabel('Card is on')).toBeChecked();
  await expect(privacy).toHaveValue('https://example.org/privacy');
  const saved = await trpcQuery(page.request, 'connectCard.get');
  expect(saved.data.settings).toMatchObject({
    enabled: true,
    welcomeText: 'Hi {first_name|friend}, welcome to our church!',
    tags: ['guest', 'newcomer'],
    firstVisitTag: 'first visit',
    prayerField: false,
    privacyUrl: 'https://example.org/privacy',
  });

  // Turning the card off says so beside the address; blanking a field means none.
  await form.getByLabel('Card is on').uncheck();
  await privacy.fill('');
  await form.getByRole('button', { name: 'Save settings' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Saved.' })).toBeVisible();
  await expect(page.getByText('The card is off')).toBeVisible();
  const off = await trpcQuery(page.request, 'connectCard.get');
  expect(off.data.settings).toMatchObject({ enabled: false, privacyUrl: null });

  // The weekly counts: twelve weeks, none yet.
  const weeks = page.getByRole('region', { name: 'Cards sent in' });
  await expect(weeks.getByTestId('card-total')).toHaveText('0');
  await expect(weeks.getByTestId('card-first-visits')).toHaveText('0');
  const chart = weeks.getByRole('table', { name: 'Connect cards sent in per week, last 12 weeks' });
  await expect(chart.getByRole('row')).toHaveCount(13);

  // 390 px wide: nothing makes the page scroll sideways.
  await page.setViewportSize({ width: 390, height: 844 });
  await open(page, '/connect-card');
  await expect(page.getByTestId('connect-card-qr')).toBeVisible();
  expect(await fitsSideways(page)).toBe(true);
});

test('staff see the card and its settings but cannot change them; the page fits a phone', async ({
  page,
  browser,
  baseURL,
}) => {
  test.setTimeout(90_000);
  await signUp(page, newChurch('Carmel'));
  const set = await trpcMutation(page.request, 'connectCard.update', { tags: ['guest'], welcomeText: 'Welcome!' });
  expect(set.status, set.text).toBe(200);
  const staff = await staffOnPhone(page, browser, baseURL);

  await openSection(staff, 'Connect card');
  await expect(staff).toHaveURL(/\/connect-card$/);
  await expect(staff.getByRole('link', { name: /Open the connect card/ })).toHaveAttribute('href', /\/c\/[a-z0-9-]+$/);
  await expect(staff.getByTestId('connect-card-qr')).toBeVisible();

  const form = settingsForm(staff);
  await expect(form.getByText('Only admins and the owner can change')).toBeVisible();
  await expect(form.getByLabel('Welcome text')).toHaveValue('Welcome!');
  await expect(form.getByLabel('Tags for everyone')).toHaveValue('guest');
  for (const label of ['Card is on', 'Welcome text', 'Tags for everyone', 'Privacy note link (optional)'])
    await expect(form.getByLabel(label)).toBeDisabled();
  await expect(form.getByRole('button', { name: 'Insert a field' })).toHaveCount(0);
  await expect(staff.getByRole('button', { name: 'Save settings' })).toHaveCount(0);
  expect(await fitsSideways(staff)).toBe(true);

  const refused = await trpcMutation(staff.request, 'connectCard.update', { enabled: false });
  expect(refused.status).toBe(403);
  expect(refused.error?.data.code).toBe('FORBIDDEN');
  await staff.context().close();
  const still = await trpcQuery(page.request, 'connectCard.get');
  expect(still.data.settings.enabled).toBe(true);
});
