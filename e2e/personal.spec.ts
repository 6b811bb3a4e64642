import { expect, test, type Page } from '@playwright/test';
import { addMember, buyNumber, newChurch, open, randomUsNumber, signUp, trpcMutation } from './support';

/**
 * Personal messages: merge fields in a broadcast, previewed for a real recipient and filled in for each one, and a
 * saved template used from the inbox. Run at a desktop width and at a phone's (390 px), where the composer must fit
 * without sideways scrolling.
 */

const widths = [
  ['desktop', { width: 1280, height: 800 }],
  ['phone', { width: 390, height: 844 }],
] as const;

async function fitsWidth(page: Page) {
  const [scroll, client] = await page.evaluate(() => [
    document.documentElement.scrollWidth,
    document.documentElement.clientWidth,
  ]);
  expect(scroll, 'no sideways scrolling').toBeLessThanOrEqual(client);
}

for (const [label, viewport] of widths) {
  test.describe(`at ${label} width`, () => {
    test.use({ viewport });

    test('a broadcast with {first_name|friend} is previewed for a real person, counted by the longest, sent', async ({
      page,
    }) => {
      test.setTimeout(120_000);
      await signUp(page, newChurch(label === 'phone' ? 'Mergephone' : 'Mergedesk'));
      await buyNumber(page.request);
      await addMember(page, { firstName: 'Ann', lastName: 'Lee', phone: randomUsNumber() });
      // ë is not in the GSM-7 alphabet: Zoë's text is UCS-2, 70 characters a segment.
      const zoe = await addMember(page, { firstName: 'Zoë', lastName: 'Ng', phone: randomUsNumber() });

      await open(page, '/broadcasts');
      const box = page.getByRole('textbox', { name: 'Message', exact: true });
      await box.fill('Hi ');
      await page.getByRole('button', { name: 'Insert a field' }).click();
      await page.getByRole('button', { name: 'First name (or “friend”)' }).click();
      await expect(box).toBeFocused();
      await page.keyboard.type(', lunch after the service on Sunday: everyone is welcome, bring a friend!');
      const written = 'Hi {first_name|friend}, lunch after the service on Sunday: everyone is welcome, bring a friend!';
      await expect(box).toHaveValue(written);

      const merged = (name: string) =>
        `Hi ${name}, lunch after the service on Sunday: everyone is welcome, bring a friend!`;
      await expect(page.getByTestId('merge-preview')).toContainText(`Ann Lee gets: ${merged('Ann')}`);
      await expect(page.getByTestId('merge-longest')).toContainText(
        'The longest, Zoë Ng’s, counts as 2 texts (a character in it makes each text shorter)',
      );
      await expect(page.getByTestId('segment-counter')).toHaveAttribute('data-segments', '2');
      await expect(page.getByTestId('segment-counter')).toHaveAttribute('data-encoding', 'UCS-2');
      await expect(page.getByTestId('broadcast-preview')).toContainText('2 people will get it');
      await expect(page.getByTestId('broadcast-preview')).toContainText('2 texts each');
      await fitsWidth(page);

      await page.getByRole('button', { name: 'Send now…' }).click();
      const dialog = page.getByRole('dialog', { name: 'Text 2 people now?' });
      await expect(dialog).toContainText(written);
      await expect(dialog).toContainText(`Ann Lee gets${merged('Ann')}`);
      await dialog.getByRole('button', { name: 'Send now', exact: true }).click();
      await expect(dialog).toBeHidden();

      const item = page.getByRole('list', { name: 'Broadcasts' }).getByTestId('broadcast');
      await expect(item).toHaveAttribute('data-state', 'sent', { timeout: 30_000 });
      await expect(item.getByTestId('count-sent')).toHaveText('2');

      // Zoë's thread holds her own words.
      await open(page, `/inbox?member=${zoe.id}`);
      const thread = page.getByRole('log', { name: 'Messages with Zoë Ng' }).getByTestId('message');
      await expect(thread).toHaveText(new RegExp(merged('Zoë')));
      await expect(thread).not.toContainText('{first_name');
      await fitsWidth(page);
    });

    test('a saved template is used from the inbox, its merge fields filled in for the member', async ({ page }) => {
      test.setTimeout(120_000);
      await signUp(page, newChurch(label === 'phone' ? 'Templatephone' : 'Templatedesk'));
      await buyNumber(page.request);
      const saved = await trpcMutation(page.request, 'templates.create', {
        name: 'Sunday welcome',
        body: 'Welcome, {first_name|friend}! Service starts at 10.',
      });
      expect(saved.status, saved.text).toBe(200);
      const ruth = await addMember(page, { firstName: 'Ruth', lastName: 'Moab', phone: randomUsNumber() });

      await open(page, `/inbox?member=${ruth.id}`);
      const box = page.getByRole('textbox', { name: 'Message to Ruth' });
      await box.fill('Hello! ');
      await page.getByRole('button', { name: 'Use a template' }).click();
      await page.getByRole('button', { name: 'Sunday welcome' }).click();
      await expect(box).toHaveValue('Hello! Welcome, {first_name|friend}! Service starts at 10.');
      await expect(box).toBeFocused();
      await expect(page.getByTestId('merge-preview')).toHaveText(
        'Ruth gets: Hello! Welcome, Ruth! Service starts at 10.',
      );
      await fitsWidth(page);
      await page.getByRole('button', { name: 'Send', exact: true }).click();
      const sent = page
        .getByRole('log', { name: 'Messages with Ruth Moab' })
        .getByTestId('message')
        .filter({ hasText: 'Hello! Welcome, Ruth! Service starts at 10.' });
      await expect(sent).toHaveAttribute('data-status', 'sent');
      await expect(box).toHaveValue('');
    });
  });
}
