import { expect, test, type Page } from '@playwright/test';
import { addMember, mainNav, newChurch, open, signUp } from './support';
import { fitsPhoneWithoutSeriousAxeViolations } from './page-checks';

/** A church's own member fields: defined in Settings, filled in on the member form, offered as merge fields. */

const fieldItem = (page: Page, label: string) =>
  page.getByTestId('custom-field').and(page.locator(`[data-label="${label}"]`));

test('an admin defines fields, fills them in on a member and uses one in a template; it all fits a phone', async ({
  page,
}) => {
  test.setTimeout(120_000);
  await signUp(page, newChurch('Antioch'));
  await addMember(page, { firstName: 'Ruth', lastName: 'Moab', phone: '+12025550163' });

  // Settings: a date field, then a choice field, each shown with its type and merge field.
  await open(page, '/settings');
  const panel = page.getByRole('region', { name: 'Member fields' });
  await expect(panel.getByText('No member fields yet.')).toBeVisible();
  await panel.getByRole('button', { name: 'Add field' }).click();
  const add = page.getByRole('dialog', { name: 'Add member field' });
  await add.getByLabel('Name').fill('Baptism date');
  await expect(add.getByLabel('Name')).toHaveAccessibleDescription(/Texts use it as \{baptism_date\}/);
  await add.getByLabel('Type').selectOption({ label: 'Date' });
  await add.getByRole('button', { name: 'Add field' }).click();
  await expect(add).toBeHidden();
  await expect(page.getByRole('status').filter({ hasText: 'Baptism date was added.' })).toBeVisible();
  await expect(fieldItem(page, 'Baptism date')).toContainText('Date');
  await expect(fieldItem(page, 'Baptism date').getByTestId('custom-field-key')).toHaveText('{baptism_date}');

  await panel.getByRole('button', { name: 'Add field' }).click();
  await add.getByLabel('Name').fill('Ministry team');
  await add.getByLabel('Type').selectOption({ label: 'One of a list' });
  await add.getByLabel('Choices').fill('Worship\nChildren');
  await add.getByRole('button', { name: 'Add field' }).click();
  await expect(add).toBeHidden();
  await expect(fieldItem(page, 'Ministry team').getByTestId('custom-field-options')).toHaveText(
    'Choices: Worship, Children',
  );

  // The member form has a control for each, and a first visit; reopened, it shows what was saved.
  await mainNav(page).getByRole('link', { name: 'Members' }).click();
  await page.getByRole('button', { name: 'Edit Ruth Moab' }).click();
  const edit = page.getByRole('dialog', { name: 'Edit Ruth Moab' });
  await edit.getByLabel('First visit (optional)').fill('2024-03-31');
  await edit.getByLabel('Baptism date').fill('2023-06-04');
  await edit.getByLabel('Ministry team').selectOption('Worship');
  await edit.getByRole('button', { name: 'Save changes' }).click();
  await expect(edit).toBeHidden();
  await expect(page.getByRole('status').filter({ hasText: 'Ruth Moab was saved.' })).toBeVisible();
  await page.getByRole('button', { name: 'Edit Ruth Moab' }).click();
  await expect(edit.getByLabel('First visit (optional)')).toHaveValue('2024-03-31');
  await expect(edit.getByLabel('Baptism date')).toHaveValue('2023-06-04');
  await expect(edit.getByLabel('Ministry team')).toHaveValue('Worship');
  await edit.getByRole('button', { name: 'Cancel' }).click();

  // The merge-field menu offers the church's fields; a template that uses one is accepted.
  await open(page, '/templates');
  await page.getByRole('button', { name: 'Add template', exact: true }).click();
  const template = page.getByRole('dialog', { name: 'Add template' });
  await template.getByLabel('Name').fill('Team note');
  const message = template.getByLabel('Message', { exact: true });
  await message.fill('See you at the {ministry_tean} meeting');
  await expect(message).toHaveAccessibleDescription(/^Unknown merge field \{ministry_tean\}\. .*\{ministry_team\}/);
  await message.fill('See you at the meeting, team ');
  await template.getByRole('button', { name: 'Insert a field' }).click();
  await template.getByRole('button', { name: 'Ministry team' }).click();
  await expect(message).toHaveValue('See you at the meeting, team {ministry_team}');
  await template.getByRole('button', { name: 'Add template' }).click();
  await expect(template).toBeHidden();

  // The server's refusals: a choice Ruth has cannot leave the list, and a field a template uses cannot go.
  await open(page, '/settings');
  await fieldItem(page, 'Ministry team').getByRole('button', { name: 'Edit Ministry team' }).click();
  const editField = page.getByRole('dialog', { name: 'Edit Ministry team' });
  await expect(editField.getByLabel('Choices')).toHaveValue('Worship\nChildren');
  await editField.getByLabel('Choices').fill('Children\nHospitality');
  await editField.getByRole('button', { name: 'Save changes' }).click();
  await expect(editField.getByLabel('Choices')).toHaveAccessibleDescription(
    '1 member has “Worship”. Change their value first, or keep the choice.',
  );
  await editField.getByRole('button', { name: 'Cancel' }).click();
  await fieldItem(page, 'Ministry team').getByRole('button', { name: 'Delete Ministry team' }).click();
  const confirm = page.getByRole('dialog', { name: 'Delete Ministry team?' });
  await confirm.getByRole('button', { name: 'Delete', exact: true }).click();
  await expect(confirm.getByRole('alert')).toHaveText(
    '“Ministry team” is still used by the template “Team note”. Change those first.',
  );
  await confirm.getByRole('button', { name: 'Cancel' }).click();
  await expect(fieldItem(page, 'Ministry team')).toHaveCount(1);

  // 390 px wide: Settings and the member dialog do not scroll sideways and have no serious axe violation.
  await page.setViewportSize({ width: 390, height: 844 });
  await open(page, '/settings');
  await expect(fieldItem(page, 'Baptism date')).toBeVisible();
  await fitsPhoneWithoutSeriousAxeViolations(page);
  await open(page, '/members');
  await page.getByRole('button', { name: 'Edit Ruth Moab' }).click();
  await expect(edit.getByLabel('Ministry team')).toHaveValue('Worship');
  await fitsPhoneWithoutSeriousAxeViolations(page);
});
