import AxeBuilder from '@axe-core/playwright';
import { expect, type Page } from '@playwright/test';

/** What every page must pass: it fits the viewport's width (no sideways scrolling) and has no serious axe issue. */

export async function fitsWidth(page: Page) {
  const [scroll, client] = await page.evaluate(() => [
    document.documentElement.scrollWidth,
    document.documentElement.clientWidth,
  ]);
  expect(scroll, 'no sideways scrolling').toBeLessThanOrEqual(client);
}

export async function noSeriousAxeViolations(page: Page) {
  const { violations } = await new AxeBuilder({ page }).analyze();
  const serious = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(serious.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
}

export async function fitsPhoneWithoutSeriousAxeViolations(page: Page) {
  await fitsWidth(page);
  await noSeriousAxeViolations(page);
}
