import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { expect, test, type APIRequestContext } from '@playwright/test';
import { METRICS_TOKEN, newChurch, open, signIn, signOut, signUp } from './support';

/**
 * What scripts/serve.mjs (the app's own HTTP front) and the route handlers promise every client: the security
 * headers with a per-response CSP nonce, a health check that tells strangers nothing, sign-in throttling keyed by
 * the socket's address (never a header the client wrote), and request bodies and batches with a ceiling.
 */

// ---------------------------------------------------------------------------------------------
// Headers
// ---------------------------------------------------------------------------------------------

/** The nonce in a CSP's script-src (undefined when there is none). */
function nonceOf(csp: string): string | undefined {
  const scriptSrc = csp
    .split(';')
    .map((d) => d.trim())
    .find((d) => d.startsWith('script-src '));
  return scriptSrc?.match(/'nonce-([A-Za-z0-9+/=_-]+)'/)?.[1];
}

type HeaderList = { name: string; value: string }[];

/**
 * The headers every response must carry (this e2e app is served over http, so no HSTS). Takes `headersArray()` of an
 * APIResponse or a page's Response (whose `headers()` leaves security headers out). Returns the CSP nonce.
 */
function expectSecurityHeaders(list: HeaderList, what: string): string {
  const all = (name: string) => list.filter((h) => h.name.toLowerCase() === name).map((h) => h.value);
  // One policy only: a second one (from Next.js, say) would be enforced too and could block the nonce'd scripts.
  expect(all('content-security-policy'), `${what}: one CSP header`).toHaveLength(1);
  const csp = all('content-security-policy')[0]!;
  expect(csp, `${what}: CSP`).toContain("frame-ancestors 'none'");
  expect(csp, `${what}: CSP`).toContain("object-src 'none'");
  const nonce = nonceOf(csp);
  expect(nonce, `${what}: a nonce in script-src (${csp})`).toBeTruthy();
  expect(all('x-content-type-options'), `${what}: nosniff`).toEqual(['nosniff']);
  expect(all('referrer-policy'), `${what}: Referrer-Policy`).toEqual(['strict-origin-when-cross-origin']);
  expect(all('x-frame-options'), `${what}: X-Frame-Options`).toEqual(['DENY']);
  const permissions = all('permissions-policy')
    .join(',')
    .split(',')
    .map((p) => p.trim());
  for (const feature of ['camera', 'microphone', 'geolocation'])
    expect(permissions, `${what}: Permissions-Policy`).toContain(`${feature}=()`);
  expect(all('strict-transport-security'), `${what}: no HSTS over http`).toEqual([]);
  return nonce!;
}

/** Every <script> in the page's HTML carries this response's nonce, or the browser would refuse to run it. */
function expectScriptsCarry(html: string, nonce: string, what: string) {
  const scripts = html.match(/<script\b[^>]*>/gi) ?? [];
  expect(scripts.length, `${what}: has scripts`).toBeGreaterThan(0);
  for (const tag of scripts) expect(tag, `${what}: script without this response's nonce`).toContain(`nonce="${nonce}"`);
}

test('pages and API routes carry the security headers, with a fresh CSP nonce on every response', async ({
  request,
}) => {
  for (const path of ['/', '/login', '/signup']) {
    const res = await request.get(path, { maxRedirects: 0 });
    expect(res.status(), path).toBe(200);
    const nonce = expectSecurityHeaders(res.headersArray(), path);
    expectScriptsCarry(await res.text(), nonce, path);
  }
  expectSecurityHeaders((await request.get('/api/health')).headersArray(), '/api/health');
  const trpc = await request.get('/api/trpc/account.me'); // signed out: a 401 is still a response that needs them
  expect(trpc.status()).toBe(401);
  expectSecurityHeaders(trpc.headersArray(), 'tRPC account.me');

  // A nonce that repeats is one an injected script could copy.
  const first = expectSecurityHeaders((await request.get('/login')).headersArray(), '/login');
  const second = expectSecurityHeaders((await request.get('/login')).headersArray(), '/login');
  expect(first).not.toBe(second);
});

test('a signed-in page carries them too, and pages hydrate under the CSP without a violation', async ({ page }) => {
  const violations: string[] = [];
  page.on('console', (msg) => {
    if (msg.text().includes('Content Security Policy')) violations.push(`${page.url()}: ${msg.text()}`);
  });

  // signUp opens /signup, waits for hydration, walks the wizard and lands on /dashboard: every step needs scripts.
  await open(page, '/signup');
  expect(await page.evaluate(() => document.documentElement.dataset.hydrated)).toBe('true');
  await signUp(page, newChurch('Shield'));

  const res = await page.goto('/dashboard');
  expect(res!.status()).toBe(200);
  const nonce = expectSecurityHeaders(await res!.headersArray(), '/dashboard');
  expectScriptsCarry(await res!.text(), nonce, '/dashboard');
  await expect(page.locator('html[data-hydrated]')).toHaveCount(1);
  expect(await page.evaluate(() => document.documentElement.dataset.hydrated)).toBe('true');
  await expect(page.getByRole('heading', { name: 'Welcome, Shield' })).toBeVisible();

  // A tRPC call made as the signed-in browser gets them as well.
  expectSecurityHeaders((await page.request.get('/api/trpc/account.me')).headersArray(), 'signed-in tRPC account.me');
  expect(violations).toEqual([]);
});

// ---------------------------------------------------------------------------------------------
// Health
// ---------------------------------------------------------------------------------------------

test("/api/health tells anyone only that the app is up; the operator's token gets the details", async ({ request }) => {
  const anyone = await request.get('/api/health');
  expect(anyone.status()).toBe(200);
  expect(await anyone.json()).toEqual({ status: 'ok' });

  // A wrong token, or the right one outside the Bearer scheme, is nobody in particular.
  for (const authorization of ['Bearer wrong-token-0123456789abcdef', METRICS_TOKEN, `Basic ${METRICS_TOKEN}`]) {
    const res = await request.get('/api/health', { headers: { authorization } });
    expect(res.status(), authorization).toBe(200);
    expect(await res.json(), authorization).toEqual({ status: 'ok' });
  }

  const operator = await request.get('/api/health', { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
  expect(operator.status()).toBe(200);
  const details = await operator.json();
  expect(details).toMatchObject({ status: 'ok', registry: { status: 'ok' }, inbound: { pending: expect.any(Number) } });
  for (const key of ['servers', 'queue', 'connections']) expect(details, key).toHaveProperty(key);
  expect(Array.isArray(details.servers)).toBe(true);
  expect(details.connections).toEqual(expect.any(Object));
});

// ---------------------------------------------------------------------------------------------
// Sign-in throttling
// ---------------------------------------------------------------------------------------------

/**
 * One credentials sign-in through next-auth's real endpoint, as next-auth/react's signIn() does it (json=true): its
 * answer is { url }, and a refusal's message is that URL's `error` parameter. Returns the error ('' when signed in).
 */
async function credentialsSignIn(api: APIRequestContext, email: string, password: string, forwardedFor: string) {
  const { csrfToken } = await (await api.get('/api/auth/csrf')).json();
  const res = await api.post('/api/auth/callback/credentials', {
    form: { email, password, csrfToken, json: 'true', callbackUrl: '/dashboard' },
    // Both made up: only the socket's address counts (scripts/serve.mjs overwrites x-steeple-peer with it).
    headers: { 'x-forwarded-for': forwardedFor, 'x-steeple-peer': forwardedFor.split(',')[0]! },
  });
  expect(res.status(), 'next-auth answers 200 or 401, never 5xx').toBeLessThan(500);
  const { url } = (await res.json()) as { url: string };
  return new URL(url).searchParams.get('error') ?? '';
}

test("failed sign-ins count by the socket's address: a new X-Forwarded-For on each try does not reset them", async ({
  page,
  playwright,
  baseURL,
}) => {
  // Its own church: the lockout lasts 15 minutes and the e2e database outlives the run.
  const c = newChurch('Lockout');
  await signUp(page, c);
  await signOut(page);

  const api = await playwright.request.newContext({ baseURL });
  const base = Math.floor(Math.random() * 200);
  const madeUp = (i: number) => `198.51.100.${base + i}, 203.0.113.${base + i}`; // a different one on every try
  for (let i = 1; i <= 5; i++) {
    expect(await credentialsSignIn(api, c.email, `wrong password ${i}`, madeUp(i)), `attempt ${i}`).toBe(
      'Email or password is incorrect.',
    );
  }
  // Had the first X-Forwarded-For entry been trusted, each try would have come "from" a new address and this one
  // signed in.
  expect(await credentialsSignIn(api, c.email, c.password, madeUp(6))).toMatch(
    /^Too many attempts\. Try again in \d+ minutes?\.$/,
  );
  expect((await api.storageState()).cookies.map((k) => k.name)).not.toContain('next-auth.session-token');
  await api.dispose();

  // The login page (same address) shows the server's message as it is.
  await signIn(page, c.email, c.password);
  await expect(page.getByRole('main').getByRole('alert')).toHaveText(
    /^Too many attempts\. Try again in \d+ minutes?\.$/,
  );
  await expect(page).toHaveURL(/\/login$/);
});

// ---------------------------------------------------------------------------------------------
// Bounded requests
// ---------------------------------------------------------------------------------------------

type Answer = { status: number; ms: number; headers: IncomingHttpHeaders; body: string };

/**
 * POST with a raw socket (Playwright's request can neither stream an endless body nor shrug off a write that fails
 * after the answer): `body` with its Content-Length, or 'endless', a chunked body that never ends. Either way it goes
 * 16 KB every millisecond, as fast as the socket takes it, as a streaming client would send it, and stops once
 * answered.
 * Resolves with the answer and how long after the first byte it came. The server closes the connection once it has
 * refused a body, so a write failing with EPIPE/ECONNRESET after the answer is ignored; one before any answer fails.
 */
function rawPost(baseURL: string, path: string, body: Buffer | 'endless'): Promise<Answer> {
  const url = new URL(path, baseURL);
  const chunk = Buffer.alloc(16 * 1024, '{"a":1}');
  return new Promise((resolve, reject) => {
    let started = 0;
    let answered = false;
    const req = httpRequest({
      host: url.hostname,
      port: url.port,
      path: url.pathname + url.search,
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(body === 'endless' ? { 'transfer-encoding': 'chunked' } : { 'content-length': body.length }),
      },
    });
    const stop = () => (clearInterval(timer), clearTimeout(deadline));
    const deadline = setTimeout(
      () => (stop(), req.destroy(), reject(new Error(`${path}: no answer within 10 s`))),
      10_000,
    );
    req.on('response', (res) => {
      const ms = performance.now() - started;
      answered = true;
      stop();
      const parts: Buffer[] = [];
      res.on('data', (d: Buffer) => parts.push(d));
      const done = () => (
        req.destroy(),
        resolve({ status: res.statusCode!, ms, headers: res.headers, body: Buffer.concat(parts).toString() })
      );
      res.on('end', done);
      res.on('error', done); // the connection closed under a body we already have the head of
    });
    req.on('error', (err: NodeJS.ErrnoException) => {
      if (answered) return; // the server closed the connection after answering, while we were still writing
      stop();
      reject(new Error(`${path}: the connection failed before any answer (${err.code ?? err.message})`));
    });
    let sent = 0;
    const write = () => {
      if (answered || req.destroyed || req.writableEnded || req.writableNeedDrain) return;
      if (body === 'endless') return void req.write(chunk);
      req.write(body.subarray(sent, (sent += chunk.length)));
      if (sent >= body.length) req.end();
    };
    started = performance.now();
    write();
    const timer = setInterval(write, 1); // stop() runs only from callbacks, after this line
  });
}

test('a request body that never ends is answered 413 within a second, on a webhook and on tRPC', async ({
  baseURL,
}) => {
  for (const path of ['/api/webhooks/telnyx', '/api/trpc/members.create']) {
    const answer = await rawPost(baseURL!, path, 'endless');
    expect(answer.status, path).toBe(413);
    expect(answer.ms, `${path}: answered after ${Math.round(answer.ms)} ms`).toBeLessThan(1_000);
  }
});

test('an 8 MB JSON body to a tRPC mutation is refused with 413, also sent in one go, by curl-like clients too', async ({
  baseURL,
}) => {
  // Refused on its Content-Length, before a byte of it is read.
  const body = Buffer.from(JSON.stringify({ json: { firstName: 'x'.repeat(8 * 1024 * 1024), lastName: 'Big' } }));
  expect((await rawPost(baseURL!, '/api/trpc/members.create', body)).status).toBe(413);
  // All at once: the server reads and drops the rest for a moment before it closes, so the 413 is never lost to a
  // connection reset (closing with unread bytes would reset it under a client still writing).
  for (let i = 0; i < 10; i++)
    expect((await onePost(baseURL!, '/api/trpc/members.create', body)).status, `try ${i}`).toBe(413);
  // `Expect: 100-continue` with a body larger than any route takes: refused before it is sent.
  const refused = await onePost(baseURL!, '/api/trpc/members.import', Buffer.alloc(12 * 1024 * 1024, 32), {
    expect: '100-continue',
  });
  expect(refused.status).toBe(413);
});

/** POST `body` in one write (as curl or a plain client would), resolving with the answer. */
function onePost(
  baseURL: string,
  path: string,
  body: Buffer,
  headers: Record<string, string> = {},
): Promise<{ status: number }> {
  const url = new URL(path, baseURL);
  return new Promise((resolve, reject) => {
    const req = httpRequest({
      host: url.hostname,
      port: url.port,
      path: url.pathname,
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-length': body.length, ...headers },
    });
    let answered = false;
    req.on('response', (res) => {
      answered = true;
      res.resume();
      res.on('end', () => (req.destroy(), resolve({ status: res.statusCode! })));
    });
    req.on('error', (err) => {
      if (!answered)
        reject(
          new Error(
            `${path}: the connection failed before any answer (${(err as NodeJS.ErrnoException).code ?? err.message})`,
          ),
        );
    });
    if (headers.expect) req.on('continue', () => req.end(body));
    else req.end(body);
    setTimeout(() => !answered && (req.destroy(), reject(new Error(`${path}: no answer within 10 s`))), 10_000);
  });
}

test('a tRPC batch of more than 10 calls is refused with 400; 10 are not refused for their number', async ({
  request,
}) => {
  const batch = (n: number) =>
    `/api/trpc/${Array(n).fill('account.me').join(',')}?batch=1&input=${encodeURIComponent('{}')}`;

  const tooMany = await request.get(batch(60));
  expect(tooMany.status()).toBe(400);
  expect(await tooMany.text()).toContain('exceeds maximum size');

  // Signed out, each call is its own 401; what matters is that the batch was run, not refused as a whole.
  const ten = await request.get(batch(10));
  expect(ten.status()).not.toBe(400);
  expect([200, 207, 401]).toContain(ten.status());
  const results = (await ten.json()) as { error?: { json: { data: { code: string } } } }[];
  expect(Array.isArray(results)).toBe(true);
  expect(results).toHaveLength(10);
  for (const r of results) expect(r.error?.json.data.code).not.toBe('BAD_REQUEST');
});
