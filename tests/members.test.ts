import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ZodError } from 'zod';
import { churchWithOwner, churchWithStaff, errorOf, type Church, type SignedInClient } from './support/accounts';
import { createTestRegistry, type TestRegistry } from './support/harness';

/** A US number that libphonenumber accepts: (202) 2xx-xxxx, distinct for every i below 80,000. */
const usPhone = (i: number, area = 202) => {
  const exchange = 200 + Math.floor(i / 10_000);
  const line = String(i % 10_000).padStart(4, '0');
  return { national: `(${area}) ${exchange}-${line}`, e164: `+1${area}${exchange}${line}` };
};

const csvOf = (rows: string[][]) =>
  rows.map((r) => r.map((c) => (/[",\n]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c)).join(',')).join('\n');

describe('members', () => {
  let reg: TestRegistry;
  let church: Church;
  let owner: SignedInClient;
  let staff: SignedInClient;

  const churchDb = (tenantId: string) => reg.churchDb(tenantId);

  /** A church of its own, signed in as its owner, so counts and pages are not shared between tests. */
  async function freshChurch(churchName?: string) {
    const fresh = await churchWithOwner(reg.services, { churchName });
    return { ...fresh, db: await churchDb(fresh.church.tenantId) };
  }

  beforeAll(async () => {
    reg = await createTestRegistry();
    ({ church, owner, staff } = await churchWithStaff(
      reg.services,
      'Members Chapel',
      `staff-${process.pid}@example.org`,
    ));
  });
  afterAll(async () => {
    await reg?.cleanup();
  });

  it('creates, reads, updates partially and deletes a member; phone stored in E.164, shown nationally', async () => {
    const created = await owner.caller.members.create({
      firstName: ' Ada ',
      lastName: 'Lovelace',
      phone: '(202) 555-0142',
      email: ' Ada@Example.ORG ',
      tags: ['choir', ' Choir', '', 'youth '].filter(Boolean),
      notes: '',
    });
    expect(created).toMatchObject({
      firstName: 'Ada',
      lastName: 'Lovelace',
      phone: '+12025550142',
      phoneDisplay: '(202) 555-0142',
      email: 'ada@example.org',
      tags: ['choir', 'youth'],
      notes: null,
      branchId: null,
      branchName: null,
      subscription: 'not_opted_in', // added without a recorded consent: answered one to one, never broadcast to
      subscriptionSource: 'admin',
    });
    expect(await owner.caller.members.get({ id: created.id })).toEqual(created);

    // Only the given fields change; '' clears an optional field.
    const renamed = await owner.caller.members.update({ id: created.id, lastName: 'King', email: '' });
    expect(renamed).toMatchObject({
      firstName: 'Ada',
      lastName: 'King',
      phone: '+12025550142',
      email: null,
      tags: ['choir', 'youth'],
    });
    const moved = await staff.caller.members.update({ id: created.id, phone: '+1 202 555 0143', tags: [] });
    expect(moved).toMatchObject({ phone: '+12025550143', phoneDisplay: '(202) 555-0143', tags: [], lastName: 'King' });

    // The member's conversation and its messages go with them.
    const db = await churchDb(church.tenantId);
    const [conv] = await db<
      { id: string }[]
    >`insert into conversations (member_id) values (${created.id}) returning id`;
    await db`
      insert into messages (conversation_id, direction, body, segments, status)
      values (${conv!.id}, 'inbound', 'hello', 1, 'received')`;
    expect(await owner.caller.members.delete({ id: created.id })).toEqual({ ok: true });
    expect(await db`select 1 from conversations where id = ${conv!.id}`).toHaveLength(0);
    expect(await db`select 1 from messages where conversation_id = ${conv!.id}`).toHaveLength(0);
    expect((await errorOf(owner.caller.members.get({ id: created.id }))).code).toBe('NOT_FOUND');
    expect((await errorOf(owner.caller.members.delete({ id: created.id }))).code).toBe('NOT_FOUND');
    expect((await errorOf(owner.caller.members.update({ id: created.id, firstName: 'Ghost' }))).code).toBe('NOT_FOUND');
  });

  it('an admin changing the subscription records source and time; the same state again changes nothing', async () => {
    const m = await owner.caller.members.create({
      firstName: 'Sub',
      lastName: 'Scriber',
      phone: '202-555-0150',
      subscription: 'subscribed',
      consentNote: 'paper connect card',
    });
    const db = await churchDb(church.tenantId);
    await db`
      update members set subscription_source = 'keyword', subscription_changed_at = now() - interval '1 day'
       where id = ${m.id}`;
    const before = await owner.caller.members.get({ id: m.id });

    const same = await owner.caller.members.update({ id: m.id, subscription: 'subscribed', notes: 'said hello' });
    expect(same).toMatchObject({ subscription: 'subscribed', subscriptionSource: 'keyword', notes: 'said hello' });
    expect(same.subscriptionChangedAt).toEqual(before.subscriptionChangedAt);

    const off = await staff.caller.members.update({ id: m.id, subscription: 'unsubscribed' });
    expect(off).toMatchObject({ subscription: 'unsubscribed', subscriptionSource: 'admin' });
    expect(off.subscriptionChangedAt.getTime()).toBeGreaterThan(before.subscriptionChangedAt.getTime() + 3_600_000);
    expect((await owner.caller.members.list({ subscription: 'unsubscribed' })).items.map((i) => i.id)).toContain(m.id);
  });

  it("phones read for the church's country; one number two ways: CONFLICT; invalid ones: field errors", async () => {
    const first = await owner.caller.members.create({ firstName: 'Dup', phone: '+1 (202) 555-0160' });
    for (const phone of ['202.555.0160', '2025550160', '+12025550160', '+1 202-555-0160']) {
      const err = await errorOf(staff.caller.members.create({ firstName: 'Again', phone }));
      expect(err.code, phone).toBe('CONFLICT');
      expect(err.message).toBe('A member with this phone number already exists');
    }
    const other = await owner.caller.members.create({ firstName: 'Other', phone: '(202) 555-0161' });
    const clash = await errorOf(owner.caller.members.update({ id: other.id, phone: '202 555 0160' }));
    expect(clash.code).toBe('CONFLICT');
    expect((await owner.caller.members.get({ id: other.id })).phone).toBe('+12025550161');

    for (const phone of ['555-555-0100', 'call me', '12']) {
      const err = await errorOf(owner.caller.members.create({ firstName: 'Bad', phone }));
      expect(err.code, phone).toBe('BAD_REQUEST');
      expect(err.cause).toBeInstanceOf(ZodError);
      expect((err.cause as ZodError).issues).toEqual([
        expect.objectContaining({ path: ['phone'], message: expect.stringMatching(/valid phone number/) }),
      ]);
    }
    const missing = await errorOf(owner.caller.members.create({ firstName: ' ', phone: '' }));
    expect(missing.code).toBe('BAD_REQUEST');
    expect((missing.cause as ZodError).issues.map((i) => i.path[0]).sort()).toEqual(['firstName', 'phone']);
    expect(
      (await errorOf(owner.caller.members.create({ firstName: 'Mail', phone: '2025550162', email: 'not-an-email' })))
        .code,
    ).toBe('BAD_REQUEST');
    expect(
      (
        await errorOf(
          owner.caller.members.create({ firstName: 'Branchless', phone: '2025550163', branchId: crypto.randomUUID() }),
        )
      ).code,
    ).toBe('BAD_REQUEST');
    expect((await errorOf(owner.caller.members.get({ id: 'not-a-uuid' }))).code).toBe('BAD_REQUEST');
    expect((await errorOf(owner.caller.members.list({ cursor: 'garbage' }))).code).toBe('BAD_REQUEST');
    expect(first.phone).toBe('+12025550160');

    // A British church: national numbers are British; foreign numbers need their country code and show internationally.
    const uk = await freshChurch('Chapel on the Green');
    await reg.admin`update churches set country = 'GB' where tenant_id = ${uk.church.tenantId}`;
    reg.services.profiles.forget(uk.church.tenantId);
    const brit = await uk.owner.caller.members.create({ firstName: 'Brit', phone: '020 7946 0958' });
    expect(brit).toMatchObject({ phone: '+442079460958', phoneDisplay: '020 7946 0958' });
    const yank = await uk.owner.caller.members.create({ firstName: 'Yank', phone: '+1 202 555 0160' });
    expect(yank).toMatchObject({ phone: '+12025550160', phoneDisplay: '+1 202 555 0160' });
    expect((await errorOf(uk.owner.caller.members.create({ firstName: 'Local', phone: '(202) 555-0164' }))).code).toBe(
      'BAD_REQUEST',
    );
  });

  it('lists with search, filters and keyset pages: every member exactly once across pages', async () => {
    const { owner: o, db } = await freshChurch();
    const north = await o.caller.branches.create({ name: 'North' });
    // Many share a last name and some a full name, so the id must break ties between pages.
    const people = Array.from({ length: 47 }, (_, i) => ({
      first: ['Ann', 'Bob', 'Cy', 'Dee'][i % 4]!,
      last: ['Smith', 'Jones', 'Óbrien', 'smith', 'Zed'][i % 5]!,
      phone: usPhone(100 + i),
    }));
    const csv = csvOf([
      ['first_name', 'last_name', 'phone', 'branch', 'tags', 'subscribed'],
      ...people.map((p, i) => [
        p.first,
        p.last,
        p.phone.national,
        i % 3 === 0 ? 'north' : '',
        i % 2 ? 'youth' : 'choir;youth',
        i % 10 === 0 ? 'no' : 'yes',
      ]),
    ]);
    expect((await o.caller.members.import({ csv, consentConfirmed: true })).created).toBe(47);

    const all = await o.caller.members.list({ limit: 200 });
    expect(all.total).toBe(47);
    expect(all.nextCursor).toBeNull();
    const seen: string[] = [];
    let cursor: string | null | undefined;
    let pages = 0;
    do {
      const page = await o.caller.members.list({ limit: 7, cursor });
      expect(page.items.length).toBeLessThanOrEqual(7);
      expect(page.total).toBe(pages === 0 ? 47 : undefined);
      seen.push(...page.items.map((i) => i.id));
      cursor = page.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(7);
    expect(seen).toEqual(all.items.map((i) => i.id));
    expect(new Set(seen).size).toBe(47);
    const sorted = await db<{ id: string }[]>`select id from members order by lower(last_name), lower(first_name), id`;
    expect(seen).toEqual(sorted.map((r) => r.id));

    // Search: names (any case, first + last), email, phone as stored, and phone digits however they are typed.
    const names = (r: { items: { firstName: string; lastName: string }[] }) =>
      r.items.map((i) => `${i.firstName} ${i.lastName}`);
    expect(names(await o.caller.members.list({ search: 'SMI', limit: 100 })).every((n) => /smith/i.test(n))).toBe(true);
    expect((await o.caller.members.list({ search: 'smi' })).total).toBe(
      people.filter((p) => /smith/i.test(p.last)).length,
    );
    expect((await o.caller.members.list({ search: 'ann jones' })).total).toBe(
      people.filter((p) => p.first === 'Ann' && p.last === 'Jones').length,
    );
    const target = people[12]!;
    for (const search of [
      target.phone.national,
      target.phone.e164,
      target.phone.e164.slice(2),
      target.phone.national.slice(-4),
    ]) {
      const found = await o.caller.members.list({ search });
      expect(
        found.items.map((i) => i.phone),
        search,
      ).toContain(target.phone.e164);
      expect(found.items[0]!.phoneDisplay).toMatch(/^\(202\) \d{3}-\d{4}$/);
    }
    expect((await o.caller.members.list({ search: 'n%_\\' })).total).toBe(0); // LIKE wildcards are literal

    // Filters, alone and together; branch names come with the items.
    const inNorth = await o.caller.members.list({ branchId: north.id, limit: 100 });
    expect(inNorth.total).toBe(people.filter((_, i) => i % 3 === 0).length);
    expect(inNorth.items.every((i) => i.branchName === 'North' && i.branchId === north.id)).toBe(true);
    expect((await o.caller.members.list({ branchId: 'none' })).total).toBe(47 - inNorth.total!);
    expect((await o.caller.members.list({ tag: 'choir' })).total).toBe(people.filter((_, i) => i % 2 === 0).length);
    expect((await o.caller.members.list({ subscription: 'unsubscribed' })).total).toBe(5);
    expect((await o.caller.members.list({ tag: 'choir', branchId: north.id, subscription: 'subscribed' })).total).toBe(
      people.filter((_, i) => i % 2 === 0 && i % 3 === 0 && i % 10 !== 0).length,
    );
    expect(await o.caller.members.tags()).toEqual(['choir', 'youth']);
  });

  it('import preview: bad phone, no name, duplicate in file, unknown branch, existing; writes nothing', async () => {
    const { owner: o, db } = await freshChurch();
    await o.caller.branches.create({ name: 'Downtown' });
    await o.caller.branches.create({ name: 'Riverside' });
    const existing = await o.caller.members.create({
      firstName: 'Old',
      lastName: 'Timer',
      phone: '(202) 555-0170',
      tags: ['elder'],
      notes: 'keep me',
    });
    await o.caller.members.update({ id: existing.id, subscription: 'unsubscribed' });

    const csv = [
      'First Name,Surname,Mobile,E-mail,Campus,Tags,Notes,Subscribed,Favourite Hymn',
      'Grace,Hopper,(202) 555-0171,grace@example.org,downtown,choir;youth,,yes,Amazing Grace',
      'Bad,Phone,555-555-0100,,,,,,',
      ',Nameless,(202) 555-0172,,,,,,',
      'Grace,Again,202.555.0171,,,,,,',
      'Lost,Soul,(202) 555-0173,,Uptown,,,,',
      'Old,Timer,+12025550170,,Riverside,new|elder,,yes,',
      'Mail,Wrong,(202) 555-0174,not-an-email,,,,maybe,',
      '',
      'Last,Row,(202) 555-0175,,,,"line one',
      'line two",no,',
    ].join('\n');
    const preview = await o.caller.members.importPreview({ csv });
    // Every header but the hymn feeds a field of ours, each a different one (which: tests/unit/csv-rows.test.ts).
    expect(preview.columns.matched.map((m) => m.header)).toEqual(csv.split('\n')[0]!.split(',').slice(0, 8));
    expect(new Set(preview.columns.matched.map((m) => m.column)).size).toBe(8);
    expect(preview.columns.ignored).toEqual(['Favourite Hymn']);
    expect(preview.totals).toEqual({ rows: 8, create: 2, update: 1, duplicate: 1, error: 4 });
    const byRow = Object.fromEntries(preview.rows.map((r) => [r.row, r]));
    expect(byRow[2]).toMatchObject({
      status: 'create',
      messages: [],
      name: 'Grace Hopper',
      branch: 'downtown',
      tags: ['choir', 'youth'],
    });
    expect(byRow[3]).toMatchObject({ status: 'error', messages: ['Phone number "555-555-0100" is not valid'] });
    expect(byRow[4]).toMatchObject({ status: 'error', messages: ['First name is missing'] });
    expect(byRow[5]).toMatchObject({ status: 'duplicate', messages: ['Same phone number as row 2'] });
    expect(byRow[6]).toMatchObject({
      status: 'error',
      messages: ['Unknown branch "Uptown". Your branches are: Downtown, Riverside'],
    });
    expect(byRow[7]).toMatchObject({ status: 'update', messages: [] });
    expect(byRow[8]).toMatchObject({
      status: 'error',
      messages: ['Enter a valid email address', 'Subscribed must be yes, no or "not opted in" (it is "maybe")'],
    });
    // A quoted note over two lines; blank line 9 skipped.
    expect(byRow[11]).toMatchObject({ status: 'create', name: 'Last Row' });
    expect(await db`select phone from members`).toEqual([{ phone: '+12025550170' }]);

    // Without the importer's word that they agreed, "yes" imports Grace as not opted in; with it, as subscribed.
    await o.caller.members.import({ csv: 'name,phone,subscribed\nGrace Hopper,2025550171,yes' });
    expect(await db`select subscription from members where phone = '+12025550171'`).toEqual([
      { subscription: 'not_opted_in' },
    ]);
    const result = await o.caller.members.import({ csv, consentConfirmed: true });
    expect(result).toEqual({
      created: 1,
      updated: 2,
      skipped: 5,
      errors: [3, 4, 5, 6, 8].map((row) => ({ row, messages: byRow[row]!.messages })),
    });
    const rows = await db<
      {
        first_name: string;
        last_name: string;
        phone: string;
        email: string | null;
        tags: string[];
        notes: string | null;
        subscription: string;
        subscription_source: string;
        branch: string | null;
      }[]
    >`
      select m.first_name, m.last_name, m.phone, m.email, m.tags, m.notes, m.subscription, m.subscription_source,
             b.name as branch
      from members m left join branches b on b.id = m.branch_id order by m.phone`;
    expect(rows).toEqual([
      // Existing: names replaced, branch set, tags added (never removed), notes kept, and still unsubscribed.
      {
        first_name: 'Old',
        last_name: 'Timer',
        phone: '+12025550170',
        email: null,
        tags: ['elder', 'new'],
        notes: 'keep me',
        subscription: 'unsubscribed',
        subscription_source: 'admin',
        branch: 'Riverside',
      },
      {
        first_name: 'Grace',
        last_name: 'Hopper',
        phone: '+12025550171',
        email: 'grace@example.org',
        tags: ['choir', 'youth'],
        notes: null,
        subscription: 'subscribed',
        subscription_source: 'import',
        branch: 'Downtown',
      },
      {
        first_name: 'Last',
        last_name: 'Row',
        phone: '+12025550175',
        email: null,
        tags: [],
        notes: 'line one\nline two',
        subscription: 'unsubscribed',
        subscription_source: 'import',
        branch: null,
      },
    ]);

    // A file saying "no" for a subscribed member unsubscribes them, from the import.
    const off = await o.caller.members.import({ csv: 'name,phone,subscribed\nGrace Hopper,2025550171,no' });
    expect(off).toMatchObject({ created: 0, updated: 1, skipped: 0 });
    expect(await db`select subscription, subscription_source from members where phone = '+12025550171'`).toEqual([
      { subscription: 'unsubscribed', subscription_source: 'import' },
    ]);
  });

  it('refuses files it cannot use with a clear BAD_REQUEST, never a 500', async () => {
    const refusal = async (csv: string) => {
      const err = await errorOf(owner.caller.members.importPreview({ csv }));
      expect(err.code, csv.slice(0, 40)).toBe('BAD_REQUEST');
      return err.message;
    };
    expect(await refusal('first_name,last_name,email\nAda,Lovelace,ada@example.org')).toMatch(
      /needs a phone column and a first name/,
    );
    expect(await refusal('first_name,phone')).toMatch(/no members in it/);
    expect(await refusal('first_name,phone\n"Ada,2025550100\n')).toMatch(/could not be read as CSV/);
    expect(await refusal(`first_name,phone\n${'Ann,2025550100\n'.repeat(20_001)}`)).toMatch(
      /has 20,001 rows; import at most 20,000/,
    );
    const huge = await errorOf(
      owner.caller.members.import({ csv: `first_name,phone\n${'x'.repeat(5 * 1024 * 1024)}` }),
    );
    expect(huge.code).toBe('BAD_REQUEST');
    expect((huge.cause as ZodError).issues[0]!.message).toMatch(/larger than 5 MB/);
  });

  it('imports 5,000 rows in one call, and the same file again updates them all', async () => {
    const { owner: o, db } = await freshChurch();
    const header = 'firstname\tlastname\tcell\ttags'; // tab-separated, as pasted from a spreadsheet
    const lines = Array.from(
      { length: 5_000 },
      (_, i) => `Person${i}\tBulk\t${usPhone(i, 312).national}\timported|batch${i % 7}`,
    );
    const tsv = [header, ...lines].join('\r\n');
    const started = Date.now();
    expect(await o.caller.members.import({ csv: tsv })).toEqual({ created: 5_000, updated: 0, skipped: 0, errors: [] });
    expect(Date.now() - started).toBeLessThan(30_000);
    const [stats] = await db<{ n: number; phones: number; sources: string[] }[]>`
      select count(*)::int as n, count(distinct phone)::int as phones,
             array_agg(distinct subscription_source::text) as sources
        from members`;
    expect(stats).toEqual({ n: 5_000, phones: 5_000, sources: ['import'] });
    expect(await db`select first_name, tags from members where phone = ${usPhone(4_321, 312).e164}`).toEqual([
      { first_name: 'Person4321', tags: ['imported', 'batch2'] },
    ]);
    expect((await o.caller.members.list({ tag: 'batch3' })).total).toBe(
      Array.from({ length: 5_000 }, (_, i) => i).filter((i) => i % 7 === 3).length,
    );

    expect(await o.caller.members.import({ csv: tsv })).toEqual({ created: 0, updated: 5_000, skipped: 0, errors: [] });
    expect((await db`select count(*)::int as n from members`)[0]!.n).toBe(5_000);
  });

  it('staff read, add and edit members but cannot delete or import', async () => {
    const m = await staff.caller.members.create({ firstName: 'Staffed', phone: '(202) 555-0180' });
    expect((await staff.caller.members.update({ id: m.id, lastName: 'Entry' })).lastName).toBe('Entry');
    expect((await staff.caller.members.list({ search: 'Staffed' })).items.map((i) => i.id)).toEqual([m.id]);
    await staff.caller.members.tags();
    const csv = 'first_name,phone\nSneaky,(202) 555-0181';
    for (const [name, call] of Object.entries({
      delete: () => staff.caller.members.delete({ id: m.id }),
      importPreview: () => staff.caller.members.importPreview({ csv }),
      import: () => staff.caller.members.import({ csv }),
    })) {
      expect((await errorOf(call())).code, name).toBe('FORBIDDEN');
    }
    expect((await owner.caller.members.get({ id: m.id })).firstName).toBe('Staffed');
    expect((await owner.caller.members.list({ search: 'Sneaky' })).total).toBe(0);
  });

  it('a church never sees or touches another church’s members, and may hold the same phone number', async () => {
    const other = await freshChurch();
    const mine = await owner.caller.members.create({
      firstName: 'Private',
      lastName: 'Person',
      phone: '(202) 555-0190',
      email: 'private@example.org',
    });
    const theirs = await other.owner.caller.members.create({
      firstName: 'Their',
      lastName: 'Person',
      phone: '(202) 555-0190',
    });
    expect(theirs.id).not.toBe(mine.id);

    const seen = await other.owner.caller.members.list({ search: 'Person', limit: 200 });
    expect(seen.items.map((i) => i.id)).toEqual([theirs.id]);
    expect(JSON.stringify(await other.owner.caller.members.list({ limit: 200 }))).not.toContain('private@example.org');
    expect((await errorOf(other.owner.caller.members.get({ id: mine.id }))).code).toBe('NOT_FOUND');
    expect((await errorOf(other.owner.caller.members.update({ id: mine.id, firstName: 'Taken' }))).code).toBe(
      'NOT_FOUND',
    );
    expect((await errorOf(other.owner.caller.members.delete({ id: mine.id }))).code).toBe('NOT_FOUND');
    expect(await owner.caller.members.get({ id: mine.id })).toMatchObject({
      firstName: 'Private',
      phone: '+12025550190',
    });
    expect(await other.owner.caller.members.tags()).toEqual([]);
  });
});
