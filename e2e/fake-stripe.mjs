// A tiny stand-in for the few Stripe API calls Steeple makes, for the end-to-end tests only (playwright.config.ts
// starts it and points STRIPE_API_URL here). Not Stripe: no auth check beyond a bearer key being present, form bodies
// read flat ("metadata[tenantId]" stays one key), everything kept in memory.
//
//   POST /v1/customers                  → { id: 'cus_…', email, metadata };
//                                         the same Idempotency-Key → the same customer
//   GET|POST /v1/customers/<id>         → the customer (POST updates name, email, metadata)
//   POST /v1/checkout/sessions          → { id: 'cs_test_…', url: 'http://127.0.0.1:<port>/checkout/<id>' }
//   POST /v1/billing_portal/sessions    → { id: 'bps_…', url: 'http://127.0.0.1:<port>/portal/<id>' }
//   GET  /v1/prices/price_e2e           → $29.00 a month; ?expand[]=product → its product "Steeple Standard"
//   GET  /checkout/<id>, /portal/<id>   → a plain page, so a browser sent there lands somewhere
//   GET  /__customers?email=…           → the customer recorded for that email (404 when none)
//   GET  /__checkout_sessions?customer=… → the checkout sessions created for that customer, oldest first
//   POST /__fail?path=…&status=503      → every request to that /v1 path answers `status` (an outage) until
//   POST /__heal                          heals it
//   GET  /__health                      → ok
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';

const port = Number(process.env.FAKE_STRIPE_PORT ?? 3211);
const origin = `http://127.0.0.1:${port}`;

const customers = new Map(); // id → customer
const byIdempotencyKey = new Map(); // key → customer id
const checkoutSessions = [];
const failing = new Map(); // path → status, while a test simulates an outage
const product = { id: 'prod_e2e', object: 'product', name: 'Steeple Standard', active: true, livemode: false };
const prices = new Map([
  [
    'price_e2e',
    {
      id: 'price_e2e',
      object: 'price',
      active: true,
      currency: 'usd',
      unit_amount: 2900,
      type: 'recurring',
      recurring: { interval: 'month', interval_count: 1, usage_type: 'licensed' },
      product: product.id,
      livemode: false,
    },
  ],
]);
const id = (prefix) => `${prefix}_${randomBytes(12).toString('hex')}`;
const now = () => Math.floor(Date.now() / 1000);

function send(res, status, body, type = 'application/json') {
  const text = type === 'application/json' ? JSON.stringify(body) : body;
  res.writeHead(status, { 'content-type': type, 'request-id': id('req') });
  res.end(text);
}

const stripeError = (res, status, message) => send(res, status, { error: { type: 'invalid_request_error', message } });

async function readForm(req) {
  let raw = '';
  for await (const chunk of req) raw += chunk;
  return Object.fromEntries(new URLSearchParams(raw));
}

/** Stripe's form encoding flattened: { 'metadata[tenantId]': 'x' } → { tenantId: 'x' } for one prefix. */
function nested(form, prefix) {
  const out = {};
  for (const [key, value] of Object.entries(form)) {
    const m = key.startsWith(`${prefix}[`) && /^[^[]+\[([^\]]+)\]$/.exec(key);
    if (m) out[m[1]] = value;
  }
  return out;
}

const server = createServer(async (req, res) => {
  try {
    const url = new URL(req.url ?? '/', origin);
    const path = url.pathname;

    if (req.method === 'GET' && path === '/__health') return send(res, 200, { ok: true });
    if (req.method === 'POST' && path === '/__fail') {
      failing.set(url.searchParams.get('path'), Number(url.searchParams.get('status') ?? 503));
      return send(res, 200, { ok: true });
    }
    if (req.method === 'POST' && path === '/__heal') {
      failing.clear();
      return send(res, 200, { ok: true });
    }
    if (req.method === 'GET' && path === '/__customers') {
      const email = url.searchParams.get('email');
      const found = [...customers.values()].filter((c) => c.email === email).at(-1);
      return found ? send(res, 200, found) : send(res, 404, { error: 'no customer with that email' });
    }
    if (req.method === 'GET' && path === '/__checkout_sessions') {
      const customer = url.searchParams.get('customer');
      return send(
        res,
        200,
        checkoutSessions.filter((s) => !customer || s.customer === customer),
      );
    }
    if (req.method === 'GET' && /^\/(checkout|portal)\/[\w-]+$/.test(path)) {
      const what = path.startsWith('/checkout/') ? 'Fake Stripe Checkout' : 'Fake Stripe customer portal';
      return send(
        res,
        200,
        `<!doctype html><title>${what}</title><h1>${what}</h1><p>${path}</p>`,
        'text/html; charset=utf-8',
      );
    }

    if (!path.startsWith('/v1/')) return send(res, 404, { error: 'not found' });
    if (!/^Bearer sk_test_/.test(req.headers.authorization ?? ''))
      return stripeError(res, 401, 'Invalid API Key provided.');
    if (failing.has(path))
      return send(res, failing.get(path), {
        error: { type: 'api_error', message: 'The fake Stripe was told to fail.' },
      });

    const pricePath = req.method === 'GET' && /^\/v1\/prices\/([\w-]+)$/.exec(path);
    if (pricePath) {
      const price = prices.get(pricePath[1]);
      if (!price) return stripeError(res, 404, `No such price: '${pricePath[1]}'`);
      const expanded =
        url.searchParams.getAll('expand[]').includes('product') || url.searchParams.get('expand[0]') === 'product';
      return send(res, 200, expanded ? { ...price, product } : price);
    }

    if (req.method === 'POST' && path === '/v1/customers') {
      const form = await readForm(req);
      const key = req.headers['idempotency-key'];
      const existing = typeof key === 'string' ? byIdempotencyKey.get(key) : undefined;
      if (existing) return send(res, 200, customers.get(existing));
      const customer = {
        id: id('cus'),
        object: 'customer',
        created: now(),
        email: form.email ?? null,
        name: form.name ?? null,
        metadata: nested(form, 'metadata'),
        livemode: false,
      };
      customers.set(customer.id, customer);
      if (typeof key === 'string') byIdempotencyKey.set(key, customer.id);
      return send(res, 200, customer);
    }

    const customerPath = /^\/v1\/customers\/([\w-]+)$/.exec(path);
    if (customerPath) {
      const customer = customers.get(customerPath[1]);
      if (!customer) return stripeError(res, 404, `No such customer: '${customerPath[1]}'`);
      if (req.method === 'GET') return send(res, 200, customer);
      if (req.method === 'POST') {
        const form = await readForm(req);
        if ('name' in form) customer.name = form.name || null;
        if ('email' in form) customer.email = form.email || null;
        Object.assign(customer.metadata, nested(form, 'metadata'));
        return send(res, 200, customer);
      }
    }

    if (req.method === 'POST' && path === '/v1/checkout/sessions') {
      const form = await readForm(req);
      if (form.customer && !customers.has(form.customer))
        return stripeError(res, 400, `No such customer: '${form.customer}'`);
      const sessionId = id('cs_test');
      const session = {
        id: sessionId,
        object: 'checkout.session',
        created: now(),
        mode: form.mode ?? null,
        customer: form.customer ?? null,
        client_reference_id: form.client_reference_id ?? null,
        price: form['line_items[0][price]'] ?? null,
        // The kept trial: when the subscription is first charged (unix seconds), or null to charge at once.
        trial_end: form['subscription_data[trial_end]'] ? Number(form['subscription_data[trial_end]']) : null,
        success_url: form.success_url ?? null,
        cancel_url: form.cancel_url ?? null,
        status: 'open',
        url: `${origin}/checkout/${sessionId}`,
        livemode: false,
      };
      checkoutSessions.push(session);
      return send(res, 200, session);
    }

    if (req.method === 'POST' && path === '/v1/billing_portal/sessions') {
      const form = await readForm(req);
      if (!form.customer || !customers.has(form.customer))
        return stripeError(res, 400, `No such customer: '${form.customer ?? ''}'`);
      const sessionId = id('bps');
      return send(res, 200, {
        id: sessionId,
        object: 'billing_portal.session',
        created: now(),
        customer: form.customer,
        return_url: form.return_url ?? null,
        url: `${origin}/portal/${sessionId}`,
        livemode: false,
      });
    }

    return stripeError(res, 404, `Unrecognized request URL (${req.method}: ${path}).`);
  } catch (err) {
    send(res, 500, { error: { type: 'api_error', message: String(err) } });
  }
});

server.listen(port, '127.0.0.1', () => console.log(`fake Stripe on ${origin}`));
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => process.exit(0));
