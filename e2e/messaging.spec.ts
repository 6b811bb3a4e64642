import { expect, test, type Page } from '@playwright/test';
import {
  addMember,
  buyNumber,
  buyNumberInSettings,
  mainNav,
  newChurch,
  open,
  randomUsNumber,
  registerNumber,
  signUp,
  trpcMutation,
  trpcQuery,
} from './support';
import { fitsWidth } from './page-checks';

/**
 * Texting, end to end in local-outbox mode: nothing leaves the machine, sends are recorded as sent by the job queue,
 * and "Simulate reply" posts a signed Telnyx webhook to the app's own route, so replies and STOP/START take the real
 * inbound path. Members and branches are made through the API (their pages have their own tests).
 */

/** A number bought in Settings as the owner would, then registered with carriers (registration.spec.ts walks that). */
async function addSendingNumber(page: Page): Promise<string> {
  const number = await buyNumberInSettings(page);
  await registerNumber(page.request);
  return number;
}

async function threadStatuses(page: Page, conversationId: string): Promise<string[]> {
  const res = await trpcQuery(
    page.request,
    `conversations.get?input=${encodeURIComponent(JSON.stringify({ json: { id: conversationId } }))}`,
  );
  expect(res.status, res.text).toBe(200);
  return (res.data.messages as { status: string }[]).map((m) => m.status);
}

const thread = (page: Page, name: string) => page.getByRole('log', { name: `Messages with ${name}` });
const conversations = (page: Page) => page.getByRole('list', { name: 'Conversations' });

test('the owner adds a sending number, texts a member from the inbox, and replies appear without a reload', async ({
  page,
}) => {
  test.setTimeout(120_000);
  await signUp(page, newChurch('Grace'));
  await addSendingNumber(page);
  const ruth = await addMember(page, { firstName: 'Ruth', lastName: 'Moab', phone: randomUsNumber() });

  // Start a conversation from "New message".
  await open(page, '/inbox');
  await expect(page.getByText('No open conversations.')).toBeVisible();
  await page.getByRole('link', { name: 'New message', exact: true }).click();
  await page.getByLabel('Find a member').fill('Ruth');
  await page
    .getByRole('list', { name: 'Matching members' })
    .getByRole('link', { name: /Ruth Moab/ })
    .click();
  await expect(page).toHaveURL(new RegExp(`/inbox\\?member=${ruth.id}$`));
  await expect(page.getByText('No messages with Ruth Moab yet.')).toBeVisible();

  // The live counter in plain words, saying why an emoji makes each text shorter.
  const box = page.getByRole('textbox', { name: 'Message to Ruth' });
  await box.fill('See you Sunday 🙂');
  await expect(page.getByTestId('segment-counter')).toHaveText(
    '16 characters · 1 text (the emoji makes each text shorter)',
  );
  // A merge field from the menu goes in at the cursor; the box shows what Ruth gets and counts that.
  await box.fill('See you Sunday, ');
  await page.getByRole('button', { name: 'Insert a field' }).click();
  await page.getByRole('button', { name: 'First name (or “friend”)' }).click();
  await expect(box).toHaveValue('See you Sunday, {first_name|friend}');
  await expect(box).toBeFocused();
  await expect(page.getByTestId('merge-preview')).toHaveText('Ruth gets: See you Sunday, Ruth');
  await expect(page.getByTestId('segment-counter')).toHaveText('20 characters · 1 text');
  await page.getByRole('button', { name: 'Send', exact: true }).click();

  // The first message starts the conversation; the job queue sends it (the outbox records it as sent).
  await expect(page).toHaveURL(/\/inbox\?c=[0-9a-f-]{36}$/);
  const conversationId = new URL(page.url()).searchParams.get('c')!;
  const sent = thread(page, 'Ruth Moab').getByTestId('message').filter({ hasText: 'See you Sunday, Ruth' });
  await expect(sent).toHaveAttribute('data-status', 'sent');
  await expect(sent.getByTestId('message-status')).toHaveText('· Sent');
  await expect(box).toHaveValue('');
  await expect(conversations(page).getByTestId('conversation')).toHaveCount(1);

  // A simulated reply from the Testing box arrives through the webhook.
  await page.getByLabel('Reply from Ruth Moab').fill('Thanks! I will bring the kids.');
  await page.getByRole('button', { name: 'Simulate reply' }).click();
  const reply = thread(page, 'Ruth Moab').getByTestId('message').filter({ hasText: 'I will bring the kids' });
  await expect(reply).toHaveAttribute('data-direction', 'inbound');
  await expect(conversations(page).getByTestId('conversation-preview')).toHaveText('Thanks! I will bring the kids.');

  // A reply the page did not ask for (as from a phone) shows up by polling alone: in the open thread, and read at once.
  const polled = await trpcMutation(page.request, 'messages.simulateReply', {
    conversationId,
    body: 'What time does it start?',
  });
  expect(polled.status, polled.text).toBe(200);
  await expect(
    thread(page, 'Ruth Moab').getByTestId('message').filter({ hasText: 'What time does it start?' }),
  ).toBeVisible();
  await expect(conversations(page).getByTestId('conversation-preview')).toHaveText('What time does it start?');
  await expect(conversations(page).getByTestId('unread-count')).toHaveCount(0);

  // With no thread open, a new reply is unread in the list and in the menu until the thread is opened.
  await mainNav(page).getByRole('link', { name: 'Inbox', exact: true }).click();
  await expect(page).toHaveURL(/\/inbox$/);
  await expect(page.getByText('Choose a conversation')).toBeVisible();
  expect(
    (await trpcMutation(page.request, 'messages.simulateReply', { conversationId, body: 'Never mind, found it' }))
      .status,
  ).toBe(200);
  const row = conversations(page).getByTestId('conversation');
  await expect(row.getByTestId('unread-count')).toHaveText('1 unread');
  await expect(row).toHaveAttribute('data-unread', 'true');
  await expect(page.getByRole('navigation', { name: 'Main' }).getByTestId('nav-unread')).toHaveText('1 unread');
  await row.getByRole('link').click();
  await expect(
    thread(page, 'Ruth Moab').getByTestId('message').filter({ hasText: 'Never mind, found it' }),
  ).toBeVisible();
  await expect(row).toHaveAttribute('data-unread', 'false');
  await expect(page.getByRole('navigation', { name: 'Main' }).getByTestId('nav-unread')).toHaveCount(0);
});

test('STOP unsubscribes (auto-confirmed; sending refused in the page and the API); START resubscribes', async ({
  page,
}) => {
  test.setTimeout(120_000);
  await signUp(page, newChurch('Shiloh'));
  await addSendingNumber(page);
  const boaz = await addMember(page, { firstName: 'Boaz', lastName: 'Field', phone: randomUsNumber() });
  const first = await trpcMutation(page.request, 'messages.send', {
    memberId: boaz.id,
    body: 'Harvest supper on Friday',
  });
  expect(first.status, first.text).toBe(200);

  // A member link opens their existing conversation.
  await open(page, `/inbox?member=${boaz.id}`);
  await expect(page).toHaveURL(new RegExp(`/inbox\\?c=${first.data.conversationId}$`));
  const messages = thread(page, 'Boaz Field').getByTestId('message');
  await expect(messages.filter({ hasText: 'Harvest supper' })).toBeVisible();
  await expect(page.getByTestId('subscription')).toHaveText('Subscribed');

  await page.getByLabel('Reply from Boaz Field').fill('STOP');
  await page.getByRole('button', { name: 'Simulate reply' }).click();
  const stopConfirmation = messages.filter({ hasText: 'you are unsubscribed and will receive no more messages' });
  await expect(stopConfirmation).toHaveAttribute('data-kind', 'auto');
  await expect(stopConfirmation).toHaveAttribute('data-direction', 'outbound');
  // Automatic replies may go to unsubscribed members.
  await expect(stopConfirmation).toHaveAttribute('data-status', 'sent');
  await expect(page.getByTestId('subscription')).toHaveText('Unsubscribed');
  await expect(conversations(page).getByText('Unsubscribed')).toBeVisible();
  await expect(page.getByRole('textbox', { name: 'Message to Boaz' })).toBeDisabled();
  await expect(page.getByRole('button', { name: 'Send', exact: true })).toBeDisabled();
  await expect(page.getByTestId('unsubscribed-notice')).toHaveText(
    /Boaz has unsubscribed \(replied STOP\), so Steeple will not text them\./,
  );

  const refused = await trpcMutation(page.request, 'messages.send', {
    memberId: boaz.id,
    body: 'Are you still coming?',
  });
  expect(refused.status).toBe(412);
  expect(refused.error?.data.code).toBe('PRECONDITION_FAILED');
  expect(refused.error?.message).toBe('Boaz has unsubscribed (replied STOP), so Steeple will not text them.');

  await page.getByLabel('Reply from Boaz Field').fill('start');
  await page.getByRole('button', { name: 'Simulate reply' }).click();
  await expect(messages.filter({ hasText: 'you are subscribed' })).toHaveAttribute('data-kind', 'auto');
  await expect(page.getByTestId('subscription')).toHaveText('Subscribed');
  const box = page.getByRole('textbox', { name: 'Message to Boaz' });
  await expect(box).toBeEnabled();
  await box.fill('Welcome back!');
  await page.getByRole('button', { name: 'Send', exact: true }).click();
  await expect(messages.filter({ hasText: 'Welcome back!' })).toHaveAttribute('data-status', 'sent');
});

test('a broadcast to a branch skips the unsubscribed member and goes out at its scheduled time, counted live', async ({
  page,
}) => {
  test.setTimeout(120_000);
  await signUp(page, newChurch('Antioch'));
  await addSendingNumber(page);
  const branch = await trpcMutation(page.request, 'branches.create', { name: 'North Campus' });
  expect(branch.status, branch.text).toBe(200);
  const branchId: string = branch.data.id;
  await addMember(page, { firstName: 'Lydia', lastName: 'Purple', phone: randomUsNumber(), branchId });
  const silas = await addMember(page, { firstName: 'Silas', lastName: 'Song', phone: randomUsNumber(), branchId });
  await addMember(page, { firstName: 'Titus', lastName: 'Crete', phone: randomUsNumber() });
  // Silas replies STOP to a first message.
  const toSilas = await trpcMutation(page.request, 'messages.send', {
    memberId: silas.id,
    body: 'Welcome to North Campus',
  });
  expect(toSilas.status, toSilas.text).toBe(200);
  const stop = await trpcMutation(page.request, 'messages.simulateReply', {
    conversationId: toSilas.data.conversationId,
    body: 'STOP',
  });
  expect(stop.status, stop.text).toBe(200);

  await open(page, '/broadcasts');
  await expect(page.getByText('No broadcasts yet.')).toBeVisible();
  await page.getByRole('textbox', { name: 'Message', exact: true }).fill('North Campus picnic moved to 1pm');
  await expect(page.getByTestId('segment-counter')).toHaveText('32 characters · 1 text');
  await page.getByRole('radio', { name: 'A branch' }).check();
  await page.getByLabel('Branch', { exact: true }).selectOption({ label: 'North Campus (2 members)' });
  const preview = page.getByTestId('broadcast-preview');
  await expect(preview).toHaveAttribute('data-recipients', '1');
  await expect(preview).toHaveAttribute('data-skipped', '1');
  await expect(preview).toContainText('1 person will get it · 1 skipped (unsubscribed or not opted in)');

  // A few seconds ahead, in the browser's own time, to the second (step=1).
  await page.getByRole('radio', { name: 'Schedule for later' }).check();
  const at = await page.evaluate(() => {
    const d = new Date(Date.now() + 10_000);
    const pad = (n: number) => String(n).padStart(2, '0');
    return (
      `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}` +
      `T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`
    );
  });
  await page.getByLabel('Send at').fill(at);
  await page.getByRole('button', { name: 'Schedule…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Schedule a text to 1 person?' });
  await expect(dialog).toBeVisible();
  await expect(dialog).toContainText('North Campus picnic moved to 1pm');
  await expect(dialog).toContainText('Branch: North Campus (1 not opted in, skipped)');
  await dialog.getByRole('button', { name: 'Schedule', exact: true }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByRole('status').filter({ hasText: 'Broadcast scheduled for' })).toBeVisible();

  const item = page.getByRole('list', { name: 'Broadcasts' }).getByTestId('broadcast');
  await expect(item).toHaveCount(1);
  await expect(item).toHaveAttribute('data-state', 'scheduled');
  await expect(item.getByTestId('broadcast-state')).toHaveText('Scheduled');
  await expect(item).toContainText('Branch: North Campus');
  await expect(page.getByRole('textbox', { name: 'Message', exact: true })).toHaveValue('');

  // No reload: the list polls while something is scheduled or sending.
  await expect(item).toHaveAttribute('data-state', 'sent', { timeout: 30_000 });
  await expect(item.getByTestId('broadcast-state')).toHaveText('Sent');
  await expect(item.getByTestId('count-recipients')).toHaveText('1');
  await expect(item.getByTestId('count-sent')).toHaveText('1');
  await expect(item.getByTestId('count-skipped')).toHaveText('1');
  await expect(item.getByTestId('count-failed')).toHaveText('0');
  await expect(item.getByRole('button', { name: /Cancel/ })).toHaveCount(0);

  // Silas's thread has his STOP and its confirmation, not the broadcast.
  const silasThread = await trpcQuery(
    page.request,
    `conversations.get?input=${encodeURIComponent(JSON.stringify({ json: { id: toSilas.data.conversationId } }))}`,
  );
  expect((silasThread.data.messages as { body: string }[]).map((m) => m.body)).not.toContain(
    'North Campus picnic moved to 1pm',
  );
});

test('a scheduled broadcast can be cancelled before it goes out', async ({ page }) => {
  await signUp(page, newChurch('Berea'));
  await addSendingNumber(page);
  await addMember(page, { firstName: 'Priscilla', lastName: 'Tent', phone: randomUsNumber() });
  await open(page, '/broadcasts');
  await page.getByRole('textbox', { name: 'Message', exact: true }).fill('Choir practice tonight');
  await expect(page.getByTestId('broadcast-preview')).toHaveAttribute('data-recipients', '1');
  await page.getByRole('radio', { name: 'Schedule for later' }).check(); // defaults to ten minutes from now
  await page.getByRole('button', { name: 'Schedule…' }).click();
  await page
    .getByRole('dialog', { name: 'Schedule a text to 1 person?' })
    .getByRole('button', { name: 'Schedule', exact: true })
    .click();
  const item = page.getByRole('list', { name: 'Broadcasts' }).getByTestId('broadcast');
  await expect(item).toHaveAttribute('data-state', 'scheduled');

  await item.getByRole('button', { name: 'Cancel the broadcast to Everyone' }).click();
  const confirm = page.getByRole('dialog', { name: 'Cancel this broadcast?' });
  await confirm.getByRole('button', { name: 'Keep it' }).click();
  await expect(confirm).toBeHidden();
  await expect(item).toHaveAttribute('data-state', 'scheduled');
  await item.getByRole('button', { name: 'Cancel the broadcast to Everyone' }).click();
  await confirm.getByRole('button', { name: 'Cancel broadcast' }).click();
  await expect(confirm).toBeHidden();
  await expect(item).toHaveAttribute('data-state', 'canceled');
  await expect(item.getByTestId('broadcast-state')).toHaveText('Cancelled');
  // Cancelled before it began: nothing went out, and the time it was meant for is still shown.
  await expect(page.getByRole('status').filter({ hasText: 'Broadcast cancelled. Nothing was sent.' })).toBeVisible();
  await expect(item.getByTestId('broadcast-was-scheduled')).toContainText(/was scheduled for .+ (AM|PM) \S+/);
  await expect(item).toContainText('Cancelled before it began: nothing was sent.');
});

test('the dashboard guides a new church, then counts members, messages and scheduled broadcasts', async ({ page }) => {
  test.setTimeout(90_000);
  await signUp(page, newChurch('Emmaus'));
  // New: four next steps, none done, and an empty chart.
  const steps = page.getByRole('list', { name: 'Next steps' });
  await expect(steps.getByRole('listitem')).toHaveCount(4);
  await expect(steps.locator('[data-done="false"]')).toHaveCount(4);
  await expect(page.getByText('No texts yet.')).toBeVisible();
  await expect(page.getByTestId('stat-members')).toHaveText('0');

  await buyNumber(page.request);
  const anna = await addMember(page, { firstName: 'Anna', lastName: 'Temple', phone: randomUsNumber() });
  await addMember(page, { firstName: 'Simeon', lastName: 'Temple', phone: randomUsNumber() });
  let conversationId = '';
  for (const body of ['Prayer meeting at 7', 'Bring a friend']) {
    const res = await trpcMutation(page.request, 'messages.send', { memberId: anna.id, body });
    expect(res.status, res.text).toBe(200);
    conversationId = res.data.conversationId;
  }
  await expect.poll(() => threadStatuses(page, conversationId), { timeout: 20_000 }).toEqual(['sent', 'sent']);
  expect(
    (await trpcMutation(page.request, 'messages.simulateReply', { conversationId, body: 'Amen, see you there' }))
      .status,
  ).toBe(200);
  const later = await trpcMutation(page.request, 'broadcasts.create', {
    body: 'Fast on Friday',
    audience: { type: 'all' },
    scheduledAt: new Date(Date.now() + 3_600_000).toISOString(),
  });
  expect(later.status, later.text).toBe(200);

  await open(page, '/dashboard');
  await expect(page.getByTestId('stat-members')).toHaveText('2');
  await expect(page.getByTestId('stat-sent')).toHaveText('2');
  await expect(page.getByTestId('stat-received')).toHaveText('1');
  await expect(page.getByTestId('stat-unread')).toHaveText('1');
  await expect(page.getByTestId('stat-scheduled')).toHaveText('1');
  // Everything is done, so the next steps are gone.
  await expect(steps).toHaveCount(0);
  // Today's row of the chart's table (the accessible version of the bars) has the same numbers.
  const table = page.getByRole('table', { name: 'Messages per day, last 30 days' });
  const today = table.getByRole('row').last();
  await expect(today.getByRole('cell')).toHaveText(['2', '1', '0']);
  await expect(table.getByRole('row')).toHaveCount(31);

  // The cards lead to the details.
  await page.getByRole('link', { name: 'Unread conversations' }).click();
  await expect(page).toHaveURL(/\/inbox$/);
  await expect(conversations(page).getByTestId('unread-count')).toHaveText('1 unread');
});

test('the church profile is saved in Settings and HELP replies with its contact', async ({ page }) => {
  test.setTimeout(90_000);
  const church = newChurch('Bethel');
  await signUp(page, church);
  await addSendingNumber(page);

  const email = `office-${Date.now()}@example.org`;
  await expect(page.getByLabel('Church name')).toHaveValue(church.church);
  // Every problem at once, each beside its field.
  await page.getByLabel('Church name').fill('');
  await page.getByLabel('Country').selectOption('US');
  await page.getByLabel('Contact phone (optional)').fill('not a phone');
  await page.getByRole('button', { name: 'Save profile' }).click();
  await expect(page.getByLabel('Church name')).toHaveAccessibleDescription('Enter the church name');
  await expect(page.getByLabel('Contact phone (optional)')).toHaveAccessibleDescription('Enter a valid phone number');
  // A long name with no spaces wraps in the page's header instead of widening a phone's screen.
  await page.getByLabel('Church name').fill('W'.repeat(80));
  await page.getByLabel('Contact phone (optional)').fill('');
  await page.getByRole('button', { name: 'Save profile' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Saved.' })).toBeVisible();
  await page.setViewportSize({ width: 390, height: 844 });
  await open(page, '/settings');
  await fitsWidth(page);
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.getByLabel('Church name').fill(`${church.church} Chapel`);
  await page.getByLabel('Contact email (optional)').fill(email);
  await page.getByRole('button', { name: 'Save profile' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Saved.' })).toBeVisible();
  // The header, re-rendered on the server.
  await expect(page.getByTestId('church-name')).toHaveText(`${church.church} Chapel`);

  const member = await addMember(page, { firstName: 'Dorcas', lastName: 'Joppa', phone: randomUsNumber() });
  const first = await trpcMutation(page.request, 'messages.send', {
    memberId: member.id,
    body: 'Sewing circle on Tuesday',
  });
  expect(first.status, first.text).toBe(200);
  await open(page, `/inbox?c=${first.data.conversationId}`);
  await page.getByLabel('Reply from Dorcas Joppa').fill('HELP');
  await page.getByRole('button', { name: 'Simulate reply' }).click();
  await expect(
    thread(page, 'Dorcas Joppa')
      .getByTestId('message')
      .filter({ hasText: `contact us at ${email}` }),
  ).toHaveAttribute('data-kind', 'auto');
  await expect(page.getByTestId('subscription')).toHaveText('Subscribed'); // HELP changes nothing
});
