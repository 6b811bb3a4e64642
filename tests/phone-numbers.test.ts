import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { members } from '@/db/tenant/schema';
import { startWorker } from '@/server/jobs/worker';
import { purgeChurch } from '@/server/fleet/lifecycle';
import { orderCheckTask, ORDER_CHECK_TASK } from '@/server/numbers/order-check';
import { checkRegistration } from '@/server/registration/progress';
import type { Services } from '@/server/services';
import { addTeammate, errorOf, provisionChurch, signIn, type Church, type SignedInClient } from './support/accounts';
import { until } from './support/harness';
import {
  createMessagingRegistry,
  FakeProvider,
  FakeTelnyx,
  insertMembers,
  queuedJobs,
  telnyxEnv,
  type MessagingRegistry,
  registrationForm,
} from './support/messaging';
import { postSigned, received } from './support/webhooks';

describe('phone numbers: bought from the simulated inventory (no Telnyx account)', () => {
  let reg: MessagingRegistry;
  let first: Church;
  let second: Church;
  let owner1: SignedInClient;
  let owner2: SignedInClient;
  let admin1: SignedInClient;
  let staff1: SignedInClient;
  const fake = new FakeProvider();

  const indexRows = (e164: string) =>
    reg.services.registry.sql<{ tenant_id: string; provider: string; status: string }[]>`
      select tenant_id, provider, status from phone_number_index where e164 = ${e164}`;
  const setLimit = (tenantId: string, limit: number | null) =>
    reg.services.registry.sql`update tenants set number_limit = ${limit} where id = ${tenantId}`;
  const release = (c: SignedInClient, number: string, confirmation = number) =>
    c.caller.phoneNumbers.release({ number, confirmation });

  beforeAll(async () => {
    reg = await createMessagingRegistry({}, fake);
    first = await provisionChurch(reg.services, { churchName: 'First Numbers Chapel' });
    second = await provisionChurch(reg.services, { churchName: 'Second Numbers Chapel' });
    owner1 = await signIn(reg.services, first.email, first.password);
    owner2 = await signIn(reg.services, second.email, second.password);
    const a = await addTeammate(reg.services, owner1.caller, `numbers-admin-${process.pid}@example.org`, 'admin');
    const s = await addTeammate(reg.services, owner1.caller, `numbers-staff-${process.pid}@example.org`, 'staff');
    admin1 = await signIn(reg.services, a.email, a.password);
    staff1 = await signIn(reg.services, s.email, s.password);
  });
  afterAll(async () => {
    await reg?.cleanup();
  });

  it('searches by area code, city, state or toll-free, with the place and the monthly cost', async () => {
    const nashville = await owner1.caller.phoneNumbers.search({ areaCode: '615' });
    expect(nashville).toHaveLength(20);
    expect(nashville[0]).toEqual({
      number: '+16155550100',
      display: '(615) 555-0100',
      region: 'Nashville, TN',
      tollFree: false,
      monthlyCostCents: 100,
      currency: 'USD',
    });
    expect(nashville.every((n) => /^\+161555501\d\d$/.test(n.number))).toBe(true);
    // A city by its start, any case; a state by its code; both together narrow.
    expect(new Set((await owner1.caller.phoneNumbers.search({ city: 'nash' })).map((n) => n.region))).toEqual(
      new Set(['Nashville, TN']),
    );
    const texas = await owner1.caller.phoneNumbers.search({ state: 'tx' });
    expect(new Set(texas.map((n) => n.region?.slice(-2)))).toEqual(new Set(['TX']));
    expect(await owner1.caller.phoneNumbers.search({ city: 'Houston', state: 'TN' })).toEqual([]);
    const tollFree = await owner1.caller.phoneNumbers.search({ tollFree: true });
    expect(tollFree[0]).toMatchObject({ number: '+18005550100', tollFree: true, region: null, monthlyCostCents: 200 });
    expect(await owner1.caller.phoneNumbers.search({ areaCode: '800' })).toEqual([]); // toll-free is asked for
    // Any valid area code has numbers, without a place.
    expect((await owner1.caller.phoneNumbers.search({ areaCode: '479' }))[0]).toMatchObject({ region: null });

    for (const bad of [{ areaCode: '011' }, { areaCode: '61' }, { state: 'Tennessee' }, { city: 'x'.repeat(61) }]) {
      expect((await errorOf(owner1.caller.phoneNumbers.search(bad))).code, JSON.stringify(bad)).toBe('BAD_REQUEST');
    }
  });

  it('the owner buys a number: it routes to the church, sends for it, and is for sale to no one', async () => {
    expect(await owner1.caller.phoneNumbers.list()).toEqual({ numbers: [], limit: 1, simulated: true });
    expect(await owner1.caller.phoneNumbers.order({ phoneNumber: '+16155550142' })).toEqual({
      number: '+16155550142',
      display: '(615) 555-0142',
      status: 'active',
    });
    const { numbers } = await owner1.caller.phoneNumbers.list();
    expect(numbers).toEqual([
      {
        number: '+16155550142',
        display: '(615) 555-0142',
        provider: 'simulated',
        status: 'active',
        monthlyCostCents: 100,
        currency: 'USD',
        orderedAt: expect.any(Date),
        registered: false,
      },
    ]);
    const [row] = await reg.services.registry.sql<{ ordered_by: string }[]>`
      select ordered_by from phone_number_index where e164 = '+16155550142'`;
    expect(row!.ordered_by).toBe(first.adminId);
    expect(await reg.services.messaging.numbers.tenantFor('+16155550142')).toBe(first.tenantId);
    expect(await reg.services.messaging.numbers.numbersOf(first.tenantId)).toEqual(['+16155550142']);
    for (const c of [owner1, owner2]) {
      const offered = (await c.caller.phoneNumbers.search({ areaCode: '615' })).map((n) => n.number);
      expect(offered).not.toContain('+16155550142');
    }

    // It sends once registered with carriers (tests/registration.test.ts follows that journey).
    const [m] = await insertMembers(reg.services, first.tenantId, [{ firstName: 'Routed' }]);
    const unregistered = await errorOf(owner1.caller.messages.send({ memberId: m!.id, body: 'Too soon' }));
    expect(unregistered.code).toBe('PRECONDITION_FAILED');
    await owner1.caller.registration.submit({ kind: '10dlc', details: registrationForm() });
    expect(await checkRegistration(reg.services, first.tenantId, '10dlc')).toBe('done');
    await owner1.caller.messages.send({ memberId: m!.id, body: 'Hello from our new number' });
    const worker = await startWorker(reg.services);
    try {
      const [sent] = await until(async () => fake.to(m!.phone).length > 0 && fake.to(m!.phone));
      expect(sent).toMatchObject({ from: '+16155550142', text: 'Hello from our new number' });
    } finally {
      await worker.stop();
    }
  });

  it('one number per church by default; an operator may allow more', async () => {
    const more = await errorOf(owner1.caller.phoneNumbers.order({ phoneNumber: '+16155550143' }));
    expect(more.code).toBe('PRECONDITION_FAILED');
    expect(more.message).toBe(
      'Your plan includes one sending number, and you have it. Release it first, or ask us for more.',
    );
    expect(await indexRows('+16155550143')).toEqual([]);

    await setLimit(first.tenantId, 2);
    expect((await owner1.caller.phoneNumbers.list()).limit).toBe(2);
    expect(await owner1.caller.phoneNumbers.order({ phoneNumber: '+16155550143' })).toMatchObject({ status: 'active' });
    // Texts go out from the first number bought.
    expect(await reg.services.messaging.numbers.numbersOf(first.tenantId)).toEqual(['+16155550142', '+16155550143']);
    expect((await errorOf(owner1.caller.phoneNumbers.order({ phoneNumber: '+16155550144' }))).message).toMatch(
      /^Your plan includes 2 sending numbers/,
    );
    await release(owner1, '+16155550143');
    await setLimit(first.tenantId, null);
  });

  it("a church cannot buy another church's number, nor one that is not for sale", async () => {
    const taken = await errorOf(owner2.caller.phoneNumbers.order({ phoneNumber: '+16155550142' }));
    expect(taken.code).toBe('CONFLICT');
    expect(taken.message).toBe('Someone else just bought that number. Search again.');
    expect(taken.message).not.toContain('First Numbers Chapel'); // who has it is not disclosed
    // Not in the inventory (outside the fictional range): a number a church merely knows cannot be claimed.
    const unknown = await errorOf(owner2.caller.phoneNumbers.order({ phoneNumber: '+16155551234' }));
    expect(unknown).toMatchObject({ code: 'CONFLICT', message: 'That number is no longer available. Search again.' });
    for (const phoneNumber of ['615 555 0150', '+1', 'hello', '+0123456789']) {
      expect((await errorOf(owner2.caller.phoneNumbers.order({ phoneNumber }))).code, phoneNumber).toBe('BAD_REQUEST');
    }
    expect(await indexRows('+16155550142')).toEqual([
      { tenant_id: first.tenantId, provider: 'simulated', status: 'active' },
    ]);
    expect((await owner2.caller.phoneNumbers.list()).numbers).toEqual([]);
    // Nor release it.
    const foreign = await errorOf(release(owner2, '+16155550142'));
    expect(foreign.code).toBe('NOT_FOUND');
  });

  it('two churches racing for the same number: exactly one gets it', async () => {
    await setLimit(first.tenantId, 5);
    const results = await Promise.allSettled([
      owner1.caller.phoneNumbers.order({ phoneNumber: '+12025550190' }),
      owner2.caller.phoneNumbers.order({ phoneNumber: '+12025550190' }),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const rejected = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(rejected.reason.code).toBe('CONFLICT');
    expect(await indexRows('+12025550190')).toHaveLength(1);
    // One church ordering many at once stays within its limit.
    await setLimit(second.tenantId, 1);
    const owned = (await owner2.caller.phoneNumbers.list()).numbers.length;
    const burst = await Promise.allSettled(
      ['+13125550101', '+13125550102', '+13125550103'].map((phoneNumber) =>
        owner2.caller.phoneNumbers.order({ phoneNumber }),
      ),
    );
    expect(burst.filter((r) => r.status === 'fulfilled')).toHaveLength(1 - owned);
    for (const c of [owner1, owner2])
      for (const n of (await c.caller.phoneNumbers.list()).numbers)
        if (n.number !== '+16155550142') await release(c, n.number);
    await setLimit(first.tenantId, null);
    await setLimit(second.tenantId, null);
  });

  it('releasing asks for the number typed back, then frees it for anyone', async () => {
    await owner2.caller.phoneNumbers.order({ phoneNumber: '+12025550180' });
    const wrong = await errorOf(release(owner2, '+12025550180', '(202) 555-0181'));
    expect(wrong.code).toBe('BAD_REQUEST');
    expect(wrong.message).toBe('Type the number exactly as shown to release it.');
    expect(await indexRows('+12025550180')).toHaveLength(1);

    // The router has cached the number before the release.
    expect(await reg.services.messaging.numbers.tenantFor('+12025550180')).toBe(second.tenantId);
    expect(await release(owner2, '+12025550180', '(202) 555-0180')).toEqual({ ok: true });
    expect(await indexRows('+12025550180')).toEqual([]);
    expect(await reg.services.messaging.numbers.tenantFor('+12025550180')).toBeNull();
    expect(await reg.services.messaging.numbers.numbersOf(second.tenantId)).toEqual([]);
    expect((await errorOf(release(owner2, '+12025550180'))).code).toBe('NOT_FOUND');
    // Back in the inventory: it can be bought again.
    expect(await owner2.caller.phoneNumbers.order({ phoneNumber: '+12025550180' })).toMatchObject({ status: 'active' });
    await release(owner2, '+12025550180');
  });

  it('a number typed in before buying existed brings only opt-outs, sends nothing, and can be released', async () => {
    // What the registry migration made of numbers added by the old free-form "add a number".
    await reg.services.registry.sql`
      insert into phone_number_index (e164, tenant_id, provider)
      values ('+12025550111', ${second.tenantId}, 'claimed')`;
    reg.services.messaging.numbers.forget('+12025550111', second.tenantId);
    expect(await reg.services.messaging.numbers.tenantFor('+12025550111')).toBeNull();
    expect(await reg.services.messaging.numbers.numbersOf(second.tenantId)).toEqual([]);
    expect((await owner2.caller.phoneNumbers.list()).numbers).toMatchObject([
      { number: '+12025550111', provider: 'claimed', status: 'active' },
    ]);
    // A text to it reaches nobody — except a STOP, which must never be lost; the church cannot text from it.
    const res = await postSigned(reg.services, received('+13125550999', '+12025550111', 'hello?').body);
    expect(await res.json()).toEqual({ ignored: 'unknown number' });
    const stop = await postSigned(reg.services, received('+13125550999', '+12025550111', 'Stop').body);
    expect(await stop.json()).toEqual({ outcome: 'stored' });
    const [optedOut] = await reg.services.connections.withTenant(second.tenantId, (db) =>
      db.select().from(members).where(eq(members.phone, '+13125550999')),
    );
    expect(optedOut?.subscription).toBe('unsubscribed');
    const [m] = await insertMembers(reg.services, second.tenantId, [{ firstName: 'Nobody' }]);
    const refused = await errorOf(owner2.caller.messages.send({ memberId: m!.id, body: 'hi' }));
    expect(refused.code).toBe('PRECONDITION_FAILED');
    // It counts against the limit until released, which asks nothing of the inventory.
    expect((await errorOf(owner2.caller.phoneNumbers.order({ phoneNumber: '+12025550112' }))).code).toBe(
      'PRECONDITION_FAILED',
    );
    expect(await release(owner2, '+12025550111', '2025550111')).toEqual({ ok: true });
  });

  it('only the owner may list, search, buy or release numbers', async () => {
    for (const [who, c] of [
      ['admin', admin1],
      ['staff', staff1],
    ] as const) {
      expect((await errorOf(c.caller.phoneNumbers.list())).code, `${who} list`).toBe('FORBIDDEN');
      expect((await errorOf(c.caller.phoneNumbers.search({}))).code, `${who} search`).toBe('FORBIDDEN');
      const order = await errorOf(c.caller.phoneNumbers.order({ phoneNumber: '+12025550175' }));
      expect(order.code, `${who} order`).toBe('FORBIDDEN');
      expect((await errorOf(release(c, '+16155550142'))).code, `${who} release`).toBe('FORBIDDEN');
    }
    expect(await indexRows('+12025550175')).toEqual([]);
    expect(await indexRows('+16155550142')).toHaveLength(1);
  });
});

describe('phone numbers: bought through Telnyx (its library, against a local stand-in of the API)', () => {
  let reg: MessagingRegistry;
  let telnyx: FakeTelnyx;
  let services: Services;
  let church: Church;
  let owner: SignedInClient;
  const API_KEY = 'KEY0123456789abcdef_numbers';

  beforeAll(async () => {
    telnyx = await FakeTelnyx.start();
    reg = await createMessagingRegistry();
    services = reg.servicesWith(
      telnyxEnv(telnyx, API_KEY, { TELNYX_MESSAGING_PROFILE_ID: 'profile-456', NUMBERS_PER_CHURCH: '3' }),
    );
    expect(services.inventory.name).toBe('telnyx');
    church = await provisionChurch(services, { churchName: 'Telnyx Numbers Chapel' });
    owner = await signIn(services, church.email, church.password);
    for (const [n, city] of [
      ['+16155551000', 'NASHVILLE'],
      ['+16155551001', 'NASHVILLE'],
      ['+16155551002', 'FRANKLIN'],
      ['+16155551003', 'FRANKLIN'],
    ] as const)
      telnyx.numbers.forSale.set(n, { city, state: 'TN', monthly: '1.10' });
    telnyx.numbers.forSale.set('+18885551000', { city: '', state: '', monthly: '2.25', tollFree: true });
  });
  afterAll(async () => {
    await reg?.cleanup();
    await telnyx?.close();
  });

  const requestsTo = (endpoint: string) => telnyx.requests.filter((r) => r.url.split('?')[0] === `/v2/${endpoint}`);

  it('searches with the API key and the filters, and shows Telnyx place and price', async () => {
    const found = await owner.caller.phoneNumbers.search({ areaCode: '615', city: 'Nashville', state: 'tn' });
    expect(found[0]).toEqual({
      number: '+16155551000',
      display: '(615) 555-1000',
      region: 'NASHVILLE, TN',
      tollFree: false,
      monthlyCostCents: 110,
      currency: 'USD',
    });
    const [req] = requestsTo('available_phone_numbers').slice(-1);
    expect(req!.headers.authorization).toBe(`Bearer ${API_KEY}`);
    const query = new URL(req!.url, 'http://x').searchParams;
    expect(Object.fromEntries(query)).toMatchObject({
      'filter[country_code]': 'US',
      'filter[phone_number_type]': 'local',
      'filter[national_destination_code]': '615',
      'filter[locality]': 'Nashville',
      'filter[administrative_area]': 'TN',
    });
    expect(query.getAll('filter[features][]').length + query.getAll('filter[features]').length).toBeGreaterThan(0);
    const tollFree = await owner.caller.phoneNumbers.search({ tollFree: true });
    expect(tollFree).toMatchObject([{ number: '+18885551000', tollFree: true, monthlyCostCents: 225 }]);
  });

  it('orders onto the messaging profile, records the order, and routes the number', async () => {
    expect(await owner.caller.phoneNumbers.order({ phoneNumber: '+16155551000' })).toMatchObject({ status: 'active' });
    // Its price was looked up first, by a pattern without the country and area codes (as Telnyx reads one).
    const lookup = new URL(requestsTo('available_phone_numbers').at(-1)!.url, 'http://x').searchParams;
    expect(lookup.get('filter[national_destination_code]')).toBe('615');
    expect(lookup.get('filter[phone_number][starts_with]')).toBe('5551000');
    const [req] = requestsTo('number_orders').slice(-1);
    expect(req!.method).toBe('POST');
    expect(req!.body).toEqual({
      phone_numbers: [{ phone_number: '+16155551000' }],
      messaging_profile_id: 'profile-456',
      customer_reference: church.tenantId,
    });
    expect(telnyx.numbers.owned.has('+16155551000')).toBe(true);
    const [row] = await services.registry.sql<{ provider: string; order_id: string; monthly_cost_cents: number }[]>`
      select provider, order_id, monthly_cost_cents from phone_number_index where e164 = '+16155551000'`;
    expect(row).toEqual({ provider: 'telnyx', order_id: expect.stringMatching(/^order-/), monthly_cost_cents: 110 });
    expect(await services.messaging.numbers.tenantFor('+16155551000')).toBe(church.tenantId);
  });

  it("Telnyx's refusals are clear conflicts and its outages say to try again; neither keeps a number", async () => {
    telnyx.numbers.script.set('POST number_orders', [
      { status: 422, body: { errors: [{ code: '10015', title: 'Bad', detail: 'This number was just sold.' }] } },
    ]);
    // Telnyx's own words stay in the log: they can name our account's settings.
    const sold = await errorOf(owner.caller.phoneNumbers.order({ phoneNumber: '+16155551001' }));
    expect(sold).toMatchObject({
      code: 'CONFLICT',
      message: 'Telnyx could not sell that number. Search again and choose another.',
    });
    // Not returned by a search (Telnyx sells only those), so never ordered, nor bought without a price.
    const gone = await errorOf(owner.caller.phoneNumbers.order({ phoneNumber: '+16155559999' }));
    expect(gone).toMatchObject({ code: 'CONFLICT', message: 'That number is no longer available. Search again.' });
    expect(requestsTo('number_orders').filter((r) => r.method === 'POST')).toHaveLength(2);
    for (const phoneNumber of ['+442079460958', '+16155551'])
      expect((await errorOf(owner.caller.phoneNumbers.order({ phoneNumber }))).code, phoneNumber).toBe('BAD_REQUEST');

    // Our account refused (a bad key): an operator's problem, said without Telnyx's words.
    telnyx.numbers.script.set('GET available_phone_numbers', [
      { status: 401, body: { errors: [{ code: '10009', title: 'Authentication failed', detail: 'key KEY01…' }] } },
    ]);
    expect(await errorOf(owner.caller.phoneNumbers.search({ areaCode: '615' }))).toMatchObject({
      code: 'SERVICE_UNAVAILABLE',
      message: 'Buying numbers is not available right now. Please try again later.',
    });
    telnyx.numbers.script.set('GET available_phone_numbers', [{ status: 500 }, { status: 500 }]);
    expect(await errorOf(owner.caller.phoneNumbers.search({ areaCode: '615' }))).toMatchObject({
      code: 'SERVICE_UNAVAILABLE',
      message: 'Telnyx could not be reached. Please try again in a minute.',
    });
    expect((await owner.caller.phoneNumbers.list()).numbers.map((n) => n.number)).toEqual(['+16155551000']);
  });

  const check = (number: string, attempts = 1) => orderCheckTask(services)({ number }, { job: { attempts } } as never);

  it('an order whose answer was lost is sent once, kept as pending, and settled by asking Telnyx', async () => {
    telnyx.numbers.forSale.set('+16155551005', { city: 'NASHVILLE', state: 'TN', monthly: '1.10' });
    telnyx.numbers.forSale.set('+16155551006', { city: 'NASHVILLE', state: 'TN', monthly: '1.10' });
    const posts = () => requestsTo('number_orders').filter((r) => r.method === 'POST').length;
    const before = posts();
    telnyx.numbers.script.set('POST number_orders', [{ status: 503, body: { errors: [{ title: 'db-7 down' }] } }]);
    expect(await owner.caller.phoneNumbers.order({ phoneNumber: '+16155551005' })).toMatchObject({
      status: 'pending',
    });
    expect(posts()).toBe(before + 1); // never retried: a lost answer must not buy twice
    expect(await services.messaging.numbers.tenantFor('+16155551005')).toBeNull();
    // Still being set up: it cannot be released yet.
    const early = await errorOf(
      owner.caller.phoneNumbers.release({ number: '+16155551005', confirmation: '6155551005' }),
    );
    expect(early.code).toBe('PRECONDITION_FAILED');
    // Telnyx does not hold it: asked again a few times, then the number is freed.
    await expect(check('+16155551005')).rejects.toThrow('still pending');
    await check('+16155551005', 4);
    expect((await owner.caller.phoneNumbers.list()).numbers.map((n) => n.number)).not.toContain('+16155551005');

    // The process died mid-order (the row left "ordering"), though Telnyx sold it: the check switches it on.
    await services.registry.sql`
      insert into phone_number_index (e164, tenant_id, provider, status, created_at)
      values ('+16155551006', ${church.tenantId}, 'telnyx', 'ordering', now() - interval '2 minutes')`;
    telnyx.numbers.owned.set('+16155551006', 'pn-lost');
    await check('+16155551006');
    expect(await services.messaging.numbers.tenantFor('+16155551006')).toBe(church.tenantId);
    await owner.caller.phoneNumbers.release({ number: '+16155551006', confirmation: '6155551006' });
  });

  it('a pending order neither routes nor sends until Telnyx completes it; a failed one frees the number', async () => {
    telnyx.numbers.orderStatus = 'pending';
    const ordered = await owner.caller.phoneNumbers.order({ phoneNumber: '+16155551002' });
    expect(ordered.status).toBe('pending');
    expect(await services.messaging.numbers.tenantFor('+16155551002')).toBeNull();
    expect((await queuedJobs(reg.admin, ORDER_CHECK_TASK)).map((j) => j.key)).toContain(
      `number-order:${church.tenantId}:+16155551002`,
    );

    await expect(check('+16155551002')).rejects.toThrow('still pending'); // the queue retries it later
    const [orderId] = [...telnyx.numbers.orders].find(([, o]) => o.number === '+16155551002')!;
    telnyx.numbers.completeOrder(orderId, 'success');
    await check('+16155551002');
    expect((await owner.caller.phoneNumbers.list()).numbers.find((n) => n.number === '+16155551002')?.status).toBe(
      'active',
    );
    expect(await services.messaging.numbers.tenantFor('+16155551002')).toBe(church.tenantId);

    await owner.caller.phoneNumbers.order({ phoneNumber: '+16155551003' });
    const [failedId] = [...telnyx.numbers.orders].find(([, o]) => o.number === '+16155551003')!;
    telnyx.numbers.completeOrder(failedId, 'failure');
    await check('+16155551003');
    expect((await owner.caller.phoneNumbers.list()).numbers.map((n) => n.number)).not.toContain('+16155551003');
    telnyx.numbers.orderStatus = 'success';
  });

  it('releases through Telnyx by the number’s id; one Telnyx no longer has counts as released', async () => {
    telnyx.numbers.script.set('DELETE phone_numbers/{id}', [{ status: 502 }, { status: 502 }]);
    const down = await errorOf(
      owner.caller.phoneNumbers.release({ number: '+16155551002', confirmation: '6155551002' }),
    );
    expect(down.code).toBe('SERVICE_UNAVAILABLE');
    expect(await services.messaging.numbers.tenantFor('+16155551002')).toBe(church.tenantId); // still the church's

    const id = telnyx.numbers.owned.get('+16155551002');
    expect(await owner.caller.phoneNumbers.release({ number: '+16155551002', confirmation: '6155551002' })).toEqual({
      ok: true,
    });
    expect(requestsTo(`phone_numbers/${id}`).at(-1)?.method).toBe('DELETE');
    expect(telnyx.numbers.owned.has('+16155551002')).toBe(false);

    telnyx.numbers.owned.delete('+16155551000'); // released in the Telnyx portal by hand
    expect(
      await owner.caller.phoneNumbers.release({ number: '+16155551000', confirmation: '+1 615 555 1000' }),
    ).toEqual({
      ok: true,
    });
    expect((await owner.caller.phoneNumbers.list()).numbers).toEqual([]);
  });

  it("a deleted church's numbers go back to Telnyx, and a purge that could not release one is retried", async () => {
    const leaving = await provisionChurch(services, { churchName: 'Closing Chapel' });
    const leaver = await signIn(services, leaving.email, leaving.password);
    telnyx.numbers.forSale.set('+16155551009', { city: 'NASHVILLE', state: 'TN', monthly: '1.10' });
    await leaver.caller.phoneNumbers.order({ phoneNumber: '+16155551009' });

    telnyx.numbers.script.set('GET phone_numbers', [{ status: 503 }, { status: 503 }]);
    await expect(purgeChurch(services, leaving.tenantId)).rejects.toThrow('Telnyx could not be reached');
    expect(telnyx.numbers.owned.has('+16155551009')).toBe(true);
    expect(await services.messaging.numbers.tenantFor('+16155551009')).toBe(leaving.tenantId);

    expect(await purgeChurch(services, leaving.tenantId)).toEqual({ purged: true });
    expect(telnyx.numbers.owned.has('+16155551009')).toBe(false);
    expect(await services.messaging.numbers.tenantFor('+16155551009')).toBeNull();
  });
});
