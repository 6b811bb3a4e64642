import { eq } from 'drizzle-orm';
import jsQR from 'jsqr';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TenantDb } from '@/db/tenant';
import { connectCardSubmissions, consentEvents, members, messages } from '@/db/tenant/schema';
import { issueFormToken } from '@/server/connect-card/form-token';
import { caller, churchWithStaff, errorOf, freshIp, type Church, type SignedInClient } from './support/accounts';
import { createTestRegistry, until, type TestRegistry } from './support/harness';
import { postSigned, received, routeNumberTo } from './support/webhooks';

/**
 * The connect card: a visitor's card through the public procedure (as the page at /c/<slug> sends it), found by slug,
 * applied once per form, and what the admin sees afterwards. The welcome text is checked as queued (the sender and
 * its job are tested elsewhere).
 */
describe('connect card', () => {
  let reg: TestRegistry;
  let church: Church;
  let owner: SignedInClient;
  let staff: SignedInClient;
  let slug: string;
  let number: string;
  let phoneSeq = 0;
  const nextPhone = () => `+1415555${String(1000 + ++phoneSeq).padStart(4, '0')}`;

  const inChurch = <T>(fn: (db: TenantDb) => Promise<T>) => reg.services.connections.withTenant(church.tenantId, fn);
  const memberByPhone = (phone: string) =>
    inChurch((db) =>
      db
        .select()
        .from(members)
        .where(eq(members.phone, phone))
        .then((r) => r[0]),
    );
  const messagesTo = (phone: string) =>
    inChurch((db) => db.select().from(messages).where(eq(messages.toNumber, phone)));
  const consentOf = (phone: string) =>
    inChurch((db) => db.select().from(consentEvents).where(eq(consentEvents.phone, phone)));
  const submissions = () => inChurch((db) => db.select().from(connectCardSubmissions));
  /** A token as the page issues it, opened `ageMs` ago. */
  const token = (forSlug = slug, ageMs = 5_000) =>
    issueFormToken(reg.services.config.STEEPLE_SECRET_KEY, forSlug, Date.now() - ageMs);
  const card = (over: Record<string, unknown> = {}) => ({
    slug,
    firstName: 'Ann',
    lastName: 'Lee',
    phone: nextPhone(),
    firstVisit: 'yes' as const,
    consent: true,
    token: token(),
    ...over,
  });
  const visitor = (ip = freshIp()) => caller(reg.services, null, ip).connectCard;

  beforeAll(async () => {
    reg = await createTestRegistry({ CONNECT_CARDS_PER_HOUR_PER_IP: '4' });
    ({ church, owner, staff } = await churchWithStaff(reg.services, 'Card Chapel', `card-staff-${process.pid}@x.org`));
    number = await routeNumberTo(reg.services, church.tenantId);
    slug = (await reg.services.profiles.get(church.tenantId)).slug;
    await owner.caller.connectCard.update({
      welcomeText: 'Welcome, {first_name|friend}! See you Sunday.',
      tags: ['guest'],
      firstVisitTag: 'first-time guest',
    });
  });
  afterAll(async () => {
    await reg?.cleanup();
  });

  it('a card with consent makes a subscribed, tagged member, logs the form opt-in, queues one welcome', async () => {
    const ip = freshIp();
    const sent = card({ phone: '(415) 555-0199', email: 'ann@example.org', prayer: 'For my mother’s health' });
    expect(await visitor(ip).submit(sent)).toEqual({ firstName: 'Ann' });
    await visitor(ip).submit(sent); // a double tap on Send: the same form token

    const ann = (await memberByPhone('+14155550199'))!;
    expect(ann).toMatchObject({
      firstName: 'Ann',
      lastName: 'Lee',
      email: 'ann@example.org',
      subscription: 'subscribed',
      subscriptionSource: 'form',
      tags: ['guest', 'first-time guest'],
    });
    expect(ann.notes).toMatch(/^\d{4}-\d{2}-\d{2} \(connect card\) prayer request: For my mother’s health$/);
    expect(await consentOf(ann.phone)).toEqual([
      expect.objectContaining({ state: 'subscribed', source: 'form', detail: 'connect card', clientAddress: ip }),
    ]);
    const welcome = await messagesTo(ann.phone);
    expect(welcome).toHaveLength(1);
    // The first text after opting in names the church and says how to stop (CTIA).
    expect(welcome[0]).toMatchObject({ status: 'queued', direction: 'outbound', kind: 'conversation' });
    expect(welcome[0]!.body).toBe(
      'Card Chapel: Welcome, Ann! See you Sunday. Msg frequency varies. Msg & data rates may apply. ' +
        'Reply HELP for help, STOP to opt out.',
    );
    const jobs =
      await reg.admin`select count(*)::int as n from graphile_worker.jobs where key like ${`send:%:${welcome[0]!.id}`}`;
    expect(jobs[0]!.n).toBe(1);
    const mine = (await submissions()).filter((s) => s.memberId === ann.id);
    expect(mine).toEqual([expect.objectContaining({ newMember: true, firstVisit: true, consented: true })]);
    // Their first visit is today in the church's timezone: "first-time guests" audiences find them.
    const today = new Date().toLocaleDateString('en-CA', { timeZone: 'Europe/London' });
    expect((await memberByPhone(ann.phone))!.firstVisitOn).toBe(today);
    expect(await owner.caller.segments.count({ filter: { firstVisitDays: 7 } })).toMatchObject({ members: 1 });

    // The same person a week later, on a new form: updated, tags not doubled, the prayer kept, no second welcome.
    // Anyone can type any number, so what the church knows is never overwritten.
    await visitor().submit(
      card({ phone: ann.phone, lastName: 'Lee-Park', email: 'x@example.org', firstVisit: 'no', prayer: 'Thanks!' }),
    );
    const again = (await memberByPhone(ann.phone))!;
    expect(again).toMatchObject({
      lastName: 'Lee',
      email: 'ann@example.org',
      tags: ['guest', 'first-time guest'],
    });
    expect(again.notes!.split('\n\n')).toHaveLength(2);
    expect(again.firstVisitOn).toBe(today); // kept: a later card does not move the first visit
    expect(await messagesTo(ann.phone)).toHaveLength(1);
    expect(await consentOf(ann.phone)).toHaveLength(1);

    // The admin sees it counted this week, and the card's address on the church's profile.
    const weeks = await owner.caller.connectCard.weeks();
    expect(weeks).toHaveLength(12);
    expect(weeks.at(-1)).toMatchObject({ cards: 2, firstVisits: 1 });
    expect((await owner.caller.church.profile()).church.connectCardUrl).toMatch(new RegExp(`/c/${slug}$`));
  });

  it('without consent: a member who is not opted in, and no text; someone who opted out stays out', async () => {
    const phone = nextPhone();
    await visitor().submit(card({ phone, consent: false, firstVisit: 'no' }));
    expect(await memberByPhone(phone)).toMatchObject({ subscription: 'not_opted_in', tags: ['guest'] });
    expect(await messagesTo(phone)).toEqual([]);
    expect(await consentOf(phone)).toEqual([]);

    // Later they agree on a new card: subscribed now, logged, welcomed.
    await visitor().submit(card({ phone, consent: true }));
    expect(await memberByPhone(phone)).toMatchObject({ subscription: 'subscribed' });
    expect(await consentOf(phone)).toHaveLength(1);
    expect(await messagesTo(phone)).toHaveLength(1);

    // A STOP is theirs: ticking the box on a form does not undo it, and nothing is texted.
    const stopped = (await memberByPhone(phone))!;
    const stop = received(phone, number, 'STOP');
    expect((await postSigned(reg.services, stop.body)).status).toBe(200);
    await until(async () => (await memberByPhone(phone))?.subscription === 'unsubscribed');
    await visitor().submit(card({ phone, firstName: 'Annie', consent: true }));
    expect(await memberByPhone(phone)).toMatchObject({ subscription: 'unsubscribed', firstName: 'Ann' });
    expect((await messagesTo(phone)).filter((m) => m.body.includes('Welcome'))).toHaveLength(1);

    // Even after the member is deleted: the number's last word was STOP, so the new member starts opted out.
    await owner.caller.members.delete({ id: stopped.id });
    await visitor().submit(card({ phone, consent: true }));
    expect(await memberByPhone(phone)).toMatchObject({ subscription: 'unsubscribed' });
    expect((await consentOf(phone)).at(-1)).toMatchObject({ state: 'unsubscribed', source: 'system' });
    expect((await messagesTo(phone)).filter((m) => m.direction === 'outbound')).toEqual([]); // went with the member
  });

  it('someone who texted in first is named by their card; a card without consent gets no welcome', async () => {
    const phone = nextPhone();
    const first = received(phone, number, 'Hello, is this the church?');
    expect((await postSigned(reg.services, first.body)).status).toBe(200);
    await until(async () => (await memberByPhone(phone))?.firstName === 'New contact');
    await visitor().submit(
      card({ phone, firstName: 'Lydia', lastName: 'Purple', email: 'l@example.org', consent: false }),
    );
    expect(await memberByPhone(phone)).toMatchObject({
      firstName: 'Lydia',
      lastName: 'Purple',
      email: 'l@example.org',
      subscription: 'not_opted_in',
    });
    expect((await messagesTo(phone)).filter((m) => m.direction === 'outbound')).toEqual([]);

    // Subscribed already and never welcomed (say through a keyword): a card with the box left unticked sends nothing.
    const subscribed = nextPhone();
    await visitor().submit(card({ phone: subscribed, consent: false }));
    const member = (await memberByPhone(subscribed))!;
    await inChurch((db) => db.update(members).set({ subscription: 'subscribed' }).where(eq(members.id, member.id)));
    await visitor().submit(card({ phone: subscribed, consent: false }));
    expect(await messagesTo(subscribed)).toEqual([]);
  });

  it('a bot is thanked, nothing kept; a form sent too fast, forged or for another church is refused', async () => {
    const phone = nextPhone();
    const before = (await submissions()).length;
    expect(await visitor().submit(card({ phone, website: 'http://spam.example' }))).toEqual({ firstName: 'Ann' });
    expect(await memberByPhone(phone)).toBeUndefined();
    expect(await submissions()).toHaveLength(before);

    const fast = await errorOf(visitor().submit(card({ phone, token: token(slug, 500) })));
    expect([fast.code, fast.message]).toEqual([
      'BAD_REQUEST',
      'That was quick! Check your details, then press Send again.',
    ]);
    for (const bad of [token('another-church-123456'), `${token().slice(0, -3)}abc`, 'nonsense', `${Date.now()}..x`]) {
      const refused = await errorOf(visitor().submit(card({ phone, token: bad })));
      expect([refused.code, refused.message], bad).toEqual([
        'BAD_REQUEST',
        'This form has expired. Reload the page and send it again.',
      ]);
    }
    const old = await errorOf(visitor().submit(card({ phone, token: token(slug, 25 * 3_600_000) })));
    expect(old.code).toBe('BAD_REQUEST');
    expect(await memberByPhone(phone)).toBeUndefined();
  });

  it('bad fields are named; an unknown, suspended or switched-off church is "not available"', async () => {
    const badPhone = await errorOf(visitor().submit(card({ phone: '12' })));
    expect([badPhone.code, badPhone.message]).toEqual([
      'BAD_REQUEST',
      'Enter a mobile number we can text, like (201) 555-0123.',
    ]);
    expect((await errorOf(visitor().submit(card({ firstName: ' ' })))).code).toBe('BAD_REQUEST');
    const extension = await errorOf(visitor().submit(card({ phone: '(415) 555-0123 ext. 12' })));
    expect(extension.message).toBe('Enter a mobile number without an extension: texts cannot reach one.');
    expect((await errorOf(visitor().submit(card({ firstVisit: 'maybe' })))).code).toBe('BAD_REQUEST');
    expect((await errorOf(visitor().submit(card({ email: 'not an email' })))).code).toBe('BAD_REQUEST');

    const unknown = await errorOf(visitor().submit(card({ slug: 'no-such-church', token: token('no-such-church') })));
    expect([unknown.code, unknown.message]).toEqual(['NOT_FOUND', 'This page is not available.']);
    expect((await errorOf(visitor().submit(card({ slug: '../../etc' })))).code).toBe('NOT_FOUND');

    await owner.caller.connectCard.update({ enabled: false });
    expect((await errorOf(visitor().submit(card()))).code).toBe('NOT_FOUND');
    // Switched off is as absent as unknown: a bad phone says the same.
    expect((await errorOf(visitor().submit(card({ phone: '12' })))).code).toBe('NOT_FOUND');
    await owner.caller.connectCard.update({ enabled: true });

    await reg.admin`update tenants set status = 'suspended' where id = ${church.tenantId}`;
    try {
      expect((await errorOf(visitor().submit(card()))).message).toBe('This page is not available.');
    } finally {
      await reg.admin`update tenants set status = 'active' where id = ${church.tenantId}`;
    }
    expect(await reg.admin`select status from tenants where id = ${church.tenantId}`).toEqual([{ status: 'active' }]);
  });

  it('a form sent twice at once counts once; tags added once ignoring case; notes stay within limit', async () => {
    const same = card({ prayer: 'Twice?' });
    expect(await Promise.all([visitor().submit(same), visitor().submit(same)])).toEqual([
      { firstName: 'Ann' },
      { firstName: 'Ann' },
    ]);
    const ann = (await memberByPhone(same.phone))!;
    expect((await submissions()).filter((x) => x.memberId === ann.id)).toHaveLength(1);
    expect(ann.notes!.match(/Twice\?/g)).toHaveLength(1);
    expect(await messagesTo(ann.phone)).toHaveLength(1);

    await owner.caller.connectCard.update({ firstVisitTag: 'GUEST' });
    try {
      const phone = nextPhone();
      await visitor().submit(card({ phone }));
      expect((await memberByPhone(phone))!.tags).toEqual(['guest']);
    } finally {
      await owner.caller.connectCard.update({ firstVisitTag: 'first-time guest' });
    }

    await inChurch((db) =>
      db
        .update(members)
        .set({ notes: 'n'.repeat(4_990) })
        .where(eq(members.id, ann.id)),
    );
    await visitor().submit(card({ phone: ann.phone, prayer: 'A long request' }));
    const notes = (await memberByPhone(ann.phone))!.notes!;
    expect(notes).toHaveLength(5_000);
    expect(notes.startsWith('n'.repeat(4_990))).toBe(true);
  });

  it('one address may send a few cards an hour to a church; the next is refused with when to try again', async () => {
    const ip = freshIp();
    for (let i = 0; i < 4; i++) await visitor(ip).submit(card());
    const limited = await errorOf(visitor(ip).submit(card()));
    expect(limited.code).toBe('TOO_MANY_REQUESTS');
    expect(limited.message).toMatch(/Try again in \d+ minutes?/);
    await visitor().submit(card()); // another address is not affected
  });

  it('settings: admins change them (checked); staff read them; the QR code decodes to the card’s address', async () => {
    const got = await staff.caller.connectCard.get();
    expect(got.settings).toMatchObject({ enabled: true, tags: ['guest'], prayerField: true });
    expect(got.url).toMatch(new RegExp(`^https?://[^/]+/c/${slug}$`));
    expect(got.qrSvg).toMatch(/^<svg[^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);

    const png = await staff.caller.connectCard.qrPng();
    const image = PNG.sync.read(Buffer.from(png.replace(/^data:image\/png;base64,/, ''), 'base64'));
    expect(image.width).toBe(1024);
    expect(jsQR(new Uint8ClampedArray(image.data), image.width, image.height)?.data).toBe(got.url);

    expect((await errorOf(staff.caller.connectCard.update({ prayerField: false }))).code).toBe('FORBIDDEN');
    const unknown = await errorOf(owner.caller.connectCard.update({ welcomeText: 'Hi {nick}' }));
    expect([unknown.code, unknown.message]).toEqual([
      'BAD_REQUEST',
      expect.stringContaining('Unknown merge field {nick}'),
    ]);
    for (const privacyUrl of ['not a url', 'javascript:alert(1)', 'data:text/html,hi']) {
      const refused = await errorOf(owner.caller.connectCard.update({ privacyUrl }));
      expect(refused.code, privacyUrl).toBe('BAD_REQUEST');
      expect(refused.message, privacyUrl).toContain('Enter a web address starting with https://');
    }

    const saved = await owner.caller.connectCard.update({
      welcomeText: '',
      firstVisitTag: '',
      privacyUrl: 'https://card.example/privacy',
      prayerField: false,
    });
    expect(saved).toMatchObject({ welcomeText: null, firstVisitTag: null, prayerField: false });
    const phone = nextPhone();
    await visitor().submit(card({ phone, prayer: 'Asked anyway' }));
    expect(await memberByPhone(phone)).toMatchObject({ subscription: 'subscribed', tags: ['guest'], notes: null });
    expect(await messagesTo(phone)).toEqual([]); // no welcome text set
  });
});
