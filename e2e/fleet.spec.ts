import { execFile } from 'node:child_process';
import { expect, test } from '@playwright/test';
import { newChurch, signIn, signUp } from './support';

/**
 * What a church's users see when an operator works on it with `npm run tenants` (run here as an operator would,
 * against the same embedded PostgreSQL the app under test uses).
 */
function tenants(...args: string[]) {
  return new Promise<string>((resolve, reject) => {
    const env = { ...process.env, DATABASE_URL: '', EMBEDDED_PG_DIR: 'e2e-pg', LOG_LEVEL: 'error' };
    execFile(
      'npx',
      ['tsx', 'scripts/tenants.ts', ...args, '--json'],
      { env, timeout: 60_000 },
      (err, stdout, stderr) =>
        err ? reject(new Error(`tenants ${args.join(' ')} failed: ${stderr || err.message}`)) : resolve(stdout),
    );
  });
}

async function slugOf(name: string) {
  const churches = JSON.parse(await tenants('list')) as { slug: string; name: string }[];
  return churches.find((c) => c.name === name)!.slug;
}

test('a suspended church sees a maintenance page until it is resumed', async ({ page }) => {
  const c = newChurch('Maintenance');
  await signUp(page, c);
  const slug = await slugOf(c.church);

  await tenants('suspend', slug, '--reason', 'e2e maintenance');
  // The app notices within its route cache's few seconds.
  await expect(async () => {
    await page.goto('/dashboard');
    await expect(page.getByRole('heading', { name: 'Back soon' })).toBeVisible({ timeout: 1_000 });
  }).toPass({ timeout: 20_000 });
  await expect(page.getByText('Your workspace is down for maintenance.')).toBeVisible();
  // The operator's note and internals stay private.
  await expect(page.getByText(/e2e maintenance|registry|database/i)).toHaveCount(0);

  await tenants('resume', slug);
  await expect(async () => {
    await page.goto('/dashboard');
    await expect(page.getByRole('heading', { name: /Welcome/ })).toBeVisible({ timeout: 1_000 });
  }).toPass({ timeout: 20_000 });
});

test('a deleted church is signed out and told it is closed when signing in', async ({ page }) => {
  const c = newChurch('Closing');
  await signUp(page, c);
  await tenants('delete', await slugOf(c.church));
  await expect(async () => {
    await page.goto('/dashboard');
    await expect(page).toHaveURL(/\/login/, { timeout: 1_000 });
  }).toPass({ timeout: 20_000 });
  await signIn(page, c.email, c.password);
  await expect(page.getByText('This workspace has been closed.', { exact: false })).toBeVisible();
});
