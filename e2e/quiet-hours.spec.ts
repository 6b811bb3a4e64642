import { expect, test } from '@playwright/test';
import { addMember, buyNumber, newChurch, open, randomUsNumber, signUp, trpcMutation } from './support';

/**
 * Quiet hours, set around the hour the test runs at in the church's timezone (the wizard's America/New_York): the
 * broadcast composer says who would wait, and a reply from the inbox asks before it goes. Then the settings page, on a
 * phone.
 */
const hourInNewYork = () =>
  Number(
    new Intl.DateTimeFormat('en-US', { timeZone: 'America/New_York', hour: 'numeric', hourCycle: 'h23' }).format(
      new Date(),
    ),
  );
const clock = (h: number) => `${String((h + 24) % 24).padStart(2, '0')}:00`;

test('inside quiet hours the composer says who waits, and a reply from the inbox asks first', async ({ page }) => {
  test.setTimeout(120_000);
  await signUp(page, newChurch('Quietdesk'), { quietHours: true });
  await buyNumber(page.request);
  const hour = hourInNewYork();
  const window = { enabled: true, startMinute: ((hour + 23) % 24) * 60, endMinute: ((hour + 2) % 24) * 60 };
  expect((await trpcMutation(page.request, 'church.updateQuietHours', window)).status).toBe(200);
  const ruth = await addMember(page, { firstName: 'Ruth', lastName: 'Moab', phone: randomUsNumber() });

  await open(page, '/broadcasts');
  await page.getByRole('textbox', { name: 'Message', exact: true }).fill('Picnic on Saturday');
  await expect(page.getByTestId('quiet-hours-note')).toHaveText(
    `1 person is inside quiet hours then (${clock(hour - 1)} to ${clock(hour + 2)}, their time): they get it at ` +
      `${clock(hour + 2)} their time.`,
  );

  await open(page, `/inbox?member=${ruth.id}`);
  await page.getByRole('textbox', { name: 'Message to Ruth' }).fill('Are you free to help on Saturday?');
  await page.getByRole('button', { name: 'Send', exact: true }).click();
  const ask = page.getByRole('dialog', { name: 'Send during quiet hours?' });
  await expect(ask).toContainText(`inside your quiet hours (${clock(hour - 1)} to ${clock(hour + 2)})`);
  await ask.getByRole('button', { name: 'Not now' }).click();
  await expect(ask).toBeHidden();
  await expect(page.getByRole('textbox', { name: 'Message to Ruth' })).toHaveValue('Are you free to help on Saturday?');

  await page.getByRole('button', { name: 'Send', exact: true }).click();
  await ask.getByRole('button', { name: 'Send anyway' }).click();
  const sent = page
    .getByRole('log', { name: 'Messages with Ruth Moab' })
    .getByTestId('message')
    .filter({ hasText: 'Are you free to help on Saturday?' });
  await expect(sent).toHaveAttribute('data-status', 'sent');

  // Sent now, the broadcast holds Ruth's text: the list counts it, and her thread says until when.
  await open(page, '/broadcasts');
  await page.getByRole('textbox', { name: 'Message', exact: true }).fill('Picnic on Saturday');
  await expect(page.getByTestId('quiet-hours-note')).toBeVisible();
  await page.getByRole('button', { name: 'Send now…' }).click();
  await page.getByRole('dialog', { name: 'Text 1 person now?' }).getByRole('button', { name: 'Send now' }).click();
  const item = page.getByRole('list', { name: 'Broadcasts' }).getByTestId('broadcast');
  await expect(item.getByTestId('count-held')).toHaveText('1');
  await expect(item).toHaveAttribute('data-state', 'sending');
  await open(page, `/inbox?member=${ruth.id}`);
  const held = page
    .getByRole('log', { name: 'Messages with Ruth Moab' })
    .getByTestId('message')
    .filter({ hasText: 'Picnic on Saturday' });
  await expect(held).toHaveAttribute('data-status', 'queued');
  await expect(held.getByTestId('message-held')).toContainText('held for quiet hours, until');
});

test('quiet hours are set in Settings, and the panel fits a phone', async ({ browser, baseURL }) => {
  const context = await browser.newContext({ baseURL, viewport: { width: 390, height: 844 } });
  const page = await context.newPage();
  await signUp(page, newChurch('Quietphone'), { quietHours: true });
  await open(page, '/settings');
  const panel = page.getByRole('region', { name: 'Quiet hours' });
  await expect(panel.getByLabel('Hold broadcasts during quiet hours')).toBeChecked();
  await expect(panel.getByLabel('From')).toHaveValue('21:00');
  await expect(panel.getByLabel('Until')).toHaveValue('08:00');
  await panel.getByLabel('Until').fill('21:00');
  await panel.getByRole('button', { name: 'Save quiet hours' }).click();
  await expect(panel.getByLabel('Until')).toHaveAccessibleDescription(
    'Quiet hours must start and end at different times',
  );
  await panel.getByLabel('From').fill('22:30');
  await panel.getByLabel('Until').fill('07:00');
  await panel.getByRole('button', { name: 'Save quiet hours' }).click();
  await expect(panel.getByText('Saved.')).toBeVisible();
  await page.reload();
  await expect(panel.getByLabel('From')).toHaveValue('22:30');
  const [scroll, client] = await page.evaluate(() => [
    document.documentElement.scrollWidth,
    document.documentElement.clientWidth,
  ]);
  expect(scroll).toBeLessThanOrEqual(client);
  await context.close();
});
