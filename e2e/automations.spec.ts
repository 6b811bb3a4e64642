import { expect, test, type Page } from '@playwright/test';
import { fitsPhoneWithoutSeriousAxeViolations } from './page-checks';
import {
  addMember,
  buyNumber,
  mainNav,
  newChurch,
  open,
  randomUsNumber,
  signUp,
  staffOnPhone,
  trpcMutation,
  trpcQuery,
} from './support';

/**
 * Sequences (/automations): follow-up texts that send themselves. An owner builds one in the browser, a guest fills in
 * the public connect card, and the church's runner (the app's own worker) sends step one, which lands in the guest's
 * thread marked "Automation". Then the everyday work: enrolling by hand, pausing, editing, removing someone, deleting,
 * and what staff see (everything, changing nothing) on a phone.
 */

const phone = { width: 390, height: 844 };

const sequenceRow = (page: Page, name: string) =>
  page
    .getByRole('list', { name: 'Sequences' })
    .getByTestId('sequence')
    .and(page.locator(`[data-name="${name}"]`));

const person = (page: Page, name: string) =>
  page
    .getByRole('list', { name: 'People in this sequence' })
    .getByTestId('enrollment')
    .and(page.locator(`[data-name="${name}"]`));

test('building a first-time-guest sequence and watching a simulated guest get step one', async ({
  page,
  browser,
  baseURL,
}) => {
  test.setTimeout(180_000);
  const church = newChurch('Emmaus');
  await signUp(page, church);
  await buyNumber(page.request);

  await mainNav(page).getByRole('link', { name: 'Automations', exact: true }).click();
  await expect(page).toHaveURL(/\/automations$/);
  await expect(page).toHaveTitle(/Automations/);
  await expect(page.getByRole('heading', { name: 'Automations', level: 1 })).toBeVisible();
  await expect(page.getByText('No sequences yet')).toBeVisible();
  await page.getByRole('link', { name: 'New sequence' }).click();
  await expect(page).toHaveURL(/\/automations\/new$/);
  await expect(page.getByRole('heading', { name: 'New sequence', level: 1 })).toBeVisible();

  // Sent empty: the server's own schema speaks beside each field, before anything is sent.
  const name = page.getByLabel('Name', { exact: true });
  const step1 = page.getByRole('group', { name: 'Step 1' });
  await page.getByRole('button', { name: 'Create sequence' }).click();
  await expect(name).toHaveAccessibleDescription('Name the sequence');
  await expect(name).toBeFocused();
  await expect(step1.getByLabel('Message')).toHaveAttribute('aria-invalid', 'true');

  await name.fill('Welcome new guests');
  await page.getByLabel('What starts it').selectOption({ label: 'Fills in the connect card' });
  await page.getByRole('checkbox', { name: /First-time guests only/ }).check();
  await step1.getByLabel('Wait', { exact: true }).fill('0');
  await step1.getByLabel('Hours or days').selectOption('hours');
  await expect(step1.getByTestId('step-when')).toHaveText('Sends: right away.');
  await step1.getByLabel('Message').fill('Welcome {first_name}! So glad you came to {church_name}.');
  await expect(step1.getByLabel('Message')).toHaveAttribute('aria-invalid', 'false');

  await page.getByRole('button', { name: 'Add a step' }).click();
  const step2 = page.getByRole('group', { name: 'Step 2' });
  await expect(step2.getByLabel('Wait', { exact: true })).toBeFocused();
  await step2.getByLabel('Wait', { exact: true }).fill('2');
  await step2.getByLabel('Hours or days').selectOption('days');
  await step2.getByLabel('At (optional)').fill('10:00');
  await expect(step2.getByTestId('step-when')).toHaveText('Sends: 2 days after step 1, at 10:00.');
  // A merge field the church does not have is refused beside its step.
  await step2.getByLabel('Message').fill('Hi {nick}, Pastor Ann here: may we buy you a coffee this week?');
  await page.getByRole('button', { name: 'Create sequence' }).click();
  await expect(step2.getByLabel('Message')).toHaveAccessibleDescription(/^Unknown merge field \{nick\}\./);
  await expect(step2.getByLabel('Message')).toBeFocused();
  await step2.getByLabel('Message').fill('Hi {first_name|friend}, Pastor Ann here: may we buy you a coffee this week?');
  await page.getByRole('button', { name: 'Create sequence' }).click();

  // Its page: what starts it, the steps in words, nobody in it yet.
  await expect(page).toHaveURL(/\/automations\/[0-9a-f-]{36}$/);
  const sequenceUrl = new URL(page.url()).pathname;
  await expect(page.getByRole('heading', { level: 1, name: 'Welcome new guests' })).toBeVisible();
  await expect(page.getByTestId('sequence-trigger')).toHaveText(
    'When someone fills in the connect card (first-time guests) · 2 steps',
  );
  const steps = page.getByRole('list', { name: 'Steps' }).getByTestId('step');
  await expect(steps).toHaveCount(2);
  await expect(steps.first()).toContainText('Step 1 · Right away');
  await expect(steps.last()).toContainText('Step 2 · 2 days after step 1, at 10:00');
  await expect(page.getByText('Nobody has gone through it yet.')).toBeVisible();

  // A first-time guest fills in the card on their phone and agrees to texts.
  const profile = await trpcQuery(page.request, 'church.profile');
  const cardPath = new URL(profile.data.church.connectCardUrl as string).pathname;
  const visitorContext = await browser.newContext({ baseURL, viewport: phone, isMobile: true, hasTouch: true });
  const visitor = await visitorContext.newPage();
  await visitor.goto(cardPath);
  await visitor.getByLabel('First name').fill('Lydia');
  await visitor.getByLabel('Last name').fill('Purpura');
  await visitor.getByLabel('Mobile number').fill(randomUsNumber());
  await visitor.getByRole('radio', { name: 'Yes' }).check();
  await visitor.getByRole('checkbox', { name: `Yes, text me updates from ${church.church}` }).check();
  await visitor.waitForTimeout(3_100); // the card's minimum fill time
  await visitor.getByRole('button', { name: 'Send' }).click();
  await expect(visitor.getByRole('heading', { name: 'Thank you, Lydia!' })).toBeVisible();
  await visitorContext.close();

  // She is enrolled; the runner sends step one and schedules step two for 10:00 two days on (the page follows it).
  await open(page, sequenceUrl);
  const lydia = person(page, 'Lydia Purpura');
  await expect(lydia).toHaveAttribute('data-state', 'active', { timeout: 30_000 });
  await expect(lydia).toHaveAttribute('data-next-step', '2', { timeout: 30_000 });
  await expect(lydia.getByTestId('enrollment-state')).toHaveText('Active');
  await expect(lydia.getByTestId('enrollment-detail')).toContainText('Next: step 2 of 2');
  await expect(lydia.getByTestId('enrollment-detail')).toContainText('10:00');
  await expect(page.getByTestId('total-enrolled')).toHaveText('1');
  await expect(page.getByTestId('total-active')).toHaveText('1');
  await expect(async () => {
    await page.reload();
    await expect(steps.first().getByTestId('step-sent')).toHaveText('1', { timeout: 1_000 });
  }).toPass({ timeout: 30_000 });
  await expect(steps.last().getByTestId('step-sent')).toHaveText('0');

  // The list counts her too.
  await mainNav(page).getByRole('link', { name: 'Automations', exact: true }).click();
  const row = sequenceRow(page, 'Welcome new guests');
  await expect(row.getByTestId('sequence-trigger')).toHaveText(
    'When someone fills in the connect card (first-time guests)',
  );
  await expect(row.getByTestId('sequence-steps')).toHaveText('2 steps');
  await expect(row.getByTestId('sequence-enrolled')).toHaveText('1');
  await expect(row.getByTestId('sequence-active')).toHaveText('1');
  await expect(row.getByTestId('sequence-finished')).toHaveText('0');

  // Her member form says where she is in it.
  await open(page, '/members');
  const member = page.getByRole('table', { name: 'Members' }).getByTestId('member-row').filter({ hasText: 'Lydia' });
  await member.getByRole('button', { name: 'Edit Lydia Purpura' }).click();
  const sequences = page.getByRole('dialog').getByTestId('member-sequences');
  await expect(sequences).toContainText('Welcome new guests');
  await expect(sequences).toContainText('Next: step 2 of 2');
  await page.keyboard.press('Escape');

  // Her name leads to her thread, where step one is, marked as an automation.
  await open(page, sequenceUrl);
  await lydia.getByRole('link', { name: 'Lydia Purpura' }).click();
  const text = page
    .getByRole('log', { name: 'Messages with Lydia Purpura' })
    .getByTestId('message')
    .filter({ hasText: `Welcome Lydia! So glad you came to ${church.church}.` });
  await expect(text).toHaveAttribute('data-kind', 'sequence');
  await expect(text).toHaveAttribute('data-direction', 'outbound');
  await expect(text).toContainText('Automation');
  await expect(text).toHaveAttribute('data-status', /^(sent|delivered)$/);
});

test('an admin enrolls by hand, pauses, edits, removes and deletes; staff see it all read-only on a phone', async ({
  page,
  browser,
  baseURL,
}) => {
  test.setTimeout(180_000);
  await signUp(page, newChurch('Antioch'));
  await addMember(page, { firstName: 'Ruth', lastName: 'Moab', phone: randomUsNumber() });
  await addMember(page, { firstName: 'Boaz', lastName: 'Ephrath', phone: randomUsNumber() });
  const naomi = await trpcMutation(page.request, 'members.create', {
    firstName: 'Naomi',
    lastName: 'Mara',
    phone: randomUsNumber(),
  });
  expect(naomi.status, naomi.text).toBe(200);
  const created = await trpcMutation(page.request, 'sequences.create', {
    name: 'Membership class',
    trigger: { kind: 'manual' },
    steps: [{ wait: 1, unit: 'days', atMinute: 9 * 60, body: 'Hi {first_name|friend}! Membership class is Sunday.' }],
  });
  expect(created.status, created.text).toBe(200);
  const sequenceUrl = `/automations/${created.data.id}`;

  await open(page, '/automations');
  const row = sequenceRow(page, 'Membership class');
  await expect(row.getByTestId('sequence-trigger')).toHaveText('Added by hand');
  await expect(row.getByTestId('sequence-steps')).toHaveText('1 step');
  await row.getByRole('link', { name: 'Membership class' }).click();
  await expect(page).toHaveURL(new RegExp(`${sequenceUrl}$`));
  await expect(page.getByText('Nobody has gone through it yet. Choose “Enroll people” to add some.')).toBeVisible();

  // Enroll two chosen by name: Naomi never agreed to texts, so she is skipped.
  await page.getByRole('button', { name: 'Enroll people' }).click();
  const enroll = page.getByRole('dialog', { name: 'Enroll people in Membership class' });
  await enroll.getByRole('button', { name: 'Enroll', exact: true }).click();
  await expect(enroll.getByLabel('Find members')).toHaveAccessibleDescription('Choose someone');
  await enroll.getByLabel('Find members').fill('Ruth');
  await enroll.getByRole('checkbox', { name: /Ruth Moab/ }).check();
  await enroll.getByLabel('Find members').fill('Naomi');
  await enroll.getByRole('checkbox', { name: /Naomi Mara/ }).check();
  await expect(enroll.getByRole('list', { name: 'Chosen: 2' }).getByRole('listitem')).toHaveText([
    'Ruth Moab ×',
    'Naomi Mara ×',
  ]);
  await enroll.getByRole('button', { name: 'Enroll', exact: true }).click();
  await expect(enroll).toBeHidden();
  await expect(page.getByRole('status').filter({ hasText: 'Membership class: 1 enrolled, 1 skipped' })).toBeVisible();
  await expect(person(page, 'Ruth Moab')).toHaveAttribute('data-state', 'active');

  // Then everyone, as an audience: only Boaz is new.
  await page.getByRole('button', { name: 'Enroll people' }).click();
  await enroll.getByRole('radio', { name: 'An audience' }).check();
  await enroll.getByRole('radio', { name: 'Everyone' }).check();
  await enroll.getByRole('button', { name: 'Enroll', exact: true }).click();
  await expect(enroll).toBeHidden();
  await expect(
    page.getByRole('status').filter({
      hasText: 'Membership class: 1 enrolled, 2 skipped (not subscribed, or already in it or been through it).',
    }),
  ).toBeVisible();
  await expect(page.getByTestId('total-enrolled')).toHaveText('2');
  await expect(person(page, 'Boaz Ephrath')).toHaveAttribute('data-next-step', '1');
  await expect(person(page, 'Boaz Ephrath').getByTestId('enrollment-detail')).toContainText('9:00', {
    timeout: 20_000,
  });

  // Pause, and resume.
  await page.getByRole('button', { name: 'Pause' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Membership class is paused.' })).toBeVisible();
  await expect(page.getByTestId('sequence-view').getByTestId('sequence-paused')).toHaveText('Paused');
  await expect(person(page, 'Ruth Moab').getByTestId('enrollment-detail')).toContainText(
    'waiting while the sequence is paused',
  );
  await open(page, '/automations');
  await expect(row.getByTestId('sequence-paused')).toBeVisible();
  await open(page, sequenceUrl);
  await page.getByRole('button', { name: 'Resume' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Membership class is running again.' })).toBeVisible();
  await expect(page.getByTestId('sequence-view').getByTestId('sequence-paused')).toHaveCount(0);

  // Edit: the form starts with what is saved; a second step is added, moved, moved back.
  await page.getByRole('link', { name: 'Edit' }).click();
  await expect(page).toHaveURL(new RegExp(`${sequenceUrl}/edit$`));
  await expect(page.getByLabel('Name', { exact: true })).toHaveValue('Membership class');
  await expect(page.getByLabel('What starts it')).toHaveValue('manual');
  const first = page.getByRole('group', { name: 'Step 1' });
  await expect(first.getByLabel('Wait', { exact: true })).toHaveValue('1');
  await expect(first.getByLabel('Hours or days')).toHaveValue('days');
  await expect(first.getByLabel('At (optional)')).toHaveValue('09:00');
  await page.getByLabel('Name', { exact: true }).fill('Membership class (spring)');
  await page.getByRole('button', { name: 'Add a step' }).click();
  const second = page.getByRole('group', { name: 'Step 2' });
  await second.getByLabel('Wait', { exact: true }).fill('3');
  await second.getByLabel('Message').fill('See you Sunday at 12:30, {first_name|friend}!');
  await page.getByRole('button', { name: 'Move step 2 up' }).click();
  await expect(first.getByLabel('Message')).toHaveValue('See you Sunday at 12:30, {first_name|friend}!');
  await page.getByRole('button', { name: 'Move step 1 down' }).click();
  await expect(second.getByLabel('Message')).toHaveValue('See you Sunday at 12:30, {first_name|friend}!');
  await page.getByRole('button', { name: 'Add a step' }).click();
  await page.getByRole('button', { name: 'Remove step 3' }).click();
  await expect(page.getByRole('group', { name: /^Step \d$/ })).toHaveCount(2);
  await page.getByRole('button', { name: 'Save changes' }).click();
  await expect(page).toHaveURL(new RegExp(`${sequenceUrl}$`));
  await expect(page.getByRole('heading', { level: 1, name: 'Membership class (spring)' })).toBeVisible();
  await expect(page.getByTestId('sequence-trigger')).toHaveText('Added by hand · 2 steps');
  await expect(page.getByRole('list', { name: 'Steps' }).getByTestId('step').last()).toContainText(
    'Step 2 · 3 days after step 1',
  );
  await expect(person(page, 'Ruth Moab')).toHaveAttribute('data-state', 'active'); // still on their way

  // Take Ruth out (after a change of mind).
  await person(page, 'Ruth Moab').getByRole('button', { name: 'Remove Ruth Moab' }).click();
  const confirmRemove = page.getByRole('dialog', { name: 'Remove Ruth Moab?' });
  await confirmRemove.getByRole('button', { name: 'Cancel' }).click();
  await expect(confirmRemove).toBeHidden();
  await person(page, 'Ruth Moab').getByRole('button', { name: 'Remove Ruth Moab' }).click();
  await confirmRemove.getByRole('button', { name: 'Remove', exact: true }).click();
  await expect(confirmRemove).toBeHidden();
  await expect(person(page, 'Ruth Moab')).toHaveAttribute('data-state', 'stopped');
  await expect(person(page, 'Ruth Moab').getByTestId('enrollment-detail')).toContainText(
    'Stopped: Removed by an admin',
  );
  await expect(page.getByTestId('stopped-because')).toHaveText('1Removed by an admin');
  await expect(page.getByTestId('total-stopped')).toHaveText('1');

  // A second sequence may not take its name: the server says so beside the name. On a phone, the form fits.
  await page.setViewportSize(phone);
  await open(page, '/automations/new');
  await page.getByLabel('Name', { exact: true }).fill('membership class (SPRING)');
  await page.getByLabel('What starts it').selectOption({ label: 'A date every year' });
  await expect(page.getByText('Add a date field such as Birthday under')).toBeVisible();
  await expect(page.getByRole('link', { name: 'Settings → Member fields' })).toHaveAttribute(
    'href',
    '/settings#member-fields',
  );
  await page.getByLabel('What starts it').selectOption({ label: 'Added by hand' });
  await page.getByRole('group', { name: 'Step 1' }).getByLabel('Message').fill('Hello!');
  await page.getByRole('button', { name: 'Create sequence' }).click();
  await expect(page.getByLabel('Name', { exact: true })).toHaveAccessibleDescription(
    'You already have a sequence called “membership class (SPRING)”.',
  );
  await fitsPhoneWithoutSeriousAxeViolations(page);

  // Staff, on their phone: everything to read, nothing to change.
  const staff = await staffOnPhone(page, browser, baseURL);
  await open(staff, '/automations');
  await expect(sequenceRow(staff, 'Membership class (spring)').getByTestId('sequence-enrolled')).toHaveText('2');
  await expect(staff.getByRole('link', { name: 'New sequence' })).toHaveCount(0);
  await fitsPhoneWithoutSeriousAxeViolations(staff);
  await sequenceRow(staff, 'Membership class (spring)').getByRole('link').click();
  await expect(staff.getByRole('heading', { level: 1, name: 'Membership class (spring)' })).toBeVisible();
  await expect(person(staff, 'Boaz Ephrath')).toHaveAttribute('data-state', 'active');
  for (const action of ['Pause', 'Enroll people', 'Delete', 'Remove Boaz Ephrath'])
    await expect(staff.getByRole('button', { name: action })).toHaveCount(0);
  await expect(staff.getByRole('link', { name: 'Edit' })).toHaveCount(0);
  await fitsPhoneWithoutSeriousAxeViolations(staff);
  await open(staff, '/automations/new');
  await expect(staff.getByText('Only admins and the owner create and change sequences')).toBeVisible();
  const refused = await trpcMutation(staff.request, 'sequences.setPaused', { id: created.data.id, paused: true });
  expect(refused.status).toBe(403);
  await staff.context().close();

  // The owner's pages fit a phone too, the enroll dialog open.
  await open(page, sequenceUrl);
  await fitsPhoneWithoutSeriousAxeViolations(page);
  await page.getByRole('button', { name: 'Enroll people' }).click();
  await expect(page.getByRole('dialog', { name: /^Enroll people in/ }).getByLabel('Find members')).toBeVisible();
  await fitsPhoneWithoutSeriousAxeViolations(page);
  await page.keyboard.press('Escape');

  // Delete, after a confirmation: back to an empty list.
  await page.getByRole('button', { name: 'Delete' }).click();
  const confirmDelete = page.getByRole('dialog', { name: 'Delete Membership class (spring)?' });
  await expect(confirmDelete).toContainText('the one person going through it now');
  await confirmDelete.getByRole('button', { name: 'Delete', exact: true }).click();
  await expect(page).toHaveURL(/\/automations$/);
  await expect(page.getByText('No sequences yet')).toBeVisible();
});
