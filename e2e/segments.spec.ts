import { expect, test, type Locator, type Page } from '@playwright/test';
import { buyNumber, mainNav, newChurch, open, randomUsNumber, signUp, staffOnPhone, trpcMutation } from './support';
import { fitsWidth, noSeriousAxeViolations } from './page-checks';

/**
 * Audiences (/segments): conditions on tags and the church's own fields, counted live, saved as a segment, its
 * members listed, and a broadcast sent to it. Then the same at a phone's width (390 px), where the builder, its
 * dialog and the composer must fit and pass axe, staff only read, and a built audience is saved from the composer.
 */

/** A member with tags and custom-field values (by field id), through the API. */
async function addMember(
  page: Page,
  firstName: string,
  tags: string[],
  fields: Record<string, string>,
  subscribed = true,
) {
  const res = await trpcMutation(page.request, 'members.create', {
    firstName,
    lastName: 'Field',
    phone: randomUsNumber(),
    tags,
    fields,
    ...(subscribed ? { subscription: 'subscribed', consentNote: 'agreed at the welcome desk' } : {}),
  });
  expect(res.status, res.text).toBe(200);
}

async function addField(page: Page, input: { label: string; type: string; options?: string[] }): Promise<string> {
  const res = await trpcMutation(page.request, 'customFields.create', input);
  expect(res.status, res.text).toBe(200);
  return res.data.id;
}

const count = (scope: Page | Locator) => scope.getByTestId('audience-count');

test('an admin builds “youth and Ministry is Choir”, saves it, sees its members and texts it', async ({ page }) => {
  test.setTimeout(120_000);
  await signUp(page, newChurch('Segdesk'));
  await buyNumber(page.request);
  const ministry = await addField(page, { label: 'Ministry', type: 'choice', options: ['Choir', 'Ushers'] });
  await addMember(page, 'Anna', ['youth'], { [ministry]: 'Choir' });
  await addMember(page, 'Boaz', ['youth'], { [ministry]: 'Ushers' });
  await addMember(page, 'Caleb', [], { [ministry]: 'Choir' });
  await addMember(page, 'Dinah', ['youth'], { [ministry]: 'Choir' }, false);

  await mainNav(page).getByRole('link', { name: 'Segments', exact: true }).click();
  await expect(page).toHaveURL(/\/segments$/);
  await expect(page).toHaveTitle(/Segments/);
  await expect(page.getByRole('heading', { name: 'Segments', level: 1 })).toBeVisible();
  await expect(page.getByText('No segments yet')).toBeVisible();

  // The count follows the conditions: everyone, then youth, then youth in the choir.
  await page.getByRole('button', { name: 'Add segment', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: 'Add segment' });
  await expect(count(dialog)).toHaveText('4 members · 3 can be texted');
  await dialog.getByText('Has all of these tags').click();
  await dialog
    .getByRole('group', { name: 'Has all of these tags', exact: true })
    .getByRole('checkbox', { name: 'youth' })
    .check();
  await expect(count(dialog)).toHaveText('3 members · 2 can be texted');
  await dialog.getByRole('button', { name: 'Add a field condition' }).click();
  const condition = dialog.getByRole('group', { name: 'Field condition 1' });
  await condition.getByLabel('Field', { exact: true }).selectOption({ label: 'Ministry' });
  await expect(condition.getByLabel('Comparison')).toHaveValue('is');
  // Unfinished (no value yet): not counted, and not saved.
  await dialog.getByLabel('Name').fill('Youth choir');
  await dialog.getByRole('button', { name: 'Add segment' }).click();
  await expect(condition.getByLabel('Value')).toHaveAccessibleDescription('Enter a value to compare with');
  await condition.getByLabel('Value').selectOption('Choir');
  await expect(count(dialog)).toHaveText('2 members · 1 can be texted');
  await noSeriousAxeViolations(page);
  await dialog.getByRole('button', { name: 'Add segment' }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByRole('status').filter({ hasText: 'Youth choir was added.' })).toBeVisible();
  const row = page.getByRole('list', { name: 'Segments' }).getByTestId('segment');
  await expect(row.getByTestId('segment-words')).toHaveText('Tagged youth · Ministry is Choir');

  // Its members, from the row's link: the list filtered by the segment, which the filter shows.
  await row.getByRole('link', { name: 'See members of Youth choir' }).click();
  await expect(page).toHaveURL(/\/members\?segment=[0-9a-f-]{36}$/);
  await expect(page.getByTestId('member-row')).toHaveCount(2);
  await expect(page.getByTestId('member-row')).toContainText(['Anna Field', 'Dinah Field']);
  await expect(page.getByLabel('Segment').locator('option:checked')).toHaveText('Youth choir');
  await page.getByLabel('Segment').selectOption('');
  await expect(page.getByTestId('member-row')).toHaveCount(4);

  // A broadcast to it: one can be texted, one not opted in; the confirmation and the list name the segment.
  await open(page, '/broadcasts');
  await page.getByRole('textbox', { name: 'Message', exact: true }).fill('Choir practice for the youth tonight');
  await page.getByRole('radio', { name: 'A saved segment' }).check();
  await page.getByLabel('Segment', { exact: true }).selectOption({ label: 'Youth choir' });
  const preview = page.getByTestId('broadcast-preview');
  await expect(preview).toHaveAttribute('data-recipients', '1');
  await expect(preview).toHaveAttribute('data-skipped', '1');
  await page.getByRole('button', { name: 'Send now…' }).click();
  const confirm = page.getByRole('dialog', { name: 'Text 1 person now?' });
  await expect(confirm.getByTestId('confirm-audience')).toHaveText('Segment: Youth choir (1 not opted in, skipped)');
  await confirm.getByRole('button', { name: 'Send now', exact: true }).click();
  await expect(confirm).toBeHidden();
  const item = page.getByRole('list', { name: 'Broadcasts' }).getByTestId('broadcast');
  await expect(item.getByTestId('broadcast-audience')).toHaveText('Segment: Youth choir');
  await expect(item).toHaveAttribute('data-state', 'sent', { timeout: 30_000 });
  await expect(item.getByTestId('count-sent')).toHaveText('1');
});

test.describe('at phone width', () => {
  test.use({ viewport: { width: 390, height: 844 } });

  test('the builder fits a phone and says refused values; staff only read; the composer saves a segment', async ({
    page,
    browser,
    baseURL,
  }) => {
    test.setTimeout(150_000);
    await signUp(page, newChurch('Segphone'));
    const baptised = await addField(page, { label: 'Baptised', type: 'yes_no' });
    const age = await addField(page, { label: 'Age', type: 'number' });
    await addMember(page, 'Eve', ['youth'], { [baptised]: 'yes', [age]: '16' });
    await addMember(page, 'Fay', ['youth', 'choir'], { [baptised]: 'no', [age]: '17' });

    await open(page, '/segments');
    await page.getByRole('button', { name: 'Add segment', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Add segment' });
    await dialog.getByText('Has any of these tags').click();
    await dialog
      .getByRole('group', { name: 'Has any of these tags', exact: true })
      .getByRole('checkbox', { name: 'youth' })
      .check();
    await dialog.getByRole('button', { name: 'Add a field condition' }).click();
    const first = dialog.getByRole('group', { name: 'Field condition 1' });
    await first.getByLabel('Field', { exact: true }).selectOption({ label: 'Baptised' });
    await expect(first.getByLabel('Value')).toHaveValue('yes');
    await expect(count(dialog)).toHaveText('1 member · 1 can be texted');
    // A number the server cannot take (more than 12 digits) is refused in its words, under the conditions.
    await dialog.getByRole('button', { name: 'Add a field condition' }).click();
    const second = dialog.getByRole('group', { name: 'Field condition 2' });
    await second.getByLabel('Field', { exact: true }).selectOption({ label: 'Age' });
    await second.getByLabel('Comparison').selectOption({ label: 'is more than' });
    await second.getByLabel('Value').fill('1234567890123');
    await expect(dialog.getByTestId('audience-problem')).toHaveText('Age: “1234567890123” is not a number');
    await fitsWidth(page);
    await noSeriousAxeViolations(page);
    await second.getByRole('button', { name: 'Remove field condition 2' }).click();
    await expect(count(dialog)).toHaveText('1 member · 1 can be texted');
    await dialog.getByLabel('Name').fill('Baptised youth');
    await dialog.getByRole('button', { name: 'Add segment' }).click();
    await expect(dialog).toBeHidden();
    const row = page.getByRole('list', { name: 'Segments' }).getByTestId('segment');
    await expect(row.getByTestId('segment-words')).toHaveText('Tagged youth · Baptised is Yes');
    await fitsWidth(page);
    await noSeriousAxeViolations(page);

    // Staff see it and its members, and change nothing.
    const staff = await staffOnPhone(page, browser, baseURL);
    await open(staff, '/segments');
    const staffRow = staff.getByRole('list', { name: 'Segments' }).getByTestId('segment');
    await expect(staffRow.getByTestId('segment-words')).toHaveText('Tagged youth · Baptised is Yes');
    await expect(staff.getByRole('button', { name: /^(Add segment|Edit |Delete )/ })).toHaveCount(0);
    await expect(staffRow.getByRole('link', { name: 'See members of Baptised youth' })).toBeVisible();
    await staff.context().close();

    // The composer builds an audience and keeps it as a segment, which it then sends to.
    await open(page, '/broadcasts');
    await page.getByRole('radio', { name: 'Build an audience' }).check();
    const builder = page.getByTestId('audience-builder');
    await builder.getByText('Has all of these tags').click();
    await builder
      .getByRole('group', { name: 'Has all of these tags', exact: true })
      .getByRole('checkbox', { name: 'choir' })
      .check();
    await expect(page.getByTestId('broadcast-preview')).toHaveAttribute('data-recipients', '1');
    await fitsWidth(page);
    await noSeriousAxeViolations(page);
    await page.getByRole('button', { name: 'Save as segment…' }).click();
    const save = page.getByRole('dialog', { name: 'Save as segment' });
    await expect(save).toContainText('Members who meet these conditions: Tagged choir.');
    await save.getByLabel('Segment name').fill('baptised YOUTH');
    await save.getByRole('button', { name: 'Save segment' }).click();
    await expect(save.getByLabel('Segment name')).toHaveAccessibleDescription(
      'You already have a segment called “baptised YOUTH”.',
    );
    await save.getByLabel('Segment name').fill('Choir');
    await save.getByRole('button', { name: 'Save segment' }).click();
    await expect(save).toBeHidden();
    await expect(page.getByRole('radio', { name: 'A saved segment' })).toBeChecked();
    await expect(page.getByLabel('Segment', { exact: true }).locator('option:checked')).toHaveText('Choir');
    await expect(page.getByRole('status').filter({ hasText: 'Saved as “Choir”' })).toBeVisible();
    await expect(page.getByTestId('broadcast-preview')).toHaveAttribute('data-recipients', '1');
    await fitsWidth(page);
  });
});
