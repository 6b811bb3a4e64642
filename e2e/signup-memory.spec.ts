import { expect, test, type Page } from '@playwright/test';
import { fitsPhoneWithoutSeriousAxeViolations } from './page-checks';
import { newChurch, open } from './support';

const DRAFT_KEY = 'steeple.signupDraft';

/** Everything this tab keeps in session storage, as one string (to look for the password in). */
const sessionStorageText = (page: Page) => page.evaluate(() => JSON.stringify({ ...sessionStorage }));

async function expectChurchStep(page: Page, church: string) {
  await expect(page.getByRole('heading', { name: /Your church/ })).toBeVisible();
  await expect(page.getByLabel('Church name')).toHaveValue(church);
  await expect(page.getByLabel('Timezone')).toHaveValue('America/Chicago');
  await expect(page.getByLabel('Size')).toHaveValue('500-1999');
}

for (const size of [
  { width: 1280, height: 800 },
  { width: 390, height: 844 },
]) {
  test(`signup keeps what was typed, never the password, across a reload and Back (${size.width}px)`, async ({
    page,
  }) => {
    const c = newChurch('Memory');
    await page.setViewportSize(size);
    await open(page, '/signup');
    await page.getByLabel('Church name').fill(c.church);
    await page.getByLabel('Timezone').selectOption('America/Chicago');
    await page.getByLabel('Size').selectOption('500-1999');
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByLabel('Full name').fill(c.name);
    await page.getByLabel('Email').fill(c.email);
    await page.getByLabel('Password').fill(c.password);

    // A reload: back on the same step with what was typed, but the password.
    await page.reload();
    await expect(page.locator('html[data-hydrated]')).toHaveCount(1);
    await expect(page.getByRole('heading', { name: /About you/ })).toBeVisible();
    await expect(page.getByLabel('Full name')).toHaveValue(c.name);
    await expect(page.getByLabel('Email')).toHaveValue(c.email);
    await expect(page.getByLabel('Password')).toHaveValue('');
    expect(await sessionStorageText(page)).not.toContain(c.password);
    await fitsPhoneWithoutSeriousAxeViolations(page);
    await page.getByRole('button', { name: 'Back' }).click();
    await expectChurchStep(page, c.church);

    // Away to the sign-in page and Back (a link, then a full page load).
    await page.getByRole('link', { name: 'Sign in' }).click();
    await expect(page).toHaveURL(/\/login$/);
    await page.goBack();
    await expect(page).toHaveURL(/\/signup$/);
    await expectChurchStep(page, c.church);
    await open(page, '/login');
    await page.goBack();
    await expect(page.locator('html[data-hydrated]')).toHaveCount(1);
    await expectChurchStep(page, c.church);
    await fitsPhoneWithoutSeriousAxeViolations(page);

    // Once the workspace is created there is nothing left to come back to.
    await page.getByRole('button', { name: 'Next' }).click();
    await expect(page.getByLabel('Email')).toHaveValue(c.email);
    await page.getByLabel('Password').fill(c.password);
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByRole('button', { name: 'Create workspace' }).click();
    await expect(page).toHaveURL(/\/dashboard$/, { timeout: 20_000 });
    expect(await page.evaluate((key) => sessionStorage.getItem(key), DRAFT_KEY)).toBeNull();
  });
}
