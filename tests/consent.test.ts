import { drizzle } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TenantDb } from '@/db/tenant';
import { storeInbound } from '@/server/messaging/inbound';
import { keywordOf } from '@/server/messaging/keywords';
import { churchWithStaff, errorOf, type Church, type SignedInClient } from './support/accounts';
import { createTestRegistry, type TestRegistry } from './support/harness';
import { routeNumberTo, personNumber, postSigned, received } from './support/webhooks';

/**
 * Consent belongs to the texter: only their own STOP/START (or, later, a keyword or form) changes it once they opted
 * out; an admin may record how someone agreed, or that they asked to stop, and every change is in the consent log.
 */
describe('consent', () => {
  let reg: TestRegistry;
  let church: Church;
  let owner: SignedInClient;
  let staff: SignedInClient;
  let number: string;
  let db: postgres.Sql;
  let people = 500;
  const nextPerson = () => personNumber(++people);

  const logOf = (memberId: string) =>
    db<
      {
        previous: string | null;
        state: string;
        source: string;
        detail: string | null;
        provider_message_id: string | null;
        admin_id: string | null;
      }[]
    >`
      select previous, state, source, detail, provider_message_id, admin_id
        from consent_events where member_id = ${memberId} order by created_at, id`;
  const memberByPhone = async (phone: string) =>
    (await db<{ id: string; subscription: string }[]>`select id, subscription from members where phone = ${phone}`)[0];

  beforeAll(async () => {
    reg = await createTestRegistry();
    ({ church, owner, staff } = await churchWithStaff(
      reg.services,
      'Consent Chapel',
      `consent-staff-${process.pid}@example.org`,
    ));
    number = await routeNumberTo(reg.services, church.tenantId);
    db = await reg.churchDb(church.tenantId);
  });
  afterAll(async () => {
    await reg?.cleanup();
  });

  it('the opt-out, opt-in and help words, whole message, any case, spaces and punctuation around them ignored', () => {
    for (const w of [
      'STOP',
      'stopall',
      'Unsubscribe',
      'cancel',
      'END',
      'quit',
      'OPT OUT',
      'opt-out',
      'OptOut',
      'revoke',
      ' stop! ',
      '"Stop."',
      '¡STOP!',
    ])
      expect(keywordOf(w), w).toBe('stop');
    for (const w of ['START', 'unstop', 'Yes', 'yes!!']) expect(keywordOf(w), w).toBe('start');
    for (const w of ['HELP', 'info?']) expect(keywordOf(w), w).toBe('help');
    for (const w of ['stop by at 5', 'please stop', 'yes please', 'helpful', 'STOPPED', ''])
      expect(keywordOf(w), w).toBeNull();
  });

  it('someone who texts in is a contact not opted in: answerable one to one, never in a broadcast', async () => {
    const from = nextPerson();
    const m = received(from, number, 'What time is the service?');
    expect((await postSigned(reg.services, m.body)).status).toBe(200);
    const member = await memberByPhone(from);
    expect(member).toMatchObject({ subscription: 'not_opted_in' });
    expect(await logOf(member!.id)).toEqual([]); // nothing changed: they never agreed
    // The inbox may answer them…
    await owner.caller.phoneNumbers.list();
    const reply = await staff.caller.messages.send({ memberId: member!.id, body: 'Sunday at 10!' });
    expect(reply).toMatchObject({ status: 'queued' });
    // …but a broadcast leaves them out (and counts them as skipped).
    const preview = await owner.caller.broadcasts.preview({ audience: { type: 'all' }, body: 'Picnic Saturday' });
    expect(preview.skipped).toBeGreaterThanOrEqual(1);
    const everyone = await owner.caller.members.list({ subscription: 'not_opted_in' });
    expect(everyone.items.map((i) => i.id)).toContain(member!.id);
  });

  it('their own START subscribes and STOP unsubscribes, each logged with the word and the message id', async () => {
    const from = nextPerson();
    const words = ['hello', 'START', 'STOP', 'yes'];
    const ids: string[] = [];
    for (const w of words) {
      const m = received(from, number, w);
      ids.push(m.id);
      expect((await postSigned(reg.services, m.body)).status).toBe(200);
    }
    const member = await memberByPhone(from);
    expect(member).toMatchObject({ subscription: 'subscribed' });
    expect(await logOf(member!.id)).toEqual([
      {
        previous: 'not_opted_in',
        state: 'subscribed',
        source: 'text',
        detail: 'START',
        provider_message_id: ids[1],
        admin_id: null,
      },
      {
        previous: 'subscribed',
        state: 'unsubscribed',
        source: 'text',
        detail: 'STOP',
        provider_message_id: ids[2],
        admin_id: null,
      },
      {
        previous: 'unsubscribed',
        state: 'subscribed',
        source: 'text',
        detail: 'yes',
        provider_message_id: ids[3],
        admin_id: null,
      },
    ]);
  });

  it('nobody can re-subscribe someone who opted out: not staff, not the owner, not create after a delete', async () => {
    const from = nextPerson();
    await postSigned(reg.services, received(from, number, 'STOP').body);
    const member = (await memberByPhone(from))!;
    expect(member.subscription).toBe('unsubscribed');

    for (const who of [staff, owner]) {
      const err = await errorOf(
        who.caller.members.update({ id: member.id, subscription: 'subscribed', consentNote: 'they said it was fine' }),
      );
      expect(err.code).toBe('FORBIDDEN');
      expect(err.message).toMatch(/Only they can opt back in, by texting START/);
    }
    expect((await errorOf(owner.caller.members.update({ id: member.id, subscription: 'not_opted_in' }))).code).toBe(
      'FORBIDDEN',
    );
    // Other fields still change; consent does not.
    expect(
      await staff.caller.members.update({ id: member.id, firstName: 'Renamed', subscription: 'unsubscribed' }),
    ).toMatchObject({ firstName: 'Renamed', subscription: 'unsubscribed' });

    // Deleting the member does not reset their STOP: the log keeps it by number.
    await owner.caller.members.delete({ id: member.id });
    const again = await errorOf(
      owner.caller.members.create({
        firstName: 'Again',
        phone: from,
        subscription: 'subscribed',
        consentNote: 'new card',
      }),
    );
    expect(again.code).toBe('FORBIDDEN');
    const plain = await owner.caller.members.create({ firstName: 'Again', phone: from });
    expect(plain.subscription).toBe('unsubscribed');
    // Their history shows the STOP recorded before the delete, and why they start out opted out.
    expect((await owner.caller.members.consentLog({ id: plain.id })).map((e) => [e.state, e.source, e.detail])).toEqual(
      [
        ['unsubscribed', 'system', 'This number opted out before'],
        ['unsubscribed', 'text', 'STOP'],
      ],
    );
    // A first text after the delete also finds them opted out; their own START is what changes it.
    const other = nextPerson();
    await postSigned(reg.services, received(other, number, 'STOP').body);
    await owner.caller.members.delete({ id: (await memberByPhone(other))!.id });
    await postSigned(reg.services, received(other, number, 'is anyone there?').body);
    expect(await memberByPhone(other)).toMatchObject({ subscription: 'unsubscribed' });
    await postSigned(reg.services, received(other, number, 'START').body);
    expect(await memberByPhone(other)).toMatchObject({ subscription: 'subscribed' });
  });

  it('an admin records how someone agreed (note required) or asked to stop; the log names the admin', async () => {
    const noNote = await errorOf(
      staff.caller.members.create({ firstName: 'Card', phone: '(202) 555-0131', subscription: 'subscribed' }),
    );
    expect(noNote.code).toBe('BAD_REQUEST');
    const created = await staff.caller.members.create({
      firstName: 'Card',
      phone: '(202) 555-0131',
      subscription: 'subscribed',
      consentNote: 'paper connect card, 6 Dec',
    });
    expect(created.subscription).toBe('subscribed');
    const later = await owner.caller.members.create({ firstName: 'Later', phone: '(202) 555-0132' });
    expect(later.subscription).toBe('not_opted_in');
    expect((await errorOf(owner.caller.members.update({ id: later.id, subscription: 'subscribed' }))).code).toBe(
      'BAD_REQUEST',
    );
    await owner.caller.members.update({
      id: later.id,
      subscription: 'subscribed',
      consentNote: 'told us at the welcome desk',
    });
    await staff.caller.members.update({ id: later.id, subscription: 'unsubscribed', consentNote: 'asked in person' });

    expect(await logOf(created.id)).toEqual([
      {
        previous: null,
        state: 'subscribed',
        source: 'admin',
        detail: 'paper connect card, 6 Dec',
        provider_message_id: null,
        admin_id: staff.signed.adminId,
      },
    ]);
    expect(await logOf(later.id)).toEqual([
      {
        previous: 'not_opted_in',
        state: 'subscribed',
        source: 'admin',
        detail: 'told us at the welcome desk',
        provider_message_id: null,
        admin_id: owner.signed.adminId,
      },
      {
        previous: 'subscribed',
        state: 'unsubscribed',
        source: 'admin',
        detail: 'asked in person',
        provider_message_id: null,
        admin_id: staff.signed.adminId,
      },
    ]);
    // What the member page shows: newest first, with the admin's name.
    const shown = await owner.caller.members.consentLog({ id: later.id });
    expect(shown.map((e) => [e.state, e.source, e.adminName])).toEqual([
      ['unsubscribed', 'admin', expect.any(String)],
      ['subscribed', 'admin', expect.any(String)],
    ]);
  });

  it('an import subscribes no one without the importer’s word that they agreed', async () => {
    const texted = nextPerson();
    await postSigned(reg.services, received(texted, number, 'hello?').body);
    const result = await owner.caller.members.import({
      csv: ['first_name,phone', `Texter,${texted}`, 'Blank,(202) 555-0161'].join('\n'),
    });
    expect(result).toMatchObject({ created: 1, updated: 1 });
    expect(await memberByPhone(texted)).toMatchObject({ subscription: 'not_opted_in' });
    expect(await memberByPhone('+12025550161')).toMatchObject({ subscription: 'not_opted_in' });
  });

  it('moving a member onto a number that opted out brings the opt-out along', async () => {
    const stopped = nextPerson();
    await postSigned(reg.services, received(stopped, number, 'STOP').body);
    await owner.caller.members.delete({ id: (await memberByPhone(stopped))!.id });
    const m = await owner.caller.members.create({
      firstName: 'Mover',
      phone: '(202) 555-0162',
      subscription: 'subscribed',
      consentNote: 'card',
    });
    const refused = await errorOf(
      owner.caller.members.update({ id: m.id, phone: stopped, subscription: 'subscribed', consentNote: 'card' }),
    );
    expect(refused.code).toBe('FORBIDDEN');
    const moved = await owner.caller.members.update({ id: m.id, phone: stopped });
    expect(moved.subscription).toBe('unsubscribed');
    expect((await logOf(m.id)).at(-1)).toMatchObject({
      previous: 'subscribed',
      state: 'unsubscribed',
      source: 'system',
      detail: 'This number opted out before',
    });
  });

  it('a keyword delivered after a newer one (two texts in flight) does not undo it, and gets no reply', async () => {
    const from = nextPerson();
    const tenantDb = Object.assign(drizzle(db), { $client: db }) as TenantDb;
    const profile = async () => ({
      name: 'Consent Chapel',
      timezone: 'UTC',
      country: 'US',
      contactPhone: null,
      contactEmail: null,
      slug: 'consent-chapel',
    });
    const text = (id: string, body: string, seq: number) => ({
      providerMessageId: `seq-${process.pid}-${id}`,
      from,
      to: number,
      text: body,
      seq,
    });
    // START arrived tenth; a STOP that arrived fifth is delivered after it.
    await storeInbound(tenantDb, text('start', 'START', 10), profile);
    const late = await storeInbound(tenantDb, text('stop', 'STOP', 5), profile);
    expect(late.followUps).toEqual([]);
    const member = (await memberByPhone(from))!;
    expect(member.subscription).toBe('subscribed');
    expect((await logOf(member.id)).map((e) => e.detail)).toEqual(['START']);
    // Both texts are in the thread; a newer STOP still works.
    expect((await db`select count(*)::int as n from messages where from_number = ${from}`)[0]!.n).toBe(2);
    const newer = await storeInbound(tenantDb, text('stop2', 'STOP', 11), profile);
    expect(newer.followUps).toHaveLength(1);
    expect((await memberByPhone(from))!.subscription).toBe('unsubscribed');
  });

  it('an import adds consent with its row, may unsubscribe, never re-subscribes; export has the history', async () => {
    const stopped = nextPerson();
    await postSigned(reg.services, received(stopped, number, 'STOP').body);
    const texted = nextPerson();
    await postSigned(reg.services, received(texted, number, 'hi there').body);
    const csv = [
      'first_name,phone,subscribed',
      `Stopper,${stopped},yes`,
      `Texter,${texted},yes`,
      'Newbie,(202) 555-0141,',
      'Quiet,(202) 555-0142,not opted in',
      'Nope,(202) 555-0143,no',
    ].join('\n');
    const result = await owner.caller.members.import({ csv, consentConfirmed: true });
    expect(result).toMatchObject({ created: 3, updated: 2, skipped: 0 });

    // Their STOP wins over the file.
    expect(await memberByPhone(stopped)).toMatchObject({ subscription: 'unsubscribed' });
    const texter = (await memberByPhone(texted))!;
    expect(texter.subscription).toBe('subscribed');
    expect(await logOf(texter.id)).toEqual([
      {
        previous: 'not_opted_in',
        state: 'subscribed',
        source: 'import',
        detail: 'CSV import, row 3 (consent confirmed by the importer)',
        provider_message_id: null,
        admin_id: owner.signed.adminId,
      },
    ]);
    expect(await memberByPhone('+12025550141')).toMatchObject({ subscription: 'subscribed' });
    expect(await memberByPhone('+12025550142')).toMatchObject({ subscription: 'not_opted_in' });
    expect(await memberByPhone('+12025550143')).toMatchObject({ subscription: 'unsubscribed' });
    expect(await logOf((await memberByPhone('+12025550142'))!.id)).toEqual([]);

    const { csv: exported } = await owner.caller.members.export();
    const header = exported.split('\r\n')[0]!.split(',');
    expect(header).toContain('consent_history');
    const row = exported.split('\r\n').find((l) => l.includes(texted))!;
    expect(row).toMatch(
      /not_opted_in → subscribed \(import: CSV import, row 3 \(consent confirmed by the importer\)\)/,
    );
    const stopRow = exported.split('\r\n').find((l) => l.includes(stopped))!;
    expect(stopRow).toMatch(/,no,/);
    expect(stopRow).toMatch(/not_opted_in → unsubscribed \(text: STOP, message msg-/);
    // What the export writes, an import reads back unchanged (not opted in stays not opted in).
    expect(exported.split('\r\n').find((l) => l.includes('+12025550142'))).toMatch(/,not opted in,/);
  });

  it('the consent log is a record: the church’s own role may add to it but never rewrite or delete it', async () => {
    const m = await owner.caller.members.create({
      firstName: 'Kept',
      phone: '(202) 555-0151',
      subscription: 'subscribed',
      consentNote: 'card',
    });
    const churchRole = await reg.services.connections.withTenant(church.tenantId, async (tenantDb) => {
      const sql = tenantDb.$client;
      const update = await sql`update consent_events set state = 'unsubscribed' where member_id = ${m.id}`.then(
        () => 'allowed',
        (e: { code?: string }) => e.code,
      );
      const remove = await sql`delete from consent_events where member_id = ${m.id}`.then(
        () => 'allowed',
        (e: { code?: string }) => e.code,
      );
      return { update, remove };
    });
    expect(churchRole).toEqual({ update: '42501', remove: '42501' }); // insufficient privilege
    // Deleting the member keeps their log (by phone), through the foreign key's own action.
    await owner.caller.members.delete({ id: m.id });
    expect(await db`select state, member_id from consent_events where phone = '+12025550151'`).toEqual([
      { state: 'subscribed', member_id: null },
    ]);
  });
});
