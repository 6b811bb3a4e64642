import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TenantDb } from '@/db/tenant';
import { consentEvents, keywordUses, members, messages } from '@/db/tenant/schema';
import { autoReplyId } from '@/server/messaging/inbound-keyword';
import { churchWithOwner, churchWithStaff, errorOf, type Church, type SignedInClient } from './support/accounts';
import { createTestRegistry, type TestRegistry } from './support/harness';
import { personNumber, postSigned, received, routeNumberTo } from './support/webhooks';

/** Church keywords ("JOIN"): managed by admins, matched on whole texts through the signed webhook, applied once. */
describe('keywords', () => {
  let reg: TestRegistry;
  let church: Church;
  let owner: SignedInClient;
  let staff: SignedInClient;
  let number: string;
  let people = 500;
  const nextPerson = () => personNumber(++people);

  const inChurch = <T>(fn: (db: TenantDb) => Promise<T>) => reg.services.connections.withTenant(church.tenantId, fn);
  const memberByPhone = (phone: string) =>
    reg.services.connections.withTenant(church.tenantId, (db) =>
      db
        .select()
        .from(members)
        .where(eq(members.phone, phone))
        .then((r) => r[0]),
    );
  const consentRows = (phone: string) =>
    reg.services.connections.withTenant(church.tenantId, (db) =>
      db.select().from(consentEvents).where(eq(consentEvents.phone, phone)),
    );
  const replyTo = (tenantId: string, providerId: string) =>
    reg.services.connections.withTenant(tenantId, (db) =>
      db
        .select()
        .from(messages)
        .where(eq(messages.id, autoReplyId(providerId))),
    );
  const usesOf = (keywordId: string) =>
    reg.services.connections.withTenant(church.tenantId, (db) =>
      db.select().from(keywordUses).where(eq(keywordUses.keywordId, keywordId)),
    );
  const sendJobs = async (messageId: string) =>
    (await reg.admin`select count(*)::int as n from graphile_worker.jobs where key like ${'send:%:' + messageId}`)[0]!
      .n as number;
  /** A text from `from` to the church's number, through the signed webhook, delivered twice (as Telnyx may). */
  async function text(from: string, body: string, to = number) {
    const m = received(from, to, body);
    expect((await postSigned(reg.services, m.body)).status).toBe(200);
    expect((await postSigned(reg.services, m.body)).status).toBe(200);
    return m;
  }

  beforeAll(async () => {
    reg = await createTestRegistry();
    ({ church, owner, staff } = await churchWithStaff(reg.services, 'Keyword Chapel', `kw-staff-${process.pid}@x.org`));
    number = await routeNumberTo(reg.services, church.tenantId);
  });
  afterAll(async () => {
    await reg?.cleanup();
  });

  it('admins add, change and delete keywords; staff only read them', async () => {
    const join = await owner.caller.keywords.create({ keyword: ' join! ', reply: 'Welcome, {first_name|friend}!' });
    expect(join).toMatchObject({ word: 'JOIN', reply: 'Welcome, {first_name|friend}!', addTags: [] });
    expect((await staff.caller.keywords.list()).map((k) => k.word)).toContain('JOIN');
    expect((await errorOf(staff.caller.keywords.create({ keyword: 'STAFF', reply: 'hi' }))).code).toBe('FORBIDDEN');
    expect((await errorOf(staff.caller.keywords.delete({ id: join.id }))).code).toBe('FORBIDDEN');

    const again = await errorOf(owner.caller.keywords.create({ keyword: 'Join', reply: 'again' }));
    expect(again.code).toBe('CONFLICT');
    expect(again.message).toBe('You already have the keyword JOIN.');

    const easter = await owner.caller.keywords.create({ keyword: 'easter', reply: 'He is risen', addTags: ['easter'] });
    const renamed = await errorOf(owner.caller.keywords.update({ id: easter.id, keyword: 'JOIN' }));
    expect(renamed.code).toBe('CONFLICT');
    const updated = await owner.caller.keywords.update({ id: easter.id, keyword: 'Easter2027', addTags: ['a', 'A'] });
    expect(updated).toMatchObject({ word: 'EASTER2027', reply: 'He is risen', addTags: ['a'] });
    expect(await owner.caller.keywords.delete({ id: easter.id })).toEqual({ ok: true });
    expect((await errorOf(owner.caller.keywords.delete({ id: easter.id }))).code).toBe('NOT_FOUND');
    expect((await errorOf(owner.caller.keywords.update({ id: easter.id, reply: 'x' }))).code).toBe('NOT_FOUND');
    expect((await errorOf(owner.caller.keywords.stats({ id: easter.id }))).code).toBe('NOT_FOUND');
    expect((await owner.caller.keywords.list()).map((k) => k.word)).toEqual(['JOIN']);
  });

  it.each([
    ['STOP', /STOP is reserved: it is how people opt out/],
    ['Unsubscribe!', /UNSUBSCRIBE is reserved/],
    ['start', /START is reserved: it is how people opt back in/],
    ['yes', /YES is reserved/],
    ['Help', /HELP is reserved: it is how people ask who is texting/],
    ['INFO', /INFO is reserved/],
    ['join us', /one word of 2 to 20 letters or numbers/],
    ['opt-out', /one word of 2 to 20 letters or numbers/],
    ['J', /one word of 2 to 20 letters or numbers/],
    ['!!!', /Enter a keyword|one word/],
  ])('refuses "%s" with a clear message', async (keyword, message) => {
    const err = await errorOf(owner.caller.keywords.create({ keyword, reply: 'hello' }));
    expect(err.code).toBe('BAD_REQUEST');
    expect(err.message).toMatch(message);
  });

  it('refuses a reply with an unknown merge field, naming it', async () => {
    const err = await errorOf(owner.caller.keywords.create({ keyword: 'MERGE', reply: 'Hi {frist_name}, {x|y}' }));
    expect(err.code).toBe('BAD_REQUEST');
    expect(err.message).toContain('Unknown merge fields {frist_name}, {x}');
  });

  it('a new texter becomes a subscribed, tagged member with a consent row; one reply under redelivery', async () => {
    const kw = await owner.caller.keywords.create({
      keyword: 'WELCOME',
      reply: 'Hi {first_name|friend}, glad you came to {church_name}!',
      addTags: ['guests', 'sunday'],
    });
    const from = nextPerson();
    const m = await text(from, ' Welcome. ');

    const member = await memberByPhone(from);
    expect(member).toMatchObject({
      subscription: 'subscribed',
      subscriptionSource: 'keyword',
      tags: ['guests', 'sunday'],
    });
    const [inbound] = await inChurch((db) => db.select().from(messages).where(eq(messages.providerMessageId, m.id)));
    expect(await consentRows(from)).toEqual([
      expect.objectContaining({
        memberId: member!.id,
        previous: 'not_opted_in',
        state: 'subscribed',
        source: 'text',
        detail: 'keyword WELCOME',
        providerMessageId: m.id,
      }),
    ]);
    const replies = await replyTo(church.tenantId, m.id);
    expect(replies).toHaveLength(1);
    // The fallback for someone not yet named; the first reply after joining carries the carriers' words.
    expect(replies[0]!.body).toBe(
      'Hi friend, glad you came to Keyword Chapel! Msg frequency varies. Msg & data rates may apply. ' +
        'Reply HELP for help, STOP to opt out.',
    );
    expect(replies[0]).toMatchObject({ kind: 'auto', status: 'queued', toNumber: from, fromNumber: number });
    expect(await sendJobs(replies[0]!.id)).toBe(1);
    expect(await usesOf(kw.id)).toEqual([
      expect.objectContaining({ word: 'WELCOME', outcome: 'joined', newMember: true, messageId: inbound!.id }),
    ]);

    // The thread says what happened; the page counts it.
    const thread = await owner.caller.conversations.get({ id: replies[0]!.conversationId });
    expect(thread.messages.map((x) => x.keyword)).toEqual([{ word: 'WELCOME', outcome: 'joined' }, null]);
    const stats = await staff.caller.keywords.stats({ id: kw.id });
    expect(stats).toMatchObject({
      word: 'WELCOME',
      uses30d: 1,
      newMembers30d: 1,
      allTime: { joined: 1, already_subscribed: 0, opted_out: 0 },
    });
    expect(stats.days).toHaveLength(30);
    expect(stats.days.at(-1)).toMatchObject({ uses: 1, newMembers: 1 });
    expect((await owner.caller.keywords.list()).find((k) => k.id === kw.id)).toMatchObject({
      uses30d: 1,
      newMembers30d: 1,
      lastUsedAt: expect.any(Date),
    });
  });

  it('a known member is greeted by name and subscribed; one already subscribed keeps their consent', async () => {
    const kw = await owner.caller.keywords.create({
      keyword: 'CHOIR',
      reply: 'Thanks {first_name}!',
      addTags: ['choir'],
    });
    const ann = await owner.caller.members.create({ firstName: 'Ann', phone: nextPerson(), tags: ['Choir', 'alto'] });
    await text(ann.phone, 'choir');
    expect(await memberByPhone(ann.phone)).toMatchObject({ subscription: 'subscribed', tags: ['Choir', 'alto'] });
    const [row] = await consentRows(ann.phone);
    expect(row).toMatchObject({ previous: 'not_opted_in', state: 'subscribed', detail: 'keyword CHOIR' });

    const again = await text(ann.phone, 'CHOIR!');
    const [reply] = await replyTo(church.tenantId, again.id);
    expect(reply!.body).toBe('Thanks Ann!'); // no second disclosure: they joined already
    expect(await consentRows(ann.phone)).toHaveLength(1);
    expect((await usesOf(kw.id)).map((u) => [u.outcome, u.newMember])).toEqual([
      ['joined', false],
      ['already_subscribed', false],
    ]);

    // The same again within ten minutes is recorded but not answered (nobody makes the church pay for a reply loop);
    // ten minutes on, it is answered again.
    const third = await text(ann.phone, 'Choir');
    expect(await replyTo(church.tenantId, third.id)).toEqual([]);
    expect(await usesOf(kw.id)).toHaveLength(3);
    await inChurch((db) => db.execute(sql`update keyword_uses set created_at = created_at - interval '11 minutes'`));
    const later = await text(ann.phone, 'choir');
    expect((await replyTo(church.tenantId, later.id))[0]!.body).toBe('Thanks Ann!');
  });

  it('someone who opted out stays opted out and is told to text START; START then works', async () => {
    await owner.caller.keywords.create({ keyword: 'GROUPS', reply: 'Here are our groups', addTags: ['groups'] });
    const from = nextPerson();
    await text(from, 'STOP');
    const m = await text(from, 'groups');
    expect(await memberByPhone(from)).toMatchObject({ subscription: 'unsubscribed', tags: [] });
    const replies = await replyTo(church.tenantId, m.id);
    expect(replies).toHaveLength(1);
    expect(replies[0]!.body).toBe(
      'Keyword Chapel: you opted out of our texts, so GROUPS did not sign you up. To get our texts again, reply START.',
    );
    expect(await sendJobs(replies[0]!.id)).toBe(1);
    expect((await consentRows(from)).map((r) => r.state)).toEqual(['unsubscribed']);

    await text(from, 'START');
    expect(await memberByPhone(from)).toMatchObject({ subscription: 'subscribed' });
  });

  it('only a whole text is a keyword; a deleted keyword is a plain text again but its uses stay', async () => {
    const kw = await owner.caller.keywords.create({ keyword: 'SERVE', reply: 'Thanks for serving' });
    const from = nextPerson();
    for (const body of ['I want to serve', 'serve serve', 'serve?!', 'SERVE 🙏']) await text(from, body);
    expect(await memberByPhone(from)).toMatchObject({ subscription: 'subscribed' });
    // "serve?!" matched; "SERVE 🙏" did too (the emoji is a symbol around the word); the sentences did not.
    expect((await usesOf(kw.id)).map((u) => u.outcome)).toEqual(['joined', 'already_subscribed']);

    await owner.caller.keywords.delete({ id: kw.id });
    const later = await text(from, 'serve');
    expect(await replyTo(church.tenantId, later.id)).toHaveLength(0);
    const uses = await inChurch((db) => db.select().from(keywordUses).where(eq(keywordUses.word, 'SERVE')));
    expect(uses.map((u) => [u.keywordId, u.outcome])).toEqual([
      [null, 'joined'],
      [null, 'already_subscribed'],
    ]);
  });

  it('two churches may use the same word on their own numbers, each with its own reply', async () => {
    const other = await churchWithOwner(reg.services, { churchName: 'Other Keyword Church' });
    const otherNumber = await routeNumberTo(reg.services, other.church.tenantId);
    await owner.caller.keywords.create({ keyword: 'NEWS', reply: 'Keyword Chapel news' });
    await other.owner.caller.keywords.create({ keyword: 'NEWS', reply: 'Other news' });
    const from = nextPerson();
    const here = await text(from, 'news');
    const there = await text(from, 'news', otherNumber);
    expect((await replyTo(church.tenantId, here.id))[0]!.body).toMatch(/^Keyword Chapel news/);
    expect((await replyTo(other.church.tenantId, there.id))[0]!.body).toMatch(/^Other Keyword Church: Other news/);
    expect((await other.owner.caller.keywords.list()).map((k) => k.word)).toEqual(['NEWS']);
  });
});
