import { randomBytes } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import Stripe from 'stripe';
import { handleStripeWebhook } from '@/server/billing/webhook';
import type { Services } from '@/server/services';

/**
 * A local stand-in for Stripe's API, for tests only (third-party APIs are the one thing tests may fake). It listens on
 * 127.0.0.1; point a server at it with STRIPE_API_URL (see `env()`). It records every request as received and
 * implements the few endpoints Steeple calls, with Stripe's idempotency rules as documented:
 *  - a result is saved per Idempotency-Key once the endpoint has run, and a repeat with the same key replays it
 *    (header `Idempotent-Replayed: true`) without a second effect;
 *  - a repeat with the same key but other parameters is refused with 400 `idempotency_error`;
 *  - a request refused before the endpoint runs (an outage: `fail(503)`, a dropped connection) saves nothing.
 */

export type StripeRequest = {
  method: string;
  path: string;
  /** Lower-cased header names, as node delivers them. */
  headers: Record<string, string>;
  idempotencyKey: string | undefined;
  stripeVersion: string | undefined;
  /** The form body, decoded flat: `metadata[tenantId]`, `line_items[0][price]`, … */
  body: Record<string, string>;
  /** What the fake did: the status it answered, or 'dropped'. */
  outcome: number | 'dropped';
};

export type FakeCustomer = {
  id: string;
  object: 'customer';
  name: string | null;
  email: string | null;
  metadata: Record<string, string>;
  created: number;
};

/**
 * How the next requests fail: `status` answers with a Stripe-shaped error before the endpoint runs (nothing saved);
 * `drop` closes the connection before the endpoint runs; `drop-after` runs the endpoint (the effect happens, the
 * result is saved under the key) and then closes the connection, so the caller never sees the answer.
 */
/** `slow`: the answer comes `ms` later (a slow Stripe); the others fail the request. */
export type Failure =
  { kind: 'status'; status: number } | { kind: 'drop' } | { kind: 'drop-after' } | { kind: 'slow'; ms: number };

type Saved = { fingerprint: string; status: number; body: unknown };

export const FAKE_SECRET_KEY = 'sk_test_fakeStripeSecretKey000000';
export const FAKE_WEBHOOK_SECRET = 'whsec_fakeStripeWebhookSecret0000000';
export const FAKE_PRICE_ID = 'price_fakeSteeplePlan';
/** The product FAKE_PRICE_ID belongs to: the plan's name on the billing page. */
export const FAKE_PRODUCT_NAME = 'Steeple Church Plan';

export type FakePrice = {
  id: string;
  object: 'price';
  active: boolean;
  currency: string;
  unit_amount: number | null;
  type: 'recurring' | 'one_time';
  recurring: { interval: string; interval_count: number; usage_type: 'licensed' } | null;
  product: string;
};

export class FakeStripe {
  readonly requests: StripeRequest[] = [];
  readonly customers = new Map<string, FakeCustomer>();
  readonly checkoutSessions: Record<string, unknown>[] = [];
  readonly portalSessions: Record<string, unknown>[] = [];
  /** Prices by id, each with its product (`product` holds the product id; `expand[]=product` inlines it). */
  readonly prices = new Map<string, FakePrice>([
    [
      FAKE_PRICE_ID,
      {
        id: FAKE_PRICE_ID,
        object: 'price',
        active: true,
        currency: 'usd',
        unit_amount: 2900,
        type: 'recurring',
        recurring: { interval: 'month', interval_count: 1, usage_type: 'licensed' },
        product: 'prod_steeple',
      },
    ],
  ]);
  readonly products = new Map([['prod_steeple', { id: 'prod_steeple', object: 'product', name: FAKE_PRODUCT_NAME }]]);
  private saved = new Map<string, Saved>();
  private failure: { failure: Failure; remaining: number; path?: string } | null = null;
  private sockets = new Set<Socket>();
  private server: http.Server;
  port = 0;

  private constructor() {
    this.server = http.createServer((req, res) => void this.handle(req, res));
    this.server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
  }

  static async start(): Promise<FakeStripe> {
    const fake = new FakeStripe();
    await new Promise<void>((resolve) => fake.server.listen(0, '127.0.0.1', resolve));
    fake.port = (fake.server.address() as AddressInfo).port;
    return fake;
  }

  get url() {
    return `http://127.0.0.1:${this.port}`;
  }

  /** The settings that turn billing on against this fake. */
  env(overrides: Record<string, string> = {}): Record<string, string> {
    return {
      STRIPE_SECRET_KEY: FAKE_SECRET_KEY,
      STRIPE_WEBHOOK_SECRET: FAKE_WEBHOOK_SECRET,
      STRIPE_PRICE_ID: FAKE_PRICE_ID,
      STRIPE_API_URL: this.url,
      ...overrides,
    };
  }

  /** Fail the next `times` requests (every request until `heal()` when omitted), optionally only those to `path`. */
  fail(failure: Failure | number, opts: { times?: number; path?: string } = {}) {
    this.failure = {
      failure: typeof failure === 'number' ? { kind: 'status', status: failure } : failure,
      remaining: opts.times ?? Infinity,
      path: opts.path,
    };
  }

  heal() {
    this.failure = null;
  }

  /** Requests to `path` (e.g. '/v1/customers'), in arrival order. */
  requestsTo(path: string, method = 'POST') {
    return this.requests.filter((r) => r.path === path && r.method === method);
  }

  customersOf(tenantId: string) {
    return [...this.customers.values()].filter((c) => c.metadata.tenantId === tenantId);
  }

  async stop() {
    this.server.closeAllConnections();
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  // ---------------------------------------------------------------------------------------------

  private async handle(req: IncomingMessage, res: ServerResponse) {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', 'http://fake');
    const headers = Object.fromEntries(
      Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : (v ?? '')]),
    );
    const body = Object.fromEntries(new URLSearchParams(req.method === 'GET' ? url.search : raw));
    const record: StripeRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      headers,
      idempotencyKey: headers['idempotency-key'],
      stripeVersion: headers['stripe-version'],
      body,
      outcome: 0,
    };
    this.requests.push(record);

    const failure = this.takeFailure(record.path);
    if (failure?.kind === 'slow') await new Promise((r) => setTimeout(r, failure.ms));
    if (failure?.kind === 'drop') return this.drop(req, record);
    if (failure?.kind === 'status') {
      return this.send(res, record, failure.status, {
        error: {
          type: failure.status === 429 ? 'rate_limit_error' : 'api_error',
          message: 'The fake Stripe was told to fail.',
        },
      });
    }

    if (!/^Bearer (sk|rk)_(test|live)_/.test(headers.authorization ?? '')) {
      return this.send(res, record, 401, {
        error: { type: 'invalid_request_error', message: 'Invalid API Key provided.' },
      });
    }

    const key = record.method === 'POST' ? record.idempotencyKey : undefined;
    const sortedBody = Object.entries(body).sort(([a], [b]) => a.localeCompare(b));
    const fingerprint = `${record.method} ${record.path} ${JSON.stringify(sortedBody)}`;
    const earlier = key ? this.saved.get(key) : undefined;
    if (earlier) {
      if (earlier.fingerprint !== fingerprint) {
        const message =
          'Keys for idempotent requests can only be used with the same parameters they were first used with. ' +
          `Try using a key other than '${key}' if you meant to execute a different request.`;
        return this.send(res, record, 400, { error: { type: 'idempotency_error', message } });
      }
      if (failure?.kind === 'drop-after') return this.drop(req, record);
      return this.send(res, record, earlier.status, earlier.body, { 'idempotent-replayed': 'true' });
    }

    const [status, answer] = this.route(record);
    if (key) this.saved.set(key, { fingerprint, status, body: answer });
    if (failure?.kind === 'drop-after') return this.drop(req, record);
    this.send(res, record, status, answer);
  }

  private takeFailure(path: string): Failure | null {
    const f = this.failure;
    if (!f || f.remaining <= 0 || (f.path && f.path !== path)) return null;
    f.remaining--;
    return f.failure;
  }

  private drop(req: IncomingMessage, record: StripeRequest) {
    record.outcome = 'dropped';
    req.socket.destroy();
  }

  private send(
    res: ServerResponse,
    record: StripeRequest,
    status: number,
    body: unknown,
    headers: Record<string, string> = {},
  ) {
    record.outcome = status;
    res.writeHead(status, {
      'content-type': 'application/json',
      'request-id': `req_${randomBytes(7).toString('hex')}`,
      ...headers,
    });
    res.end(JSON.stringify(body));
  }

  private route(r: StripeRequest): [number, unknown] {
    const b = r.body;
    const now = Math.floor(Date.now() / 1000);
    const missing = (what: string, id: string): [number, unknown] => [
      404,
      {
        error: {
          type: 'invalid_request_error',
          code: 'resource_missing',
          param: what,
          message: `No such ${what}: '${id}'`,
        },
      },
    ];

    if (r.method === 'POST' && r.path === '/v1/customers') {
      const customer: FakeCustomer = {
        id: `cus_${randomBytes(7).toString('hex')}`,
        object: 'customer',
        name: b.name ?? null,
        email: b.email ?? null,
        metadata: nested(b, 'metadata'),
        created: now,
      };
      this.customers.set(customer.id, customer);
      return [200, customer];
    }
    const update = r.method === 'POST' ? /^\/v1\/customers\/([^/]+)$/.exec(r.path) : null;
    if (update) {
      const customer = this.customers.get(update[1]!);
      if (!customer) return missing('customer', update[1]!);
      if ('name' in b) customer.name = b.name || null;
      if ('email' in b) customer.email = b.email || null;
      Object.assign(customer.metadata, nested(b, 'metadata'));
      return [200, customer];
    }
    const read = r.method === 'GET' ? /^\/v1\/customers\/([^/]+)$/.exec(r.path) : null;
    if (read) {
      const customer = this.customers.get(read[1]!);
      return customer ? [200, customer] : missing('customer', read[1]!);
    }
    const price = r.method === 'GET' ? /^\/v1\/prices\/([^/]+)$/.exec(r.path) : null;
    if (price) {
      const found = this.prices.get(price[1]!);
      if (!found) return missing('price', price[1]!);
      const expand = Object.entries(b).some(([k, v]) => /^expand\[\d*\]$/.test(k) && v === 'product');
      return [200, expand ? { ...found, product: this.products.get(found.product) } : found];
    }
    if (r.method === 'POST' && r.path === '/v1/checkout/sessions') {
      if (b.customer && !this.customers.has(b.customer)) return missing('customer', b.customer);
      const item = b['line_items[0][price]'];
      if (item && !this.prices.has(item))
        return [
          400,
          {
            error: {
              type: 'invalid_request_error',
              code: 'resource_missing',
              param: 'line_items[0][price]',
              message: `No such price: '${item}'`,
            },
          },
        ];
      if (!b.mode || !b.success_url)
        return [
          400,
          { error: { type: 'invalid_request_error', message: 'Missing required param: mode or success_url.' } },
        ];
      const id = `cs_test_${randomBytes(12).toString('hex')}`;
      const session = {
        id,
        object: 'checkout.session',
        mode: b.mode,
        customer: b.customer ?? null,
        client_reference_id: b.client_reference_id ?? null,
        success_url: b.success_url,
        cancel_url: b.cancel_url ?? null,
        trial_end: b['subscription_data[trial_end]'] ? Number(b['subscription_data[trial_end]']) : null,
        status: 'open',
        url: `${this.url}/checkout/${id}`,
        created: now,
      };
      this.checkoutSessions.push(session);
      return [200, session];
    }
    if (r.method === 'POST' && r.path === '/v1/billing_portal/sessions') {
      if (!b.customer)
        return [400, { error: { type: 'invalid_request_error', message: 'Missing required param: customer.' } }];
      if (!this.customers.has(b.customer)) return missing('customer', b.customer);
      const id = `bps_${randomBytes(12).toString('hex')}`;
      const session = {
        id,
        object: 'billing_portal.session',
        customer: b.customer,
        return_url: b.return_url ?? null,
        url: `${this.url}/portal/${id}`,
        created: now,
      };
      this.portalSessions.push(session);
      return [200, session];
    }
    return [
      404,
      { error: { type: 'invalid_request_error', message: `Unrecognized request URL (${r.method}: ${r.path}).` } },
    ];
  }
}

/** `metadata[tenantId]=x` → { tenantId: 'x' }. */
function nested(body: Record<string, string>, prefix: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(body)) {
    const m = new RegExp(`^${prefix}\\[([^\\]]+)\\]$`).exec(k);
    if (m) out[m[1]!] = v;
  }
  return out;
}

// ------------------------------------------------------------------------------------------------
// Webhook events, shaped as Stripe sends them for API version 2026-10-28 (subscription items carry the period),
// signed as Stripe signs them, posted to the real handler.
// ------------------------------------------------------------------------------------------------

const rid = (prefix: string) => `${prefix}_${randomBytes(10).toString('hex')}`;
export const unix = (ms = Date.now()) => Math.floor(ms / 1000);
const DAY = 86_400;

export type StripeEventJson = {
  id: string;
  object: 'event';
  type: string;
  created: number;
  data: { object: Record<string, unknown> };
} & Record<string, unknown>;

export function stripeEvent(
  type: string,
  object: Record<string, unknown>,
  opts: { id?: string; created?: number } = {},
): StripeEventJson {
  return {
    id: opts.id ?? rid('evt'),
    object: 'event',
    api_version: '2026-10-28.endive',
    created: opts.created ?? unix(),
    livemode: false,
    pending_webhooks: 1,
    request: { id: rid('req'), idempotency_key: null },
    type,
    data: { object },
  };
}

export type SubscriptionOpts = {
  id?: string;
  customer: string;
  status?: string;
  priceId?: string;
  periodEnd?: number;
  trialEnd?: number | null;
  cancelAtPeriodEnd?: boolean;
};

export function subscriptionObject(o: SubscriptionOpts) {
  const id = o.id ?? rid('sub');
  const now = unix();
  const periodEnd = o.periodEnd ?? now + 30 * DAY;
  return {
    id,
    object: 'subscription',
    customer: o.customer,
    status: o.status ?? 'active',
    cancel_at_period_end: o.cancelAtPeriodEnd ?? false,
    cancel_at: null,
    canceled_at: o.status === 'canceled' ? now : null,
    created: now - DAY,
    start_date: now - DAY,
    billing_cycle_anchor: periodEnd - 30 * DAY,
    trial_start: o.trialEnd ? now - DAY : null,
    trial_end: o.trialEnd ?? null,
    collection_method: 'charge_automatically',
    currency: 'usd',
    latest_invoice: rid('in'),
    livemode: false,
    metadata: {},
    items: {
      object: 'list',
      has_more: false,
      url: `/v1/subscription_items?subscription=${id}`,
      data: [
        {
          id: rid('si'),
          object: 'subscription_item',
          subscription: id,
          quantity: 1,
          created: now - DAY,
          current_period_start: periodEnd - 30 * DAY,
          current_period_end: periodEnd,
          price: {
            id: o.priceId ?? FAKE_PRICE_ID,
            object: 'price',
            active: true,
            currency: 'usd',
            unit_amount: 2900,
            product: 'prod_steeple',
            type: 'recurring',
            recurring: { interval: 'month', interval_count: 1, usage_type: 'licensed' },
          },
        },
      ],
    },
  };
}

export function checkoutCompletedObject(o: { tenantId: string | null; customer: string; subscription: string }) {
  return {
    id: rid('cs_test'),
    object: 'checkout.session',
    mode: 'subscription',
    status: 'complete',
    payment_status: 'paid',
    client_reference_id: o.tenantId,
    customer: o.customer,
    subscription: o.subscription,
    created: unix() - 60,
    expires_at: unix() + DAY,
    livemode: false,
    metadata: {},
    url: null,
  };
}

export function invoiceObject(o: {
  customer: string;
  subscription: string;
  status: 'paid' | 'open';
  periodStart?: number;
  periodEnd?: number;
}) {
  const start = o.periodStart ?? unix();
  const end = o.periodEnd ?? start + 30 * DAY;
  return {
    id: rid('in'),
    object: 'invoice',
    customer: o.customer,
    status: o.status,
    billing_reason: 'subscription_cycle',
    currency: 'usd',
    amount_due: 2900,
    amount_paid: o.status === 'paid' ? 2900 : 0,
    attempt_count: 1,
    // As Stripe documents it: the window for adding invoice items, which for a renewal ends where the new period
    // starts.
    period_start: start - 30 * DAY,
    period_end: start,
    parent: {
      type: 'subscription_details',
      subscription_details: { subscription: o.subscription, metadata: {} },
      quote_details: null,
    },
    lines: {
      object: 'list',
      has_more: false,
      data: [
        {
          id: rid('il'),
          object: 'line_item',
          amount: 2900,
          currency: 'usd',
          period: { start, end },
          parent: {
            type: 'subscription_item_details',
            subscription_item_details: { subscription: o.subscription, subscription_item: rid('si'), proration: false },
          },
        },
      ],
    },
  };
}

/** A client only for signing (it never makes a request). */
const signer = new Stripe('sk_test_signing_only');

/** The Stripe-Signature header for `payload`, made with `secret` (the fake's configured one unless given). */
export function signatureFor(payload: string, secret = FAKE_WEBHOOK_SECRET, timestamp?: number) {
  return signer.webhooks.generateTestHeaderString({ payload, secret, ...(timestamp ? { timestamp } : {}) });
}

/** POST a raw body to the real Stripe webhook handler, as the route does. */
export function postStripe(services: Services, body: string, headers: Record<string, string>) {
  return handleStripeWebhook(
    new Request('http://test/api/webhooks/stripe', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body,
    }),
    services,
  );
}

/** Sign an event with the webhook secret and post it; returns the status and the parsed answer. */
export async function deliver(services: Services, event: StripeEventJson | string, secret = FAKE_WEBHOOK_SECRET) {
  const body = typeof event === 'string' ? event : JSON.stringify(event, null, 2);
  const res = await postStripe(services, body, { 'stripe-signature': signatureFor(body, secret) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown>, headers: res.headers };
}
