import AxeBuilder from '@axe-core/playwright';
import { expect, type Page } from '@playwright/test';

/**
 * What every page must pass: it fits the viewport's width (no sideways scrolling), has no serious axe issue, and on a
 * phone its controls are big enough to touch.
 */

export async function fitsWidth(page: Page) {
  const [scroll, client] = await page.evaluate(() => [
    document.documentElement.scrollWidth,
    document.documentElement.clientWidth,
  ]);
  expect(scroll, 'no sideways scrolling').toBeLessThanOrEqual(client);
}

/** Axe on the whole page, or only on what `within` selects (an open dialog, once the page behind it was checked). */
export async function noSeriousAxeViolations(page: Page, within?: string) {
  const axe = new AxeBuilder({ page });
  const { violations } = await (within ? axe.include(within) : axe).analyze();
  const serious = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(serious.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
}

export async function fitsPhoneWithoutSeriousAxeViolations(page: Page) {
  await fitsWidth(page);
  await noSeriousAxeViolations(page);
}

/**
 * One phone format everywhere: numbers are shown as the church reads them (formatPhone: "(615) 555-0142" at home,
 * "+44 7700 900123" abroad), never as stored ("+16155550142"). Inputs are not text, so what someone typed is left be.
 */
export async function noRawPhoneNumbers(page: Page) {
  const text = await page.locator('main').innerText();
  expect(text.match(/\+\d{8,15}\b/g) ?? [], 'phone numbers in E.164, not formatted').toEqual([]);
}

/**
 * WCAG 2.2's target size (2.5.8, AA), without its spacing exception: every visible control in the page's <main> — or
 * in the open dialog, when one is (the page behind it is inert) — is at least `min` CSS px each way. A checkbox or
 * radio counts its label's box, and a link stretched over a card (an absolutely placed ::after) the card's. Links
 * inside a sentence are exempt, as WCAG exempts them. Fails with a list of what is too small.
 */
export async function touchSizedTargets(page: Page, min = 24) {
  const small = await page.evaluate((min) => {
    const dialogs = [...document.querySelectorAll<HTMLDialogElement>('dialog[open]')];
    const scope: Element | null = dialogs.at(-1) ?? document.querySelector('main');
    if (!scope) return ['no <main> on the page'];
    const selector = [
      'a[href]',
      'button',
      'input:not([type=hidden])',
      'select',
      'textarea',
      'summary',
      '[role=button]',
      '[role=link]',
      '[role=checkbox]',
      '[role=radio]',
      '[role=tab]',
    ].join(',');

    const visible = (el: Element) => {
      const rect = el.getBoundingClientRect();
      return rect.width > 1 && rect.height > 1 && el.checkVisibility({ visibilityProperty: true });
    };
    /** A link in running text: inline, with words of its own block around it. */
    const inSentence = (el: Element) => {
      if (el.tagName !== 'A' || getComputedStyle(el).display !== 'inline') return false;
      let block = el.parentElement;
      while (block && getComputedStyle(block).display.startsWith('inline')) block = block.parentElement;
      return (block?.textContent ?? '').trim().length > (el.textContent ?? '').trim().length;
    };
    const labelOf = (el: Element) => {
      if (!(el instanceof HTMLInputElement) || !['checkbox', 'radio'].includes(el.type)) return null;
      return el.labels?.[0] ?? null;
    };
    const boxOf = (el: Element): DOMRect => {
      const own = el.getBoundingClientRect();
      const label = labelOf(el)?.getBoundingClientRect();
      if (label && label.width * label.height > own.width * own.height) return label;
      const after = getComputedStyle(el, '::after');
      if (after.content !== 'none' && after.position === 'absolute' && el instanceof HTMLElement && el.offsetParent)
        return el.offsetParent.getBoundingClientRect();
      return own;
    };
    const describe = (el: Element, box: DOMRect) => {
      const name =
        el.getAttribute('aria-label') ||
        (el as HTMLInputElement).labels?.[0]?.textContent ||
        el.textContent ||
        (el as HTMLInputElement).name ||
        '';
      const what = el.tagName.toLowerCase() + (el.getAttribute('type') ? `[type=${el.getAttribute('type')}]` : '');
      const size = `${Math.round(box.width * 10) / 10}×${Math.round(box.height * 10) / 10}`;
      return `${what} "${name.trim().replace(/\s+/g, ' ').slice(0, 40)}" ${size}`;
    };

    return [...scope.querySelectorAll(selector)]
      .filter((el) => !(el as HTMLButtonElement).disabled && visible(el) && !inSentence(el))
      .map((el) => ({ el, box: boxOf(el) }))
      .filter(({ box }) => box.width < min - 0.01 || box.height < min - 0.01)
      .map(({ el, box }) => describe(el, box));
  }, min);
  expect(small, `controls smaller than ${min}×${min} px`).toEqual([]);
}
