import { expect, test } from '@playwright/test';
import { mainNav, newChurch, open, signUp } from './support';

test('an admin adds a member, searches, imports a CSV with a bad row, edits and deletes, and manages branches', async ({
  page,
}) => {
  test.setTimeout(120_000);
  await signUp(page, newChurch('Bethany'));

  // Empty state, then add one member through the dialog (a bad phone number is refused beside its field).
  await mainNav(page).getByRole('link', { name: 'Members' }).click();
  await expect(page).toHaveURL(/\/members$/);
  await expect(page.getByRole('heading', { name: 'Members', level: 1 })).toBeVisible();
  await expect(page.getByText('No members yet')).toBeVisible();
  await page.getByRole('button', { name: 'Add member', exact: true }).click();
  const add = page.getByRole('dialog', { name: 'Add member' });
  await expect(add).toBeVisible();
  await expect(add.getByLabel('First name')).toBeFocused();
  await add.getByRole('button', { name: 'Add member' }).click();
  await expect(add.getByLabel('First name')).toHaveAccessibleDescription('Enter a first name');
  await add.getByLabel('First name').fill('Ada');
  await add.getByLabel('Last name').fill('Lovelace');
  await add.getByLabel('Mobile phone').fill('555-555-0100');
  await add.getByRole('button', { name: 'Add member' }).click();
  await expect(add.getByLabel('Mobile phone')).toHaveAccessibleDescription(/Enter a valid phone number/);
  await add.getByLabel('Mobile phone').fill('202 555 0142');
  await add.getByLabel('Tags (optional)').fill('choir, welcome team');
  // Consent is recorded with how it was given: "agreed" needs a word on how.
  await expect(add.getByRole('radio', { name: /^Not opted in yet/ })).toBeChecked();
  await add.getByRole('radio', { name: /^They agreed to receive texts/ }).check();
  await add.getByRole('button', { name: 'Add member' }).click();
  await expect(add.getByLabel('How did they agree?')).toHaveAccessibleDescription(
    /Say how they agreed to receive texts/,
  );
  await add.getByLabel('How did they agree?').fill('Paper connect card');
  await add.getByRole('button', { name: 'Add member' }).click();
  await expect(add).toBeHidden();
  await expect(page.getByRole('status').filter({ hasText: 'Ada Lovelace was added.' })).toBeVisible();
  const table = page.getByRole('table', { name: 'Members' });
  const rows = table.getByTestId('member-row');
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText('Ada Lovelace');
  await expect(rows.first()).toContainText('(202) 555-0142');

  // The same number written differently is a duplicate.
  await page.getByRole('button', { name: 'Add member', exact: true }).click();
  await add.getByLabel('First name').fill('Twin');
  await add.getByLabel('Mobile phone').fill('+1 (202) 555-0142');
  await add.getByRole('button', { name: 'Add member' }).click();
  await expect(add.getByLabel('Mobile phone')).toHaveAccessibleDescription(
    'A member with this phone number already exists',
  );
  await add.getByRole('button', { name: 'Cancel' }).click();
  await expect(add).toBeHidden();

  // Import a file with one bad row: the preview names the problem, the good rows are imported.
  await page.getByRole('button', { name: 'Import CSV' }).click();
  const csv = [
    'First Name,Last Name,Mobile,Tags',
    'Grace,Hopper,(202) 555-0171,choir',
    'Alan,Turing,(202) 555-0172,choir;youth',
    'Bad,Number,555-555-0100,',
  ].join('\n');
  await page
    .getByLabel('Choose a CSV file')
    .setInputFiles({ name: 'members.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
  await expect(page.getByText('Using members.csv.')).toBeVisible();
  // Without this confirmation they would come in as not opted in (no broadcasts).
  await page.getByRole('checkbox', { name: /agreed to receive texts from us/ }).check();
  await page.getByRole('button', { name: 'Preview import' }).click();
  const totals = page.getByRole('list', { name: 'Import totals' });
  await expect(totals).toContainText('3 rows in the file');
  await expect(totals).toContainText('2 new members');
  await expect(totals).toContainText('1 row with problems');
  const previewRows = page.getByRole('table', { name: 'Rows in the file' }).getByTestId('import-row');
  await expect(previewRows).toHaveCount(1); // only the problem rows, at first
  await expect(previewRows.first()).toContainText('Phone number "555-555-0100" is not valid');
  await page.getByLabel('Only show rows with problems').uncheck();
  await expect(previewRows).toHaveCount(3);
  await page.getByRole('button', { name: 'Import 2 members' }).click();
  await expect(
    page
      .getByRole('status')
      .filter({ hasText: 'Import finished: 2 new members added, 0 members updated, 1 row skipped.' }),
  ).toBeVisible();
  await expect(page.getByRole('list', { name: 'Skipped rows' })).toContainText(
    'Row 4: Phone number "555-555-0100" is not valid',
  );
  await expect(rows).toHaveCount(3);
  await expect(table).toContainText('Grace Hopper');
  await expect(table).toContainText('Alan Turing');
  await expect(page.getByText('Showing 3 of 3 members')).toBeVisible();
  await page.getByLabel('Texts').selectOption('subscribed');
  await expect(rows.filter({ hasText: 'Grace Hopper' })).toHaveCount(1);
  await expect(rows.filter({ hasText: 'Alan Turing' })).toHaveCount(1);
  await page.getByLabel('Texts').selectOption('');

  // Search (debounced) by name and by phone; filter by tag.
  const search = page.getByRole('searchbox', { name: 'Search members' });
  await search.fill('hopper');
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText('Grace Hopper');
  await search.fill('555-0172');
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText('Alan Turing');
  await search.fill('nobody here');
  await expect(page.getByText('No members match your search and filters.')).toBeVisible();
  await page.getByRole('button', { name: 'Clear search and filters' }).click();
  await expect(rows).toHaveCount(3);
  await page.getByLabel('Tag', { exact: true }).selectOption('youth');
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText('Alan Turing');
  await page.getByLabel('Tag', { exact: true }).selectOption('');
  await expect(rows).toHaveCount(3);

  // Edit: Ada asked to stop. Afterwards her consent is locked (only her own START changes it), and its history shows.
  await page.getByRole('button', { name: 'Edit Ada Lovelace' }).click();
  const edit = page.getByRole('dialog', { name: 'Edit Ada Lovelace' });
  await expect(edit.getByLabel('Mobile phone')).toHaveValue('(202) 555-0142');
  await edit.getByRole('radio', { name: /^They asked not to be texted/ }).check();
  await edit.getByLabel('Note (optional)').fill('Asked after the service');
  await edit.getByRole('button', { name: 'Save changes' }).click();
  await expect(edit).toBeHidden();
  await expect(table.getByTestId('member-row').filter({ hasText: 'Ada Lovelace' })).toContainText('Unsubscribed');
  await page.getByRole('button', { name: 'Edit Ada Lovelace' }).click();
  await expect(edit.getByTestId('consent-locked')).toContainText('only they can opt back in, by texting START');
  await expect(edit.getByRole('radio')).toHaveCount(0);
  const history = edit.getByTestId('consent-history');
  await expect(history.getByRole('listitem')).toHaveCount(2);
  await expect(history.getByRole('listitem').first()).toContainText('Unsubscribed by');
  await expect(history.getByRole('listitem').first()).toContainText('Asked after the service');
  await expect(history.getByRole('listitem').last()).toContainText('Paper connect card');
  await edit.getByRole('button', { name: 'Cancel' }).click();
  await expect(edit).toBeHidden();

  // Delete, after a confirmation that says the conversation goes too.
  await page.getByRole('button', { name: 'Delete Alan Turing' }).click();
  const confirm = page.getByRole('dialog', { name: 'Delete Alan Turing?' });
  await expect(confirm).toContainText('Their conversation and every message in it are deleted too.');
  await confirm.getByRole('button', { name: 'Delete' }).click();
  await expect(confirm).toBeHidden();
  await expect(rows).toHaveCount(2);
  await expect(table).not.toContainText('Alan Turing');

  // Branches: empty state, add one, a taken name is refused beside the field.
  await mainNav(page).getByRole('link', { name: 'Branches' }).click();
  await expect(page).toHaveURL(/\/branches$/);
  await expect(page.getByText('No branches yet')).toBeVisible();
  await page.getByRole('button', { name: 'Add branch', exact: true }).click();
  const addBranch = page.getByRole('dialog', { name: 'Add branch' });
  await addBranch.getByLabel('Name').fill('North Campus');
  await addBranch.getByLabel('Address (optional)').fill('1 High Street');
  await addBranch.getByLabel('Timezone').selectOption('America/Chicago');
  await addBranch.getByRole('button', { name: 'Add branch' }).click();
  await expect(addBranch).toBeHidden();
  const branches = page.getByRole('list', { name: 'Branches' }).getByTestId('branch');
  await expect(branches).toHaveCount(1);
  await expect(branches.first()).toContainText('North Campus');
  await expect(branches.first()).toContainText('1 High Street · America/Chicago');
  await expect(branches.first()).toContainText('0 members');
  await page.getByRole('button', { name: 'Add branch', exact: true }).click();
  await addBranch.getByLabel('Name').fill('north campus');
  await addBranch.getByRole('button', { name: 'Add branch' }).click();
  await expect(addBranch.getByLabel('Name')).toHaveAccessibleDescription(
    'There is already a branch called “north campus”. Choose another name.',
  );
  await addBranch.getByRole('button', { name: 'Cancel' }).click();

  // Put Grace in the branch; the count follows, and its link lists the branch's members.
  await open(page, '/members');
  await page.getByRole('button', { name: 'Edit Grace Hopper' }).click();
  const editGrace = page.getByRole('dialog', { name: 'Edit Grace Hopper' });
  await editGrace.getByLabel('Branch').selectOption({ label: 'North Campus' });
  await editGrace.getByRole('button', { name: 'Save changes' }).click();
  await expect(editGrace).toBeHidden();
  await expect(table.getByTestId('member-row').filter({ hasText: 'Grace Hopper' })).toContainText('North Campus');
  await open(page, '/branches');
  await page.getByRole('link', { name: '1 member in North Campus' }).click();
  await expect(page).toHaveURL(/\/members\?branch=/);
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText('Grace Hopper');
});
