import { expect, test, type Page } from '@playwright/test';
import { devMailTo } from './dev-mail';
import { fitsPhoneWithoutSeriousAxeViolations } from './page-checks';
import { addMember, buyNumber, newChurch, open, randomUsNumber, registerNumber, signUp } from './support';

/**
 * Email verification: a new church's owner is asked to open the emailed link, and until they do the church texts only
 * its team's own phones (their mobiles, set in Account). The link's page verifies on a press of its button.
 */

const thread = (page: Page, name: string) => page.getByRole('log', { name: `Messages with ${name}` });

async function textFromInbox(page: Page, memberId: string, firstName: string, body: string) {
  await open(page, `/inbox?member=${memberId}`);
  await page.getByRole('textbox', { name: `Message to ${firstName}` }).fill(body);
  await page.getByRole('button', { name: 'Send', exact: true }).click();
}

test('until the owner verifies their email the church texts only its team; the emailed link opens texting', async ({
  page,
}) => {
  test.setTimeout(120_000);
  const c = newChurch('Unverified');
  await signUp(page, c, { verified: false });
  await buyNumber(page.request);
  await registerNumber(page.request);
  const ruth = await addMember(page, { firstName: 'Ruth', lastName: 'Moab', phone: randomUsNumber() });
  const mine = randomUsNumber();
  const me = await addMember(page, { firstName: 'Pastor', lastName: 'Self', phone: mine });

  // The banner, on a phone too.
  await page.setViewportSize({ width: 390, height: 844 });
  await open(page, '/dashboard');
  const banner = page.getByTestId('verification-banner');
  await expect(banner).toContainText('Verify your email to text everyone.');
  await expect(banner).toContainText(`We sent a link to ${c.email}`);
  await fitsPhoneWithoutSeriousAxeViolations(page);
  await page.setViewportSize({ width: 1280, height: 800 });

  // A stranger's text is refused, saying why and what to do.
  await textFromInbox(page, ruth.id, 'Ruth', 'Welcome to Grace!');
  await expect(page.getByRole('form', { name: 'Reply to Ruth' }).getByRole('alert')).toContainText(
    'Until the owner verifies their email',
  );

  // The owner's own mobile makes a member of the team: texting it works already.
  await banner.getByRole('link', { name: 'add yours in Account' }).click();
  await expect(page).toHaveURL(/\/account#mobile$/);
  await page.getByRole('textbox', { name: 'Mobile number' }).fill(mine.slice(2));
  await page.getByRole('button', { name: 'Save number' }).click();
  await expect(page.getByText(/^Saved: \(\d{3}\) \d{3}-\d{4}\.$/)).toBeVisible();
  await textFromInbox(page, me.id, 'Pastor', 'A test to myself');
  const toMe = thread(page, 'Pastor Self').getByTestId('message').filter({ hasText: 'A test to myself' });
  await expect(toMe).toHaveAttribute('data-status', 'sent');

  // "Send the email again", then the newest link, opened as from the mail.
  await banner.getByRole('button', { name: 'Send the email again' }).click();
  await expect(banner).toContainText('Sent — check your inbox.');
  const mail = await devMailTo(c.email, 'Verify your email', 1);
  await page.setViewportSize({ width: 390, height: 844 });
  await open(page, new URL(mail.links[0]!).pathname);
  await expect(page.getByRole('heading', { name: 'Verify your email' })).toBeVisible();
  await fitsPhoneWithoutSeriousAxeViolations(page);
  await page.getByRole('button', { name: 'Verify my email address' }).click();
  await expect(page.getByRole('heading', { name: 'Email verified' })).toBeVisible();
  await page.getByRole('link', { name: 'Go to your dashboard' }).click();
  await expect(page.getByRole('heading', { name: /^Welcome/ })).toBeVisible();
  await expect(page.getByTestId('verification-banner')).toHaveCount(0);

  // Now anyone who agreed can be texted.
  await page.setViewportSize({ width: 1280, height: 800 });
  await textFromInbox(page, ruth.id, 'Ruth', 'Welcome to Grace!');
  const toRuth = thread(page, 'Ruth Moab').getByTestId('message').filter({ hasText: 'Welcome to Grace!' });
  await expect(toRuth).toHaveAttribute('data-status', 'sent');

  // The used link cannot be used again.
  await open(page, new URL(mail.links[0]!).pathname);
  await page.getByRole('button', { name: 'Verify my email address' }).click();
  await expect(page.getByRole('heading', { name: 'This link cannot be used' })).toBeVisible();
});
