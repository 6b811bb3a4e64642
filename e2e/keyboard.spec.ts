import { expect, test, type Locator, type Page } from '@playwright/test';
import { buyNumber, mainNav, newChurch, open, randomUsNumber, signUp } from './support';

/**
 * Everything done with the keyboard alone (Tab, Shift+Tab, Enter, Space, Escape, the arrow keys and typing; no clicks
 * and no fills), and at every stop the focus is visible: an outline, or a ring (a box shadow the element has only
 * while focused). The set-up (the church and its sending number) goes through the API, as in the other specs.
 */

/** Whether focus can be seen on the focused element, and whether it is `target`'s. */
async function focusOn(target: Locator) {
  return target.evaluate((el) => {
    const focused = document.activeElement;
    if (!focused || focused === document.body) return { reached: false, visible: false, what: 'nothing' };
    const drawn = (s: CSSStyleDeclaration) =>
      s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 1 && s.outlineColor !== 'rgba(0, 0, 0, 0)';
    const style = getComputedStyle(focused);
    // An outline on the element, or on a pseudo-element stretched over its card.
    let visible = [style, getComputedStyle(focused, '::after'), getComputedStyle(focused, '::before')].some(drawn);
    if (!visible && style.boxShadow !== 'none' && focused.parentNode) {
      // A ring is a box shadow the same element does not have unfocused: compare with an unfocused copy of it.
      const copy = focused.cloneNode(false) as Element;
      copy.removeAttribute('id');
      focused.parentNode.insertBefore(copy, focused);
      visible = getComputedStyle(copy).boxShadow !== style.boxShadow;
      copy.remove();
    }
    const label = (focused as HTMLInputElement).labels?.[0]?.textContent;
    const name = (focused.getAttribute('aria-label') ?? label ?? focused.textContent ?? '').trim().slice(0, 40);
    const type = focused.getAttribute('type');
    const what = `${focused.tagName.toLowerCase()}${type ? `[${type}]` : ''} "${name}"`;
    return { reached: focused === el, visible, what };
  });
}

/** The focused element shows its focus. */
async function expectVisibleFocus(page: Page) {
  const state = await focusOn(page.locator(':focus'));
  expect(state.visible, `focus is visible on ${state.what}`).toBe(true);
}

/** Press Tab (or Shift+Tab) until `target` has focus, checking at every stop that focus can be seen. */
async function tabTo(page: Page, target: Locator, { back = false, max = 80 } = {}) {
  await expect(target).toBeVisible();
  for (let i = 0; i < max; i++) {
    await page.keyboard.press(back ? 'Shift+Tab' : 'Tab');
    const state = await focusOn(target);
    expect(state.visible, `focus is visible on ${state.what}`).toBe(true);
    if (state.reached) return;
  }
  throw new Error(`${target} was not reached in ${max} presses of ${back ? 'Shift+Tab' : 'Tab'}`);
}

test('a member added, opened and texted, a broadcast scheduled and the phone menu used, by keyboard alone', async ({
  page,
}) => {
  test.setTimeout(90_000);
  await page.setViewportSize({ width: 1280, height: 800 });
  await signUp(page, newChurch('Keys'));
  await buyNumber(page.request);
  const main = page.getByRole('main');

  // Add a member through the dialog: Enter opens it, focus starts on the first field, arrows choose the consent.
  await open(page, '/members');
  await tabTo(page, main.getByRole('button', { name: 'Add member', exact: true }));
  await page.keyboard.press('Enter');
  const dialog = page.getByRole('dialog', { name: 'Add member' });
  await expect(dialog.getByLabel('First name')).toBeFocused();
  await expectVisibleFocus(page);
  await page.keyboard.type('Lydia');
  await tabTo(page, dialog.getByLabel('Last name'));
  await page.keyboard.type('Purpura');
  await tabTo(page, dialog.getByLabel('Mobile phone'));
  const phone = randomUsNumber();
  await page.keyboard.type(phone);
  await tabTo(page, dialog.getByRole('radio', { name: /^Not opted in yet/ }));
  await page.keyboard.press('ArrowDown');
  await expect(dialog.getByRole('radio', { name: /^They agreed to receive texts/ })).toBeChecked();
  await tabTo(page, dialog.getByLabel('How did they agree?'));
  await page.keyboard.type('signed up at the welcome desk');
  await page.keyboard.press('Enter');
  await expect(page.getByRole('status').filter({ hasText: 'Lydia Purpura was added.' })).toBeVisible();
  await expect(dialog).toBeHidden();

  // Open their page from the list, then the inbox from there, and text them (Space presses Send).
  await tabTo(page, page.getByRole('table', { name: 'Members' }).getByRole('link', { name: 'Lydia Purpura' }));
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/\/members\/[0-9a-f-]{36}$/);
  await expect(page.getByRole('heading', { level: 1, name: 'Lydia Purpura' })).toBeVisible();
  await tabTo(page, main.getByRole('link', { name: 'Send a text' }));
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/\/inbox\?member=/);
  await tabTo(page, page.getByRole('textbox', { name: 'Message to Lydia' }));
  await page.keyboard.type('Welcome, Lydia! See you on Sunday.');
  await tabTo(page, main.getByRole('button', { name: 'Send', exact: true }));
  await page.keyboard.press('Space');
  await expect(page).toHaveURL(/\/inbox\?c=[0-9a-f-]{36}$/);
  const sent = page
    .getByRole('log', { name: 'Messages with Lydia Purpura' })
    .getByTestId('message')
    .filter({ hasText: 'Welcome, Lydia! See you on Sunday.' });
  await expect(sent).toHaveAttribute('data-status', 'sent');

  // Schedule a broadcast: to Broadcasts through the menu, the arrow keys choose "Schedule for later", and the
  // confirmation (focus on its first button) is answered from the keyboard too.
  await tabTo(page, mainNav(page).getByRole('link', { name: 'Broadcasts', exact: true }), { back: true });
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/\/broadcasts$/);
  const compose = page.getByRole('region', { name: 'New broadcast' });
  await tabTo(page, compose.getByRole('textbox', { name: 'Message' }));
  await page.keyboard.type('Harvest supper on Friday at 6');
  await tabTo(page, compose.getByRole('radio', { name: 'Send now' }));
  await page.keyboard.press('ArrowRight');
  await expect(compose.getByRole('radio', { name: 'Schedule for later' })).toBeChecked();
  await expect(compose.getByLabel('Send at')).not.toHaveValue('');
  await tabTo(page, compose.getByRole('button', { name: 'Schedule…' }));
  await page.keyboard.press('Enter');
  const confirm = page.getByRole('dialog', { name: /^Schedule / });
  await expect(confirm.getByRole('button', { name: 'Cancel' })).toBeFocused();
  await expectVisibleFocus(page);
  await tabTo(page, confirm.getByRole('button', { name: 'Schedule', exact: true }));
  await page.keyboard.press('Enter');
  await expect(page.getByRole('status').filter({ hasText: /^Broadcast scheduled for / })).toBeVisible();
  await expect(confirm).toBeHidden();

  // On a phone: the Menu button opens the list, Escape closes it (focus back on the button), and a section is chosen.
  await page.setViewportSize({ width: 390, height: 844 });
  const toggle = mainNav(page).getByRole('button', { name: 'Menu · Broadcasts' });
  await tabTo(page, toggle, { back: true });
  await page.keyboard.press('Enter');
  await expect(toggle).toHaveAttribute('aria-expanded', 'true');
  await tabTo(page, mainNav(page).getByRole('link', { name: 'Dashboard', exact: true }));
  await page.keyboard.press('Escape');
  await expect(toggle).toHaveAttribute('aria-expanded', 'false');
  await expect(toggle).toBeFocused();
  await expectVisibleFocus(page);
  await page.keyboard.press('Enter');
  await tabTo(page, mainNav(page).getByRole('link', { name: 'Templates', exact: true }));
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/\/templates$/);
  await expect(mainNav(page).getByRole('button', { name: 'Menu · Templates' })).toHaveAttribute(
    'aria-expanded',
    'false',
  );
});
