import { generateKeyPairSync, randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { and, eq } from 'drizzle-orm';
import type postgres from 'postgres';
import { conversations, members, messages, type Member, type Message } from '@/db/tenant/schema';
import {
  PermanentSendError,
  TransientSendError,
  type MessagingProvider,
  type OutboundText,
} from '@/server/messaging/provider';
import { checkRegistration } from '@/server/registration/progress';
import type { Services } from '@/server/services';
import type { Caller } from './accounts';
import { createTestRegistry, sleep } from './harness';
import { registrationForm } from './registration-form';
import { FakeTelnyxRegistration } from './telnyx-registration';

export { registrationForm };

/** Helpers for the texting tests: a registry with a fake provider, members, sending numbers, message rows. */

/** A fake of the third-party SMS provider only: records every send; a script may fail the next calls. */
export class FakeProvider implements MessagingProvider {
  readonly name = 'outbox' as const;
  readonly calls: (OutboundText & { at: number })[] = [];
  /** Failures handed out to the next sends, in order (any recipient). */
  private script: ('transient' | 'permanent')[] = [];
  /** Failures for one recipient only. */
  private byRecipient = new Map<string, ('transient' | 'permanent')[]>();
  delayMs = 0;
  private seq = 0;

  failNext(...kinds: ('transient' | 'permanent')[]) {
    this.script.push(...kinds);
  }
  failFor(to: string, ...kinds: ('transient' | 'permanent')[]) {
    this.byRecipient.set(to, [...(this.byRecipient.get(to) ?? []), ...kinds]);
  }
  /** Every attempt, including refused ones. */
  readonly attempts: OutboundText[] = [];

  async send(message: OutboundText) {
    this.attempts.push(message);
    if (this.delayMs) await new Promise((r) => setTimeout(r, this.delayMs));
    const failure = this.byRecipient.get(message.to)?.shift() ?? this.script.shift();
    if (failure === 'transient') throw new TransientSendError('fake provider: temporarily unavailable');
    if (failure === 'permanent') throw new PermanentSendError('fake provider: the destination number is not reachable');
    this.calls.push({ ...message, at: Date.now() });
    return { providerMessageId: `fake-${++this.seq}-${randomBytes(4).toString('hex')}` };
  }

  to(phone: string) {
    return this.calls.filter((c) => c.to === phone);
  }
}

/** createTestRegistry with `provider` (a fake of the SMS provider) in its services. */
export const createMessagingRegistry = (env: Record<string, string> = {}, provider?: MessagingProvider) =>
  createTestRegistry(env, { provider });
export type MessagingRegistry = Awaited<ReturnType<typeof createMessagingRegistry>>;

let phoneSeq = 0;
/** A valid US number, unique within this process: +1 202 3xx xxxx. */
export function nextPhone() {
  const i = ++phoneSeq + (process.pid % 50) * 1000;
  return `+1202${300 + Math.floor(i / 10_000)}${String(i % 10_000).padStart(4, '0')}`;
}

export type NewMember = Partial<
  Pick<Member, 'firstName' | 'lastName' | 'phone' | 'branchId' | 'tags' | 'subscription'>
>;

/** Members straight into the church's database (the members procedures are tested elsewhere). */
export async function insertMembers(services: Services, tenantId: string, rows: NewMember[]): Promise<Member[]> {
  if (rows.length === 0) return [];
  return services.connections.withTenant(tenantId, (db) =>
    db
      .insert(members)
      .values(
        rows.map((r, i) => ({
          firstName: r.firstName ?? `Member${i}`,
          lastName: r.lastName ?? 'Test',
          phone: r.phone ?? nextPhone(),
          branchId: r.branchId ?? null,
          tags: r.tags ?? [],
          subscription: r.subscription ?? 'subscribed',
        })),
      )
      .returning(),
  );
}

export async function setSubscription(
  services: Services,
  tenantId: string,
  memberId: string,
  subscription: 'subscribed' | 'unsubscribed',
) {
  await services.connections.withTenant(tenantId, (db) =>
    db.update(members).set({ subscription }).where(eq(members.id, memberId)),
  );
}

/** A queued outbound message written straight into the church's database (no job), for sendOne-level tests. */
export async function queueOutbound(
  services: Services,
  tenantId: string,
  memberId: string,
  body: string,
  kind: Message['kind'] = 'conversation',
): Promise<Message> {
  return services.connections.withTenant(tenantId, async (db) => {
    await db.insert(conversations).values({ memberId }).onConflictDoNothing({ target: conversations.memberId });
    const [c] = await db
      .select({ id: conversations.id })
      .from(conversations)
      .where(eq(conversations.memberId, memberId));
    const [m] = await db
      .insert(messages)
      .values({ conversationId: c!.id, direction: 'outbound', kind, body, segments: 1, status: 'queued' })
      .returning();
    return m!;
  });
}

export async function messageRow(services: Services, tenantId: string, id: string): Promise<Message> {
  const [m] = await services.connections.withTenant(tenantId, (db) =>
    db.select().from(messages).where(eq(messages.id, id)),
  );
  if (!m) throw new Error(`no message ${id}`);
  return m;
}

export async function broadcastMessages(services: Services, tenantId: string, broadcastId: string): Promise<Message[]> {
  return services.connections.withTenant(tenantId, (db) =>
    db
      .select()
      .from(messages)
      .where(and(eq(messages.broadcastId, broadcastId))),
  );
}

/** Buy a number for the church as its owner would: search the (simulated) inventory and order one of the results. */
export async function buyNumber(owner: Caller, search: { areaCode?: string; tollFree?: boolean } = {}) {
  const found = await owner.phoneNumbers.search(search);
  if (found.length === 0) throw new Error('the inventory has no numbers left for this search');
  const pick = found[Math.floor(Math.random() * found.length)]!;
  return (await owner.phoneNumbers.order({ phoneNumber: pick.number })).number;
}

/**
 * A number the church can text from: bought, then registered with carriers through the real procedures — the owner
 * submits the form and the registration check runs (the simulated review approves at once in tests). Returns once
 * the number reads as registered: a worker running alongside may hold the check ('busy') and finish it itself.
 */
export async function readyNumber(
  services: Services,
  owner: { caller: Caller; session: { tenantId: string } },
  search: { areaCode?: string; tollFree?: boolean } = {},
) {
  const number = await buyNumber(owner.caller, search);
  const kind = search.tollFree ? 'toll_free' : '10dlc';
  const view = await owner.caller.registration.get();
  const done = view.paths.find((p) => p.kind === kind)?.registration?.status === 'approved';
  if (!done) await owner.caller.registration.submit({ kind, details: registrationForm() });
  const registered = async () =>
    (await owner.caller.phoneNumbers.list()).numbers.find((n) => n.number === number)?.registered;
  for (let i = 0; i < 100 && !(await registered()); i++)
    if ((await checkRegistration(services, owner.session.tenantId, kind)) === 'busy') await sleep(50);
  if (!(await registered())) throw new Error(`${number} was not registered with carriers`);
  return number;
}

/** Jobs still in the queue (any state) for a task, through the privileged connection. */
export async function queuedJobs(admin: postgres.Sql, task: string) {
  return admin<
    {
      id: string;
      key: string | null;
      attempts: number;
      last_error: string | null;
      run_at: Date;
      locked_at: Date | null;
    }[]
  >`
    select j.id, j.key, j.attempts, j.last_error, j.run_at, j.locked_at
      from graphile_worker._private_jobs j join graphile_worker._private_tasks t on t.id = j.task_id
     where t.identifier = ${task}`;
}

// ------------------------------------------------------------------------------------------------
// A stand-in for Telnyx's HTTP API on 127.0.0.1: records each request, answers from a script.
// ------------------------------------------------------------------------------------------------

export type TelnyxRequest = { method: string; url: string; headers: http.IncomingHttpHeaders; body: unknown };
/** `hang`: never answer; `destroy`: drop the connection after reading the request; `raw`: a body sent as is. */
export type ScriptedAnswer = { status: number; body?: unknown; raw?: string; hang?: boolean; destroy?: boolean };

export class FakeTelnyx {
  readonly requests: TelnyxRequest[] = [];
  /** Answers per destination number, in order; afterwards (or for other numbers) a 200 with a new id. */
  readonly script = new Map<string, ScriptedAnswer[]>();
  /** The number APIs' own state (search, orders, owned numbers), with scripted answers per "METHOD /path". */
  readonly numbers = new FakeTelnyxNumbers();
  /** The 10DLC and toll-free verification APIs, with reviewers' answers set by the test (telnyx-registration.ts). */
  readonly registration = new FakeTelnyxRegistration();
  private hanging: http.ServerResponse[] = [];
  private seq = 0;
  private constructor(private server: http.Server) {}

  static async start(): Promise<FakeTelnyx> {
    let self: FakeTelnyx | null = null;
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        let body: unknown = raw;
        try {
          body = JSON.parse(raw);
        } catch {}
        self!.requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
        const url = new URL(req.url ?? '/', 'http://fake');
        const endpoint = url.pathname.slice(url.pathname.indexOf('/v2/') + 4);
        const registration = endpoint.startsWith('10dlc/') || endpoint.startsWith('messaging_tollfree/');
        const answer =
          endpoint === 'messages'
            ? self!.messageAnswer(body)
            : registration
              ? self!.registration.answer(req.method ?? '', endpoint, url, body)
              : self!.numbers.answer(req.method ?? '', endpoint, url, body);
        if (answer.hang) return void self!.hanging.push(res);
        if (answer.destroy) return void req.socket.destroy();
        res.writeHead(answer.status, { 'content-type': 'application/json' });
        res.end(answer.raw ?? (answer.body === undefined ? '' : JSON.stringify(answer.body)));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    self = new FakeTelnyx(server);
    return self;
  }

  private messageAnswer(body: unknown): ScriptedAnswer {
    const to = (body as { to?: string } | null)?.to ?? '';
    return (
      this.script.get(to)?.shift() ?? {
        status: 200,
        body: {
          data: { id: `telnyx-${++this.seq}`, record_type: 'message', to: [{ phone_number: to, status: 'queued' }] },
        },
      }
    );
  }

  get url() {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  to(phone: string) {
    return this.requests.filter((r) => (r.body as { to?: string })?.to === phone);
  }

  close() {
    for (const res of this.hanging) res.destroy();
    this.server.closeAllConnections();
    return new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** Settings for services that talk to the stand-in as a Telnyx account: an API key, a public key, a profile. */
export function telnyxEnv(fake: FakeTelnyx, apiKey: string, more: Record<string, string> = {}) {
  const publicKey = generateKeyPairSync('ed25519')
    .publicKey.export({ format: 'der', type: 'spki' })
    .subarray(12)
    .toString('base64');
  return {
    TELNYX_API_URL: fake.url,
    TELNYX_API_KEY: apiKey,
    TELNYX_PUBLIC_KEY: publicKey,
    TELNYX_MESSAGING_PROFILE_ID: 'profile-123',
    ...more,
  };
}

/**
 * Telnyx's number APIs as the stand-in answers them: an inventory for sale, orders (completing at once, or `pending`
 * until `completeOrder`), the account's numbers, and release. Shapes follow Telnyx's API v2 documentation.
 */
export class FakeTelnyxNumbers {
  /** For sale: number → its place and monthly price. */
  readonly forSale = new Map<string, { city: string; state: string; monthly: string; tollFree?: boolean }>();
  /** Bought on the account: number → Telnyx's phone number id. */
  readonly owned = new Map<string, string>();
  readonly orders = new Map<string, { number: string; status: 'pending' | 'success' | 'failure' }>();
  /** Scripted answers by "METHOD endpoint" (e.g. "POST number_orders"), used before the state above. */
  readonly script = new Map<string, ScriptedAnswer[]>();
  /** What new orders start as. */
  orderStatus: 'success' | 'pending' = 'success';
  private seq = 0;

  answer(method: string, endpoint: string, url: URL, body: unknown): ScriptedAnswer {
    const [resource, id] = endpoint.split('/');
    const key = `${method} ${resource}${id ? '/{id}' : ''}`;
    const scripted = this.script.get(key)?.shift();
    if (scripted) return scripted;
    const q = (name: string) => url.searchParams.get(name);
    if (method === 'GET' && endpoint === 'available_phone_numbers') {
      const code = q('filter[national_destination_code]');
      const prefix = q('filter[phone_number][starts_with]');
      const tollFree = q('filter[phone_number_type]') === 'toll_free';
      // As Telnyx reads them: `starts_with` leaves out the country code, and the area code when that is filtered on.
      const matches = (n: string) => {
        const national = n.slice(2);
        if (code && !national.startsWith(code)) return false;
        return !prefix || (code ? national.slice(3) : national).startsWith(prefix);
      };
      const data = [...this.forSale]
        .filter(([n, d]) => matches(n) && !!d.tollFree === tollFree)
        .slice(0, Number(q('filter[limit]') ?? 20))
        .map(([n, d]) => ({
          record_type: 'available_phone_number',
          phone_number: n,
          features: [{ name: 'sms' }, { name: 'voice' }],
          cost_information: { monthly_cost: d.monthly, upfront_cost: '1.00', currency: 'USD' },
          region_information: [
            { region_type: 'rate_center', region_name: d.city },
            { region_type: 'state', region_name: d.state },
          ],
        }));
      return { status: 200, body: { data, metadata: { total_results: data.length } } };
    }
    if (method === 'POST' && endpoint === 'number_orders') {
      const number = (body as { phone_numbers?: { phone_number: string }[] }).phone_numbers?.[0]?.phone_number ?? '';
      if (!this.forSale.delete(number))
        return {
          status: 422,
          body: { errors: [{ code: '10007', title: 'Unavailable', detail: `${number} is not available.` }] },
        };
      const id = `order-${++this.seq}`;
      this.orders.set(id, { number, status: this.orderStatus });
      if (this.orderStatus === 'success') this.owned.set(number, `pn-${++this.seq}`);
      return { status: 200, body: { data: this.orderBody(id) } };
    }
    if (method === 'GET' && resource === 'number_orders' && id) {
      return this.orders.has(id)
        ? { status: 200, body: { data: this.orderBody(id) } }
        : { status: 404, body: { errors: [{ title: 'Not found' }] } };
    }
    if (method === 'GET' && endpoint === 'phone_numbers') {
      const number = q('filter[phone_number]');
      const data = [...this.owned].filter(([n]) => n === number).map(([n, id]) => ({ id, phone_number: n }));
      return { status: 200, body: { data, meta: { total_results: data.length, page_number: 1, total_pages: 1 } } };
    }
    if (method === 'DELETE' && resource === 'phone_numbers' && id) {
      const entry = [...this.owned].find(([, owned]) => owned === id);
      if (!entry) return { status: 404, body: { errors: [{ title: 'Resource not found' }] } };
      this.owned.delete(entry[0]);
      return { status: 200, body: { data: { id, phone_number: entry[0], status: 'deleted' } } };
    }
    return { status: 404, body: { errors: [{ title: `no fake for ${method} ${endpoint}` }] } };
  }

  /** Telnyx finishes a pending order. */
  completeOrder(id: string, status: 'success' | 'failure') {
    const order = this.orders.get(id)!;
    order.status = status;
    if (status === 'success') this.owned.set(order.number, `pn-${++this.seq}`);
  }

  private orderBody(id: string) {
    const { number, status } = this.orders.get(id)!;
    return { id, record_type: 'number_order', status, phone_numbers: [{ phone_number: number, status }] };
  }
}
