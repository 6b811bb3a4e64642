import { expect, test, type Page } from '@playwright/test';
import { fitsWidth, noSeriousAxeViolations } from './page-checks';
import { mainNav, newChurch, open, signUp, trpcMutation } from './support';

/**
 * Every page of the app, at a desktop's width and a phone's: nothing scrolls sideways, and axe finds no serious or
 * critical issue — on the page, and with each of its "Add" dialogs open. Flows are tested in their own specs; this
 * one makes sure no page is left out of the two checks.
 */

const SIZES = [
  { width: 1280, height: 800 },
  { width: 390, height: 844 },
];

/** Each page, and the buttons on it that open a dialog. */
type Checked = { path: string; heading: RegExp; dialogs?: string[] };
const PAGES: Checked[] = [
  { path: '/dashboard', heading: /^Welcome/ },
  { path: '/get-ready', heading: /./ },
  { path: '/inbox', heading: /^Inbox/ },
  { path: '/members', heading: /^Members/, dialogs: ['Add member'] },
  { path: '/segments', heading: /^Segments/, dialogs: ['Add segment'] },
  { path: '/branches', heading: /^Branches/, dialogs: ['Add branch'] },
  { path: '/connect-card', heading: /^Connect card/ },
  { path: '/broadcasts', heading: /^Broadcasts/ },
  { path: '/keywords', heading: /^Keywords/, dialogs: ['Add keyword'] },
  { path: '/automations', heading: /^Automations/ },
  { path: '/automations/new', heading: /./ },
  { path: '/templates', heading: /^Templates/, dialogs: ['Add template'] },
  { path: '/settings', heading: /^Settings/, dialogs: ['Add field'] },
  { path: '/settings/billing', heading: /^Billing/ },
  { path: '/team', heading: /^Team/ },
  { path: '/activity', heading: /^Activity/ },
  { path: '/account', heading: /^Account/ },
];

async function checkPage(page: Page, what: string) {
  await test.step(what, async () => {
    await fitsWidth(page);
    await noSeriousAxeViolations(page);
  });
}

test('every page and its dialogs fit a phone and a desktop, with no serious accessibility issue', async ({ page }) => {
  test.setTimeout(240_000);
  await signUp(page, newChurch('Every'));
  // Something in the lists, so rows and cards are checked as well as empty states.
  const member = await trpcMutation(page.request, 'members.create', {
    firstName: 'Ada',
    lastName: 'Lovelace',
    phone: '+1 615 555 0142',
    email: 'ada@example.org',
    tags: ['choir'],
  });
  expect(member.status, member.text).toBe(200);
  const memberPage: Checked = { path: `/members/${member.data.id}`, heading: /^Ada Lovelace/ };
  for (const size of SIZES) {
    await page.setViewportSize(size);
    for (const { path, heading, dialogs = [] } of [...PAGES, memberPage]) {
      await open(page, path);
      await expect(page.getByRole('heading', { level: 1, name: heading })).toBeVisible();
      await checkPage(page, `${path} at ${size.width} px`);
      for (const name of dialogs) {
        await page.getByRole('button', { name, exact: true }).first().click();
        const dialog = page.getByRole('dialog');
        await expect(dialog).toBeVisible();
        await checkPage(page, `${path}: "${name}" at ${size.width} px`);
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
