import { expect, test, type Page } from '@playwright/test';
import { mainNav, newChurch, open, signUp, staffOnPhone, trpcMutation } from './support';

/** The church's message library (/templates): admins keep it, staff read it, and it fits a phone. */

const templateItem = (page: Page, name: string) =>
  page
    .getByRole('list', { name: 'Templates' })
    .getByTestId('template')
    .and(page.locator(`[data-name="${name}"]`));

test('an admin adds, edits and deletes a template; unknown merge fields and taken names are refused', async ({
  page,
}) => {
  test.setTimeout(90_000);
  await signUp(page, newChurch('Bethel'));

  await mainNav(page).getByRole('link', { name: 'Templates', exact: true }).click();
  await expect(page).toHaveURL(/\/templates$/);
  await expect(page).toHaveTitle(/Templates/);
  await expect(page.getByRole('heading', { name: 'Templates', level: 1 })).toBeVisible();
  await expect(page.getByText('Saved messages your team can insert')).toBeVisible();
  await expect(page.getByText('No templates yet')).toBeVisible();

  // Add one, with a merge field inserted from the menu where the cursor is.
  await page.getByRole('button', { name: 'Add template', exact: true }).click();
  const add = page.getByRole('dialog', { name: 'Add template' });
  await add.getByLabel('Name').fill('Welcome');
  const message = add.getByLabel('Message', { exact: true });
  await message.fill('Welcome to {church_name}, ');
  await add.getByRole('button', { name: 'Insert a field' }).click();
  await add.getByRole('button', { name: 'First name (or “friend”)' }).click();
  await expect(message).toHaveValue('Welcome to {church_name}, {first_name|friend}');
  await expect(message).toBeFocused();
  await message.pressSequentially('!');
  await expect(message).toHaveValue('Welcome to {church_name}, {first_name|friend}!');
  await expect(add.getByTestId('segment-counter')).toHaveAttribute('data-segments', '1');

  // An unknown merge field is refused beside the message, with the server's own words, before anything is sent.
  await message.fill('Hi {nick}, welcome!');
  await add.getByRole('button', { name: 'Add template' }).click();
  await expect(message).toHaveAccessibleDescription(/^Unknown merge field \{nick\}\./);
  await expect(message).toHaveAttribute('aria-invalid', 'true');
  await expect(message).toBeFocused();
  await message.fill('Welcome to {church_name}, {first_name|friend}!');
  await expect(message).toHaveAttribute('aria-invalid', 'false');
  await add.getByRole('button', { name: 'Add template' }).click();
  await expect(add).toBeHidden();
  await expect(page.getByRole('status').filter({ hasText: 'Welcome was added.' })).toBeVisible();
  const welcome = templateItem(page, 'Welcome');
  await expect(welcome).toHaveCount(1);
  await expect(welcome.getByTestId('template-body')).toHaveText('Welcome to {church_name}, {first_name|friend}!');
  await expect(page.getByText('No templates yet')).toHaveCount(0);

  // The same name, in any case, is refused by the server beside the name.
  await page.getByRole('button', { name: 'Add template', exact: true }).click();
  await add.getByLabel('Name').fill('WELCOME');
  await add.getByLabel('Message', { exact: true }).fill('Hello again');
  await add.getByRole('button', { name: 'Add template' }).click();
  await expect(add.getByLabel('Name')).toHaveAccessibleDescription('You already have a template called “WELCOME”.');
  await expect(add.getByLabel('Name')).toBeFocused();
  // A second one is listed alphabetically, ignoring case.
  await add.getByLabel('Name').fill('easter service');
  await add.getByRole('button', { name: 'Add template' }).click();
  await expect(add).toBeHidden();
  await expect(page.getByRole('list', { name: 'Templates' }).getByTestId('template-name')).toHaveText([
    'easter service',
    'Welcome',
  ]);

  // Edit: the form starts with what is saved.
  await welcome.getByRole('button', { name: 'Edit Welcome' }).click();
  const edit = page.getByRole('dialog', { name: 'Edit Welcome' });
  await expect(edit.getByLabel('Name')).toHaveValue('Welcome');
  await expect(edit.getByLabel('Message', { exact: true })).toHaveValue(
    'Welcome to {church_name}, {first_name|friend}!',
  );
  await edit.getByLabel('Name').fill('Welcome newcomer');
  await edit
    .getByLabel('Message', { exact: true })
    .fill('Welcome to {church_name}, {first_name|friend}! See you Sunday.');
  await edit.getByRole('button', { name: 'Save changes' }).click();
  await expect(edit).toBeHidden();
  await expect(page.getByRole('status').filter({ hasText: 'Welcome newcomer was saved.' })).toBeVisible();
  const renamed = templateItem(page, 'Welcome newcomer');
  await expect(renamed.getByTestId('template-body')).toHaveText(
    'Welcome to {church_name}, {first_name|friend}! See you Sunday.',
  );
  await expect(welcome).toHaveCount(0);

  // Delete, after a change of mind in the confirmation.
  await renamed.getByRole('button', { name: 'Delete Welcome newcomer' }).click();
  const confirm = page.getByRole('dialog', { name: 'Delete Welcome newcomer?' });
  await confirm.getByRole('button', { name: 'Cancel' }).click();
  await expect(confirm).toBeHidden();
  await expect(renamed).toHaveCount(1);
  await renamed.getByRole('button', { name: 'Delete Welcome newcomer' }).click();
  await confirm.getByRole('button', { name: 'Delete', exact: true }).click();
  await expect(confirm).toBeHidden();
  await expect(page.getByRole('status').filter({ hasText: 'Welcome newcomer was deleted.' })).toBeVisible();
  await expect(renamed).toHaveCount(0);
  await expect(page.getByRole('list', { name: 'Templates' }).getByTestId('template')).toHaveCount(1);
});

test('staff see the templates but cannot change them; the page fits a phone', async ({ page, browser, baseURL }) => {
  test.setTimeout(90_000);
  await signUp(page, newChurch('Shiloh'));
  const created = await trpcMutation(page.request, 'templates.create', {
    name: 'Sunday reminder',
    body: 'Hi {first_name|friend}, service at {church_name} starts at 10am. Bring a friend!',
  });
  expect(created.status, created.text).toBe(200);
  const staff = await staffOnPhone(page, browser, baseURL);

  await open(staff, '/templates');
  const item = templateItem(staff, 'Sunday reminder');
  await expect(item).toBeVisible();
  await expect(item.getByTestId('template-body')).toHaveText(
    'Hi {first_name|friend}, service at {church_name} starts at 10am. Bring a friend!',
  );
  await expect(staff.getByRole('button', { name: 'Add template' })).toHaveCount(0);
  await expect(staff.getByRole('button', { name: /^(Edit|Delete) / })).toHaveCount(0);
  // 390 px wide: nothing makes the page scroll sideways.
  expect(await staff.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth)).toBe(
    true,
  );

  const refused = await trpcMutation(staff.request, 'templates.create', { name: 'Staff note', body: 'Hello' });
  expect(refused.status).toBe(403);
  expect(refused.error?.data.code).toBe('FORBIDDEN');
  await staff.context().close();

  // The admin's page, with its dialog open, fits a phone too.
  await page.setViewportSize({ width: 390, height: 844 });
  await open(page, '/templates');
  await expect(
    templateItem(page, 'Sunday reminder').getByRole('button', { name: 'Edit Sunday reminder' }),
  ).toBeVisible();
  expect(await page.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth)).toBe(
    true,
  );
  await page.getByRole('button', { name: 'Add template', exact: true }).click();
  await expect(page.getByRole('dialog', { name: 'Add template' }).getByLabel('Name')).toBeVisible();
  expect(await page.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth)).toBe(
    true,
  );
});
