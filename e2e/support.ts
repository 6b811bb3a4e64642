import {
  expect,
  type APIRequestContext,
  type APIResponse,
  type Browser,
  type BrowserContext,
  type Page,
} from '@playwright/test';
import { readFileSync } from 'node:fs';
import Stripe from 'stripe';
import { localSigningKey, signWebhook } from '../server/messaging/signature';
import { devMailTo } from './dev-mail';

/** Shared steps for the end-to-end tests. Every test makes its own churches and people with unique emails. */

export const PASSWORD = 'a long enough password';

export const unique = () => `${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;

export type Church = { church: string; name: string; email: string; password: string };

export function newChurch(label: string): Church {
  const id = unique();
  return {
    church: `${label} Church ${id.slice(-6)}`,
    name: `${label} Pastor`,
    email: `${label.toLowerCase()}-${id}@example.org`,
    password: PASSWORD,
  };
}

/** Open a page and wait until React has hydrated it, so typing and clicking reach the app rather than the bare HTML. */
export async function open(page: Page, path: string) {
  await page.goto(path);
  await expect(page.locator('html[data-hydrated]')).toHaveCount(1);
}

/** Fill the three wizard steps and press "Create workspace" (does not wait for the result). */
export async function fillWizard(page: Page, c: Church) {
  await open(page, '/signup');
  await page.getByLabel('Church name').fill(c.church);
  await page.getByLabel('Timezone').selectOption('America/New_York');
  await page.getByRole('button', { name: 'Next' }).click();
  await page.getByLabel('Full name').fill(c.name);
  await page.getByLabel('Email').fill(c.email);
  await page.getByLabel('Password').fill(c.password);
  await page.getByRole('button', { name: 'Next' }).click();
  await expect(page.getByRole('heading', { name: /Review and create/ })).toBeVisible();
  await page.getByRole('button', { name: 'Create workspace' }).click();
}

/**
 * A new church whose owner is signed in on the dashboard. Tests about signup itself drive the wizard (fillWizard);
 * every other test starts here, through the same three requests the wizard and the onboarding page make (sign up,
 * poll until ready, exchange the ticket for a session), which saves each test the wizard's few seconds. Quiet hours
 * are switched off (a test's outcome must not depend on the hour it runs at) unless `quietHours` is set.
 */
/**
 * A new church through the API, signed in. Its owner opens the verification email (from the server's log), so it can
 * text anyone, unless `verified: false`.
 */
export async function signUp(page: Page, c: Church, opts: { quietHours?: boolean; verified?: boolean } = {}) {
  const input = { churchName: c.church, timezone: 'America/New_York', adminName: c.name, email: c.email };
  const created = await trpcMutation(page.request, 'onboarding.signup', { ...input, password: c.password });
  expect(created.status, created.text).toBe(200);
  const ticket = created.data.ticket as string;
  await expect
    .poll(async () => (await trpcQuery(page.request, withInput('onboarding.status', { ticket }))).data?.state, {
      timeout: 20_000,
      intervals: [100, 250],
    })
    .toBe('ready');
  await signInWith(page.request, 'signup-ticket', { ticket });
  if (opts.verified !== false) await verifyEmail(page, c.email);
  await open(page, '/dashboard');
  await expect(page.getByRole('heading', { name: `Welcome, ${c.name.split(' ')[0]}` })).toBeVisible();
  if (!opts.quietHours) {
    const off = await trpcMutation(page.request, 'church.updateQuietHours', {
      enabled: false,
      startMinute: 21 * 60,
      endMinute: 8 * 60,
    });
    expect(off.status, off.text).toBe(200);
  }
}

/** Opens the owner's verification link as the page would (its token, to the same procedure). */
export async function verifyEmail(page: Page, email: string) {
  const mail = await devMailTo(email, 'Verify your email');
  const token = new URL(mail.links[0]!).pathname.split('/').pop()!;
  const verified = await trpcMutation(page.request, 'emailVerification.verify', { token });
  expect(verified.status, verified.text).toBe(200);
}

/** Sign in through next-auth's credentials endpoint as its client does (CSRF token, then the provider's callback). */
async function signInWith(request: APIRequestContext, provider: string, credentials: Record<string, string>) {
  const { csrfToken } = await (await request.get('/api/auth/csrf')).json();
  const res = await request.post(`/api/auth/callback/${provider}`, {
    form: { ...credentials, csrfToken, json: 'true' },
  });
  expect(res.ok(), await res.text()).toBe(true);
  expect(res.url(), 'signed in, not sent back with an error').not.toContain('error=');
}

export async function signIn(page: Page, email: string, password: string) {
  await open(page, '/login');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

export async function signOut(page: Page) {
  await page.getByRole('button', { name: 'Sign out', exact: true }).click();
  await expect(page).toHaveURL(/\/login$/);
}

export const mainNav = (page: Page) => page.getByRole('navigation', { name: 'Main' });

/** Go to a section through the main menu, as a person would: on a phone the menu opens first (its Menu button). */
export async function openSection(page: Page, name: string) {
  const toggle = mainNav(page).getByRole('button', { name: /^Menu/ });
  if (await toggle.isVisible()) await toggle.click();
  await mainNav(page).getByRole('link', { name, exact: true }).click();
}

export async function sessionCookie(context: BrowserContext) {
  const cookie = (await context.cookies()).find((c) => c.name === 'next-auth.session-token');
  expect(cookie, 'a session cookie after sign-in').toBeTruthy();
  return `${cookie!.name}=${cookie!.value}`;
}

/**
 * Call a tRPC query over HTTP as the browser would (GET /api/trpc/<path>), with `cookie` or the request context's
 * own cookies. Returns the HTTP status, the result data (superjson's `json`) and the error, if any.
 */
export async function trpcQuery(request: APIRequestContext, path: string, cookie?: string) {
  return trpcAnswer(await request.get(`/api/trpc/${path}`, { headers: cookie ? { cookie } : {} }));
}

/**
 * Call a tRPC mutation over HTTP as the browser would (POST /api/trpc/<path>, superjson body), with the request
 * context's own cookies (a page's `page.request` is signed in as that page). Same result shape as trpcQuery.
 */
export async function trpcMutation(request: APIRequestContext, path: string, input: unknown) {
  return trpcAnswer(await request.post(`/api/trpc/${path}`, { data: { json: input } }));
}

/** A tRPC answer unwrapped: status, data (superjson's `json`), the error if any, and the raw text for messages. */
async function trpcAnswer(res: APIResponse) {
  const body = await res.json();
  return {
    status: res.status(),
    data: body.result?.data?.json,
    error: body.error?.json as { message: string; data: { code: string } } | undefined,
    text: JSON.stringify(body),
  };
}

/** A tRPC query's path with its input, as the browser sends it (GET /api/trpc/<path>?input=<superjson>). */
export const withInput = (path: string, input: unknown) =>
  `${path}?input=${encodeURIComponent(JSON.stringify({ json: input }))}`;

type NumberSearch = { areaCode?: string; city?: string; state?: string; tollFree?: boolean };

/**
 * Buy a sending number for the church signed in on `request`, as the owner does in Settings: search the inventory
 * (the simulated one in e2e, with no Telnyx key), order one of the results, and return it in E.164. Throws rather
 * than expects, so scripts/lighthouse.ts can seed with it too. The pick is
 * random, so churches made by other tests (kept in the same database) do not race for the same number; if someone
 * else bought it between search and order (CONFLICT), search again.
 */
export async function buyNumber(request: APIRequestContext, search: NumberSearch = {}): Promise<string> {
  const number = await orderNumber(request, search);
  await registerNumber(request, search.tollFree ? 'toll_free' : '10dlc');
  return number;
}

/**
 * Through Settings, as the owner does: search the (simulated) inventory, buy one of the numbers offered (a random one,
 * so churches of other tests in the same database do not reach for the same), after its cost is confirmed. It is not
 * registered with carriers yet (registerNumber).
 */
export async function buyNumberInSettings(page: Page): Promise<string> {
  await open(page, '/settings');
  await expect(page.getByText('No sending number yet.')).toBeVisible();
  await page.getByRole('button', { name: 'Search', exact: true }).click();
  const offers = page.getByRole('list', { name: 'Numbers for sale' }).getByTestId('number-offer');
  await expect(offers.first()).toBeVisible();
  const offer = offers.nth(Math.floor(Math.random() * (await offers.count())));
  const number = (await offer.getAttribute('data-number'))!;
  const buy = offer.getByRole('button', { name: /^Buy / });
  const label = (await buy.getAttribute('aria-label'))!;
  await buy.click();
  const confirm = page.getByRole('dialog', { name: `${label}?` });
  await expect(confirm).toContainText('$1.00 a month');
  await confirm.getByRole('button', { name: 'Buy number' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'is yours. Register it with carriers' })).toBeVisible();
  await expect(page.getByRole('list', { name: 'Sending numbers' }).getByTestId('phone-number')).toHaveAttribute(
    'data-number',
    number,
  );
  return number;
}

/** Order a number for the church (the owner's session in `request`), without registering it. */
export async function orderNumber(request: APIRequestContext, search: NumberSearch = {}): Promise<string> {
  for (let attempt = 1; ; attempt++) {
    const found = await trpcQuery(request, withInput('phoneNumbers.search', search));
    if (found.status !== 200) throw new Error(`searching for numbers: ${found.text}`);
    const offers = found.data as { number: string }[];
    if (offers.length === 0) throw new Error(`no numbers for sale for ${JSON.stringify(search)}`);
    const pick = offers[Math.floor(Math.random() * offers.length)]!.number;
    const order = await trpcMutation(request, 'phoneNumbers.order', { phoneNumber: pick });
    if (order.status === 200) return order.data.number as string;
    if (order.error?.data.code !== 'CONFLICT' || attempt >= 5) throw new Error(`ordering ${pick}: ${order.text}`);
  }
}

type Overview = {
  numbers: { registered: boolean; active: boolean }[];
  paths: { kind: string; registration: { status: string } | null }[];
  draft: Record<string, unknown>;
};

/**
 * Register the church's number with carriers as its owner would: the prefilled form, completed, submitted; then
 * wait for the simulated review (SIMULATED_APPROVAL_SECONDS, 1 s here) to approve it and attach the number.
 */
export async function registerNumber(request: APIRequestContext, kind: '10dlc' | 'toll_free' = '10dlc') {
  const read = async () => {
    const res = await trpcQuery(request, 'registration.get');
    if (res.status !== 200) throw new Error(`reading the registration: ${res.text}`);
    return res.data as Overview;
  };
  const { draft, paths } = await read();
  if (!paths.find((p) => p.kind === kind)?.registration) {
    // What Steeple cannot know (the EIN, the address) filled in; the contact where the signup left it empty.
    const details = {
      ...draft,
      ...{ ein: '12-3456789', street: '100 Church Street', city: 'Nashville', state: 'TN', postalCode: '37203' },
      website: 'example.org',
      contactFirstName: draft.contactFirstName || 'Ruth',
      contactLastName: draft.contactLastName || 'Okafor',
      contactEmail: draft.contactEmail || 'office@example.org',
      contactPhone: draft.contactPhone || '(615) 555-0142',
    };
    const sent = await trpcMutation(request, 'registration.submit', { kind, details });
    if (sent.status !== 200) throw new Error(`submitting the registration: ${sent.text}`);
  }
  for (let i = 0; i < 60; i++) {
    const now = await read();
    if (now.numbers.every((n) => !n.active || n.registered)) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error('the simulated review did not approve the registration within 15 s');
}

/**
 * A valid, random US mobile-style number in E.164, for members and people texting in: never in the 555 exchange,
 * where the simulated inventory's sending numbers are (buyNumber).
 */
export function randomUsNumber(): string {
  for (;;) {
    const area = ['202', '312', '415', '512', '617', '718'][Math.floor(Math.random() * 6)]!;
    const exchange = String(200 + Math.floor(Math.random() * 800));
    const line = String(Math.floor(Math.random() * 10_000)).padStart(4, '0');
    const e164 = `+1${area}${exchange}${line}`;
    if (exchange.endsWith('11') || exchange === '555') continue; // N11 service codes and the fictional range
    return e164;
  }
}

// ---------------------------------------------------------------------------------------------
// Billing: the fake Stripe (e2e/fake-stripe.mjs) that playwright.config.ts starts and points the app at.
// ---------------------------------------------------------------------------------------------

/** Where the fake Stripe listens: E2E_STRIPE_PORT, or the app's port + 1 (as playwright.config.ts computes it). */
const fakeStripePort = Number(process.env.E2E_STRIPE_PORT ?? Number(process.env.E2E_PORT ?? 3210) + 1);
export const FAKE_STRIPE_URL = `http://127.0.0.1:${fakeStripePort}`;

/** The STRIPE_WEBHOOK_SECRET playwright.config.ts gives the app. */
export const STRIPE_WEBHOOK_SECRET = 'whsec_e2e_steeple';

/**
 * The Stripe customer provisioning created for the church whose owner signed up with `email` (recorded by
 * the fake).
 */
export async function stripeCustomerOf(request: APIRequestContext, email: string): Promise<string> {
  let id = '';
  await expect(async () => {
    const res = await request.get(`${FAKE_STRIPE_URL}/__customers?email=${encodeURIComponent(email)}`);
    expect(res.status(), `a Stripe customer for ${email}`).toBe(200);
    id = (await res.json()).id;
  }).toPass({ timeout: 10_000 });
  return id;
}

/**
 * POST a Stripe event to the app's webhook as Stripe would: the raw JSON body, signed with `secret` (the app's by
 * default) in the Stripe-Signature header. Returns the response.
 */
export async function postStripeEvent(request: APIRequestContext, event: object, secret = STRIPE_WEBHOOK_SECRET) {
  const payload = JSON.stringify(event);
  const signature = Stripe.webhooks.generateTestHeaderString({ payload, secret });
  return request.post('/api/webhooks/stripe', {
    data: payload,
    headers: { 'content-type': 'application/json', 'stripe-signature': signature },
  });
}

/** The METRICS_TOKEN playwright.config.ts gives the app: /api/health's details and /api/metrics are for its bearer. */
export const METRICS_TOKEN = 'e2e-metrics-token-0123456789';

type Member = { id: string; firstName: string; lastName: string };

/** A member made through the API, recorded as having agreed (with how), so broadcasts reach them. */
export async function addMember(
  page: Page,
  input: { firstName: string; lastName: string; phone: string; branchId?: string },
): Promise<Member> {
  const res = await trpcMutation(page.request, 'members.create', {
    ...input,
    subscription: 'subscribed',
    consentNote: 'agreed at the welcome desk',
  });
  expect(res.status, res.text).toBe(200);
  return res.data;
}

/**
 * A staff member invited by the signed-in admin of `page`, signed in on a phone-sized page of their own (390 px): for
 * the tests that check what staff may see and do.
 */
export async function staffOnPhone(page: Page, browser: Browser, baseURL: string | undefined) {
  const email = `staff-${unique()}@example.org`;
  const invite = await trpcMutation(page.request, 'team.invite', { email, role: 'staff' });
  expect(invite.status, invite.text).toBe(200);
  const context = await browser.newContext({ baseURL, viewport: { width: 390, height: 844 } });
  const staff = await context.newPage();
  const token = String(invite.data.url).split('/invite/')[1];
  const accepted = await trpcMutation(context.request, 'team.accept', { token, name: 'Sam Staff', password: PASSWORD });
  expect(accepted.status, accepted.text).toBe(200);
  await signIn(staff, email, PASSWORD);
  await expect(staff).toHaveURL(/\/dashboard$/);
  return staff;
}

/**
 * Post a Telnyx event to the app's webhook as Telnyx would, signed with the deployment's local key (the key simulated
 * replies are signed with, derived from STEEPLE_SECRET_KEY, which the embedded default keeps in .data/secret-key).
 */
export async function postTelnyxEvent(request: APIRequestContext, body: string) {
  const secret =
    process.env.STEEPLE_SECRET_KEY ?? readFileSync(new URL('../.data/secret-key', import.meta.url), 'utf8').trim();
  const res = await request.post('/api/webhooks/telnyx', {
    data: body,
    headers: { 'content-type': 'application/json', ...signWebhook(localSigningKey(secret), body) },
  });
  expect(res.status(), await res.text()).toBe(200);
}
