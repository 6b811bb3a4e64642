import { expect, test } from '@playwright/test';

const unique = () => `${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;

test('a new church signs up and watches its workspace being prepared until it is ready', async ({ page }) => {
  const email = `pastor-${unique()}@example.org`;
  await page.goto('/signup');
  await page.getByLabel('Church name').fill('Hope Community Church');
  await page.getByLabel('Timezone').selectOption('America/New_York');
  await page.getByLabel('Full name').fill('Dana Pastor');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill('a long enough password');
  await page.getByRole('button', { name: 'Create workspace' }).click();

  await expect(page).toHaveURL(/\/onboarding$/);
  const progress = page.getByRole('list', { name: 'Setup progress' });
  await expect(progress.getByRole('listitem')).toHaveCount(5);
  await expect(page.getByRole('heading', { name: 'Your workspace is ready' })).toBeVisible();
  await expect(progress.locator('[data-state="done"]')).toHaveCount(5);
  // The ticket never appears in the address bar.
  expect(page.url()).not.toContain('ticket');
});

test('a second signup with the same email is told plainly, and field errors show inline', async ({ page }) => {
  const email = `dup-${unique()}@example.org`;
  for (const attempt of [1, 2]) {
    await page.goto('/signup');
    await page.getByLabel('Church name').fill(`Church ${attempt}`);
    await page.getByLabel('Full name').fill('Sam Admin');
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill('a long enough password');
    await page.getByRole('button', { name: 'Create workspace' }).click();
    if (attempt === 1) await expect(page).toHaveURL(/\/onboarding$/);
  }
  await expect(page.getByText('An account with this email already exists')).toBeVisible();

  await page.getByLabel('Church name').fill('X');
  await page.getByRole('button', { name: 'Create workspace' }).click();
  await expect(page.getByText('Enter the church name')).toBeVisible();
});

test('health reports the registry and connection counters without leaks', async ({ request }) => {
  const res = await request.get('/api/health');
  expect(res.status()).toBe(200);
  const body = await res.json();
  expect(body.registry.status).toBe('ok');
  expect(body.connections.potentialLeaks).toBe(0);
});
