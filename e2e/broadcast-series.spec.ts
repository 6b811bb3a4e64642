import { expect, test, type Page } from '@playwright/test';
import { fitsPhoneWithoutSeriousAxeViolations } from './page-checks';
import { addMember, buyNumber, newChurch, open, randomUsNumber, signUp } from './support';

/**
 * Repeating broadcasts on /broadcasts, on a phone: an admin writes "see you tomorrow" to go out every Saturday at
 * 17:00 (church time, New York) until a date, sees the series in words and its next dates before saving and after,
 * skips a date and undoes it; each date is a broadcast in the list, marked as part of its series.
 */

const phone = { width: 390, height: 844 };
const NY = 'America/New_York';

/** The church's calendar date `days` from today ("2027-02-01"). */
function churchDate(days: number): string {
  const today = new Intl.DateTimeFormat('en-CA', { timeZone: NY }).format(new Date());
  const [y, m, d] = today.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

/** "1 Feb 2027", as the page says a date. */
function words(date: string): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  return `${d} ${months[m - 1]} ${y}`;
}

const seriesItem = (page: Page) => page.getByRole('list', { name: 'Repeating broadcasts' }).getByTestId('series');
const broadcastItems = (page: Page) => page.getByRole('list', { name: 'Broadcasts' }).getByTestId('broadcast');

test('an admin repeats a broadcast every Saturday at 17:00 until a date, sees its dates and skips one', async ({
  page,
}) => {
  test.setTimeout(150_000);
  await page.setViewportSize(phone);
  await signUp(page, newChurch('Bethany')); // the wizard chooses America/New_York
  await buyNumber(page.request);
  await addMember(page, { firstName: 'Martha', lastName: 'Lazarus', phone: randomUsNumber() });

  await open(page, '/broadcasts');
  await page.getByRole('textbox', { name: 'Message', exact: true }).fill('See you tomorrow! Service at 10.');
  await expect(page.getByTestId('broadcast-preview')).toHaveAttribute('data-recipients', '1');

  // Repeat: weekly on Saturday at 17:00, church time.
  await page.getByLabel('Repeat', { exact: true }).selectOption({ label: 'Weekly, on chosen days' });
  await expect(page.getByRole('radio', { name: 'Send now' })).toBeHidden(); // a repeat has its own dates
  await expect(page.getByText('Choose the days and dates to see when it goes out.')).toBeVisible();
  const until = page.getByLabel('Until');
  await expect(until).toHaveAccessibleDescription(
    `Required. At most a year ahead: on or before ${words(churchDate(365))}.`,
  );
  await expect(page.getByLabel('Starting')).toHaveValue(churchDate(0));
  await expect(page.getByLabel('At', { exact: true })).toHaveAccessibleDescription(`Church time (${NY})`);

  // Sent without a day or an end: said beside each field.
  await page.getByRole('button', { name: 'Schedule repeats…' }).click();
  await expect(page.getByText('Choose at least one day of the week')).toBeVisible();
  await expect(until).toHaveAccessibleDescription('Choose the date it ends (at most a year ahead)');

  await page.getByRole('checkbox', { name: 'Saturday' }).check();
  await page.getByLabel('At', { exact: true }).fill('17:00');
  // More than a year ahead: the server says how far it may go, beside the field.
  await until.fill(churchDate(400));
  await expect(until).toHaveAccessibleDescription(`End within a year: on ${words(churchDate(365))} at the latest.`);
  await until.fill(churchDate(70));

  const preview = page.getByTestId('repeat-preview');
  await expect(page.getByTestId('repeat-description')).toHaveText(
    `Every Saturday at 17:00 until ${words(churchDate(70))}`,
  );
  const nextDates = preview.getByRole('list', { name: 'Next dates' }).getByRole('listitem');
  await expect(nextDates).toHaveCount(5);
  for (const d of await nextDates.allTextContents()) expect(d).toMatch(/^Sat \d{1,2} [A-Z][a-z]{2} \d{4}, 17:00$/);
  const [firstDate, secondDate] = await nextDates.allTextContents();
  await expect(preview).toContainText(`Next, in church time (${NY})`);
  await fitsPhoneWithoutSeriousAxeViolations(page);

  await page.getByRole('button', { name: 'Schedule repeats…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Repeat a text to 1 person?' });
  await expect(dialog.getByTestId('confirm-repeat')).toContainText(
    `Every Saturday at 17:00 until ${words(churchDate(70))}`,
  );
  await expect(dialog).toContainText(`First: ${firstDate}, church time (${NY})`);
  await dialog.getByRole('button', { name: 'Schedule repeats', exact: true }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByRole('status').filter({ hasText: 'Repeating broadcast saved' })).toBeVisible();
  await expect(page.getByRole('textbox', { name: 'Message', exact: true })).toHaveValue('');

  // The series, in words, with its next dates; its first date is a scheduled broadcast marked as part of it.
  const series = seriesItem(page);
  await expect(series).toHaveCount(1);
  await expect(series.getByTestId('series-description')).toHaveText(
    `Every Saturday at 17:00 until ${words(churchDate(70))}`,
  );
  await expect(series.getByTestId('series-status')).toHaveText('Repeating');
  await expect(series.getByTestId('series-audience')).toHaveText('Everyone');
  const occurrences = series.getByTestId('occurrence');
  await expect(occurrences).toHaveCount(5);
  await expect(occurrences.first()).toContainText(firstDate!);
  const items = broadcastItems(page);
  await expect(items).toHaveCount(1);
  await expect(items.first()).toHaveAttribute('data-state', 'scheduled');
  await expect(items.first().getByTestId('broadcast-series')).toHaveText('↻ Repeats: Every Saturday at 17:00');

  // Skip the second date: marked, with an undo; the first is untouched.
  await series.getByRole('button', { name: `Skip ${secondDate}` }).click();
  await expect(page.getByRole('status').filter({ hasText: `${secondDate} will be skipped` })).toBeVisible();
  await expect(occurrences.nth(1)).toHaveAttribute('data-skipped', 'true');
  await expect(occurrences.nth(0)).toHaveAttribute('data-skipped', 'false');
  await expect(series.getByRole('button', { name: `Undo skip of ${secondDate}` })).toBeVisible();
  await fitsPhoneWithoutSeriousAxeViolations(page);

  // Skip the first, already scheduled: its broadcast is cancelled and the next date that goes out is scheduled.
  await series.getByRole('button', { name: `Skip ${firstDate}` }).click();
  await expect(occurrences.nth(0)).toHaveAttribute('data-skipped', 'true');
  await expect(items).toHaveCount(2);
  await expect(page.getByRole('list', { name: 'Broadcasts' }).locator('[data-state="canceled"]')).toHaveCount(1);
  await expect(page.getByRole('list', { name: 'Broadcasts' }).locator('[data-state="scheduled"]')).toHaveCount(1);

  // Undo the first skip: scheduled again.
  await series.getByRole('button', { name: `Undo skip of ${firstDate}` }).click();
  await expect(occurrences.nth(0)).toHaveAttribute('data-skipped', 'false');
  await expect(page.getByRole('list', { name: 'Broadcasts' }).locator('[data-state="scheduled"]')).toHaveCount(2);

  // Stop the series: its scheduled dates are cancelled and no more dates are offered.
  await series.getByRole('button', { name: /^Stop the series/ }).click();
  const stop = page.getByRole('dialog', { name: 'Stop this repeating broadcast?' });
  await stop.getByRole('button', { name: 'Stop the series' }).click();
  await expect(stop).toBeHidden();
  await expect(series.getByTestId('series-status')).toHaveText('Stopped');
  await expect(occurrences).toHaveCount(0);
  await expect(page.getByRole('list', { name: 'Broadcasts' }).locator('[data-state="scheduled"]')).toHaveCount(0);
  await fitsPhoneWithoutSeriousAxeViolations(page);
});
