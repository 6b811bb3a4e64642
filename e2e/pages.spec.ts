import { expect, test, type Locator, type Page } from '@playwright/test';
import { fitsWidth, noRawPhoneNumbers, noSeriousAxeViolations, touchSizedTargets } from './page-checks';
import { addMember, buyNumber, mainNav, newChurch, open, randomUsNumber, signUp, trpcMutation } from './support';

/**
 * Every page of the app, at a desktop's width and a phone's: nothing scrolls sideways, and axe finds no serious or
 * critical issue — on the page, and with each of its dialogs open (add, edit and the confirmations); on the phone every
 * control is big enough to touch (WCAG 2.2's 24 px); and phone numbers are shown formatted, never in E.164. Flows are
 * tested in their own specs; this one makes sure no page or dialog is left out of the checks.
 */

const SIZES = [
  { width: 1280, height: 800 },
  { width: 390, height: 844 },
];

/** Each page, the buttons on it that open a dialog (by their whole name, or a pattern), and what shows it loaded. */
type Checked = {
  path: string;
  heading: RegExp;
  dialogs?: (string | RegExp)[];
  ready?: (page: Page) => Locator;
};
const PAGES: Checked[] = [
  { path: '/dashboard', heading: /^Welcome/ },
  { path: '/get-ready', heading: /./ },
  { path: '/inbox', heading: /^Inbox/ },
  { path: '/members', heading: /^Members/, dialogs: ['Add member', 'Edit Ada Lovelace', 'Delete Ada Lovelace'] },
  { path: '/segments', heading: /^Segments/, dialogs: ['Add segment'] },
  { path: '/branches', heading: /^Branches/, dialogs: ['Add branch'] },
  { path: '/connect-card', heading: /^Connect card/ },
  { path: '/broadcasts', heading: /^Broadcasts/, dialogs: [/^Cancel the broadcast to /] },
  { path: '/keywords', heading: /^Keywords/, dialogs: ['Add keyword', 'Edit JOIN', 'Delete JOIN'] },
  { path: '/automations', heading: /^Automations/ },
  { path: '/automations/new', heading: /./ },
  { path: '/templates', heading: /^Templates/, dialogs: ['Add template', 'Edit Welcome'] },
  { path: '/settings', heading: /^Settings/, dialogs: ['Add field', /^Release /] },
  { path: '/settings/billing', heading: /^Billing/ },
  { path: '/team', heading: /^Team/ },
  { path: '/activity', heading: /^Activity/ },
  { path: '/account', heading: /^Account/ },
];

/** The checks, on the page or (`within`) on the dialog open on it. */
async function checkPage(page: Page, what: string, phone: boolean, within?: string) {
  await test.step(what, async () => {
    await fitsWidth(page);
    await noSeriousAxeViolations(page, within);
    if (phone) await touchSizedTargets(page);
    if (!within) await noRawPhoneNumbers(page);
  });
}

async function ok(page: Page, path: string, input: unknown) {
  const res = await trpcMutation(page.request, path, input);
  expect(res.status, res.text).toBe(200);
  return res.data;
}

test('every page and its dialogs fit a phone and a desktop, with no serious accessibility issue', async ({ page }) => {
  test.setTimeout(300_000);
  await signUp(page, newChurch('Every'));
  // Something in the lists, so rows, cards and their edit and delete dialogs are checked as well as empty states: a
  // sending number (a scheduled broadcast needs one), a member who agreed to texts and a text to them (a conversation,
  // its thread checked too), a template, a keyword, and a broadcast for tomorrow (its Cancel asks first).
  await buyNumber(page.request);
  const member = await addMember(page, { firstName: 'Ada', lastName: 'Lovelace', phone: randomUsNumber() });
  await ok(page, 'members.update', { id: member.id, email: 'ada@example.org', tags: ['choir'] });
  const sent = await ok(page, 'messages.send', { memberId: member.id, body: 'Welcome, Ada!' });
  await ok(page, 'templates.create', { name: 'Welcome', body: 'Welcome to church, {first_name|friend}!' });
  await ok(page, 'keywords.create', { keyword: 'JOIN', reply: 'Welcome! Reply STOP to opt out.' });
  const tomorrow = new Date(Date.now() + 86_400_000).toISOString();
  await ok(page, 'broadcasts.create', { body: 'See you Sunday', audience: { type: 'all' }, scheduledAt: tomorrow });
  const seeded: Checked[] = [
    { path: `/members/${member.id}`, heading: /^Ada Lovelace/, dialogs: ['Edit'] },
    {
      path: `/inbox?c=${sent.conversationId}`,
      heading: /^Inbox/,
      ready: (page) => page.getByRole('log', { name: 'Messages with Ada Lovelace' }).getByTestId('message'),
    },
  ];
  for (const size of SIZES) {
    await page.setViewportSize(size);
    const phone = size.width < 640;
    for (const { path, heading, dialogs = [], ready } of [...PAGES, ...seeded]) {
      await open(page, path);
      await expect(page.getByRole('heading', { level: 1, name: heading })).toBeVisible();
      if (ready) await expect(ready(page)).toBeVisible();
      await checkPage(page, `${path} at ${size.width} px`, phone);
      for (const name of dialogs) {
        await page.getByRole('main').getByRole('button', { name, exact: true }).first().click();
        const dialog = page.getByRole('dialog');
        await expect(dialog).toBeVisible();
        await checkPage(page, `${path}: "${name}" at ${size.width} px`, phone, 'dialog[open]');
        await page.keyboard.press('Escape');
        await expect(dialog).toHaveCount(0);
      }
    }
  }
});

test('on a phone the Menu button shows every section, touch-sized; on a desktop all are in view', async ({ page }) => {
  await signUp(page, newChurch('Menu'));
  const sections = ['Dashboard', 'Inbox', 'Members', 'Segments', 'Branches', 'Connect card', 'Broadcasts'];
  const more = ['Keywords', 'Automations', 'Templates', 'Settings', 'Team', 'Activity', 'Account'];
  const nav = mainNav(page);

  // Desktop: a sidebar, every section visible, no button to open.
  for (const name of [...sections, ...more]) await expect(nav.getByRole('link', { name, exact: true })).toBeVisible();
  await expect(nav.getByRole('button', { name: /^Menu/ })).toBeHidden();

  // Phone: one button, saying where you are; it opens the whole list.
  await page.setViewportSize({ width: 390, height: 844 });
  const toggle = nav.getByRole('button', { name: 'Menu · Dashboard' });
  await expect(toggle).toHaveAttribute('aria-expanded', 'false');
  await expect(nav.getByRole('link', { name: 'Members', exact: true })).toBeHidden();
  await toggle.click();
  await expect(toggle).toHaveAttribute('aria-expanded', 'true');
  for (const name of [...sections, ...more]) {
    const link = nav.getByRole('link', { name, exact: true });
    await expect(link).toBeVisible();
    expect((await link.boundingBox())!.height, `${name} is touch-sized`).toBeGreaterThanOrEqual(44);
  }
  await fitsWidth(page);
  await noSeriousAxeViolations(page);
  // Escape closes it; choosing a section goes there and closes it.
  await page.keyboard.press('Escape');
  await expect(toggle).toHaveAttribute('aria-expanded', 'false');
  await toggle.click();
  await nav.getByRole('link', { name: 'Templates', exact: true }).click();
  await expect(page).toHaveURL(/\/templates$/);
  await expect(nav.getByRole('button', { name: 'Menu · Templates' })).toHaveAttribute('aria-expanded', 'false');
  await expect(nav.getByRole('link', { name: 'Templates', exact: true })).toBeHidden();
});
