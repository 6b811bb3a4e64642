import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { churchWithOwner, type SignedInClient } from './support/accounts';
import { createTestRegistry, type TestRegistry } from './support/harness';

/** Custom fields and the first visit in the members CSV: import by key or label, row errors, blanks, round trip. */

const csvOf = (rows: string[][]) =>
  rows.map((r) => r.map((c) => (/[",\n]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c)).join(',')).join('\n');

describe('members CSV with custom fields', () => {
  let reg: TestRegistry;

  beforeAll(async () => {
    reg = await createTestRegistry();
  });
  afterAll(async () => {
    await reg?.cleanup();
  });

  /** A church of its own with one field of each type. */
  async function churchWithFields() {
    const { church, owner } = await churchWithOwner(reg.services);
    const db = await reg.churchDb(church.tenantId);
    const create = (label: string, type: 'text' | 'number' | 'date' | 'yes_no' | 'choice', options?: string[]) =>
      owner.caller.customFields.create({ label, type, options });
    const f = {
      baptism: await create('Baptism date', 'date'),
      kids: await create('Kids', 'number'),
      baptised: await create('Baptised', 'yes_no'),
      team: await create('Serving team', 'choice', ['Music', 'Welcome']),
      allergies: await create('Allergies', 'text'),
    };
    return { church, owner, db, f };
  }

  const member = async (o: SignedInClient, phone: string) => {
    const { items } = await o.caller.members.list({ search: phone.slice(-4), limit: 10 });
    const found = items.find((i) => i.phone === phone);
    if (!found) throw new Error(`no member ${phone}`);
    return o.caller.members.get({ id: found.id });
  };

  it('columns headed by a field’s key or label set each type; the preview names them; others are ignored', async () => {
    const { owner: o, db, f } = await churchWithFields();
    const csv = csvOf([
      ['Name', 'Phone', 'First Visit', 'baptism_date', 'KIDS', 'Baptised', 'serving team', 'Allergies', 'Hymn'],
      ['Ada Lovelace', '(202) 555-0101', '2024-03-31', '2020-01-31', '1,200', 'Yes', 'music', 'Nuts, "peanuts"', 'x'],
      ['Bob Brown', '(202) 555-0102', '', '', '', 'n', '', '', ''],
    ]);
    const preview = await o.caller.members.importPreview({ csv });
    expect(preview.columns.matched).toEqual([
      { column: 'fullName', header: 'Name' },
      { column: 'phone', header: 'Phone' },
      { column: 'firstVisit', header: 'First Visit' },
      { column: 'field', header: 'baptism_date', field: 'Baptism date' },
      { column: 'field', header: 'KIDS', field: 'Kids' },
      { column: 'field', header: 'Baptised', field: 'Baptised' },
      { column: 'field', header: 'serving team', field: 'Serving team' },
      { column: 'field', header: 'Allergies', field: 'Allergies' },
    ]);
    expect(preview.columns.ignored).toEqual(['Hymn']);
    expect(preview.totals).toEqual({ rows: 2, create: 2, update: 0, duplicate: 0, error: 0 });
    expect(await db`select count(*)::int as n from member_field_values`).toEqual([{ n: 0 }]);

    expect(await o.caller.members.import({ csv })).toEqual({ created: 2, updated: 0, skipped: 0, errors: [] });
    const ada = await member(o, '+12025550101');
    expect(ada.firstVisitOn).toBe('2024-03-31');
    expect(ada.fields).toEqual({
      [f.baptism.id]: '2020-01-31',
      [f.kids.id]: '1200',
      [f.baptised.id]: 'yes',
      [f.team.id]: 'Music', // the option as defined
      [f.allergies.id]: 'Nuts, "peanuts"',
    });
    const bob = await member(o, '+12025550102');
    expect(bob.firstVisitOn).toBeNull();
    expect(bob.fields).toEqual({ [f.baptised.id]: 'no' }); // blank cells set nothing
  });

  it('a bad value is a row error naming the field and the row; the row is skipped, the others imported', async () => {
    const { owner: o, db } = await churchWithFields();
    const csv = csvOf([
      ['first_name', 'phone', 'first_visit', 'baptism_date', 'kids', 'baptised', 'serving_team'],
      ['Good', '(202) 555-0111', '2024-01-07', '2019-06-01', '2', 'yes', 'Welcome'],
      ['Dated', '(202) 555-0112', '', '31/01/2020', '', '', ''],
      ['Counted', '(202) 555-0113', '', '', 'three', '', ''],
      ['Chosen', '(202) 555-0114', '', '', '', 'maybe', 'Choir'],
      ['Visited', '(202) 555-0115', 'last Sunday', '', '', '', ''],
    ]);
    const expected = [
      { row: 3, messages: ['Baptism date: write the date as YYYY-MM-DD (for example 2024-03-31)'] },
      { row: 4, messages: ['Kids: “three” is not a number'] },
      { row: 5, messages: ['Baptised: answer yes or no', 'Serving team: choose one of Music, Welcome'] },
      { row: 6, messages: ['First visit: write the date as YYYY-MM-DD (for example 2024-03-31)'] },
    ];
    const preview = await o.caller.members.importPreview({ csv });
    expect(preview.totals).toMatchObject({ create: 1, error: 4 });
    expect(preview.rows.filter((r) => r.status === 'error').map((r) => ({ row: r.row, messages: r.messages }))).toEqual(
      expected,
    );
    expect(await o.caller.members.import({ csv })).toEqual({ created: 1, updated: 0, skipped: 4, errors: expected });
    expect(await db`select phone, first_visit_on::text from members`).toEqual([
      { phone: '+12025550111', first_visit_on: '2024-01-07' },
    ]);
    expect(await db`select count(*)::int as n from member_field_values`).toEqual([{ n: 4 }]);
  });

  it('a blank cell leaves a value, a filled one replaces it; a first visit already known stays', async () => {
    const { owner: o, f } = await churchWithFields();
    const kept = await o.caller.members.create({
      firstName: 'Kept',
      phone: '(202) 555-0121',
      firstVisitOn: '2023-05-01',
      fields: { [f.kids.id]: '4', [f.team.id]: 'Music', [f.allergies.id]: 'none', [f.baptised.id]: 'yes' },
    });
    const unvisited = await o.caller.members.create({ firstName: 'New', phone: '(202) 555-0122' });
    const csv = csvOf([
      ['first_name', 'phone', 'first_visit', 'kids', 'serving_team', 'allergies', 'baptised'],
      ['Kept', '(202) 555-0121', '2024-01-01', '5', '', ' ', 'no'],
      ['New', '(202) 555-0122', '2024-02-02', '', 'welcome', '', ''],
    ]);
    expect(await o.caller.members.import({ csv })).toEqual({ created: 0, updated: 2, skipped: 0, errors: [] });
    const k = await o.caller.members.get({ id: kept.id });
    expect(k.firstVisitOn).toBe('2023-05-01');
    expect(k.fields).toEqual({
      [f.kids.id]: '5',
      [f.team.id]: 'Music',
      [f.allergies.id]: 'none',
      [f.baptised.id]: 'no',
    });
    const n = await o.caller.members.get({ id: unvisited.id });
    expect(n.firstVisitOn).toBe('2024-02-02');
    expect(n.fields).toEqual({ [f.team.id]: 'Welcome' });
  });

  it('a number that opted out before (member deleted since) imports unsubscribed, whatever it says', async () => {
    const { owner: o, db, f } = await churchWithFields();
    const left = await o.caller.members.create({ firstName: 'Left', phone: '(202) 555-0141' });
    await o.caller.members.update({ id: left.id, subscription: 'unsubscribed' });
    await o.caller.members.delete({ id: left.id });
    const csv = csvOf([
      ['first_name', 'phone', 'subscribed', 'kids'],
      ['Back', '(202) 555-0141', 'yes', '3'],
      ['Fresh', '(202) 555-0142', 'yes', ''],
    ]);
    expect(await o.caller.members.import({ csv, consentConfirmed: true })).toMatchObject({ created: 2, errors: [] });
    expect(await db`select phone, subscription from members order by phone`).toEqual([
      { phone: '+12025550141', subscription: 'unsubscribed' },
      { phone: '+12025550142', subscription: 'subscribed' },
    ]);
    const back = await member(o, '+12025550141');
    expect(back.fields).toEqual({ [f.kids.id]: '3' });
    const log = await o.caller.members.consentLog({ id: back.id });
    expect(log.map((e) => [e.previous, e.state, e.source])).toEqual([
      [null, 'unsubscribed', 'import'], // "CSV import, row 2"
      ['not_opted_in', 'unsubscribed', 'admin'], // before the delete
    ]);
  });

  it('an export imports back unchanged, into the same church and into another with the same fields', async () => {
    const { owner: o, db, f } = await churchWithFields();
    const north = await o.caller.branches.create({ name: 'North' });
    await o.caller.members.create({
      firstName: 'Ada',
      lastName: 'Lovelace',
      phone: '(202) 555-0131',
      email: 'ada@example.org',
      branchId: north.id,
      tags: ['choir', 'youth'],
      notes: '=1+1, "quoted"\nsecond line',
      firstVisitOn: '2024-03-31',
      subscription: 'subscribed',
      consentNote: 'paper card',
      fields: {
        [f.baptism.id]: '2020-01-31',
        [f.kids.id]: '-2.50',
        [f.baptised.id]: 'yes',
        [f.team.id]: 'Welcome',
        [f.allergies.id]: '+nuts, "all of them"',
      },
    });
    await o.caller.members.create({
      firstName: 'Bob',
      phone: '(202) 555-0132',
      fields: { [f.baptised.id]: 'no', [f.kids.id]: '0' },
    });
    const gone = await o.caller.members.create({ firstName: 'Gone', phone: '(202) 555-0133' });
    await o.caller.members.update({ id: gone.id, subscription: 'unsubscribed' });

    const { csv } = await o.caller.members.export();
    const [header, ...lines] = csv.trimEnd().split('\r\n');
    expect(header).toBe(
      'first_name,last_name,phone,email,branch,tags,notes,subscribed,created_at,consent_history,first_visit,' +
        'baptism_date,kids,baptised,serving_team,allergies',
    );
    const ada = lines.find((l) => l.startsWith('Ada,'))!;
    expect(ada).toContain(',2024-03-31,2020-01-31,-2.50,yes,Welcome,"\'+nuts, ""all of them"""');
    expect(lines.find((l) => l.startsWith('Bob,'))).toMatch(/,,,0,no,,$/);

    const valuesIn = (sql: typeof db) => sql`select m.phone, f.key, v.text_value, v.number_value::text,
        v.date_value::text, v.bool_value
      from member_field_values v join members m on m.id = v.member_id join custom_fields f on f.id = v.field_id
      order by m.phone, f.key`;
    const membersIn = (sql: typeof db) => sql`select first_name, last_name, phone, email, b.name as branch, tags,
        notes, subscription, first_visit_on::text
      from members m left join branches b on b.id = m.branch_id order by phone`;
    const values = await valuesIn(db);
    const people = await membersIn(db);
    expect(values).toHaveLength(7);
    expect(people.find((p) => p.first_name === 'Ada')).toMatchObject({ notes: '=1+1, "quoted"\nsecond line' });

    expect(await o.caller.members.import({ csv })).toEqual({ created: 0, updated: 3, skipped: 0, errors: [] });
    expect(await valuesIn(db)).toEqual(values);
    expect(await membersIn(db)).toEqual(people);
    expect((await o.caller.members.export()).csv).toBe(csv);

    // Another church with fields of the same names (made in another order): the same people and values.
    const other = await churchWithOwner(reg.services);
    const make = other.owner.caller.customFields.create;
    await other.owner.caller.branches.create({ name: 'North' });
    await make({ label: 'Allergies', type: 'text' });
    await make({ label: 'Serving team', type: 'choice', options: ['Welcome', 'Music'] });
    await make({ label: 'Baptised', type: 'yes_no' });
    await make({ label: 'Kids', type: 'number' });
    await make({ label: 'Baptism date', type: 'date' });
    const into = await other.owner.caller.members.import({ csv, consentConfirmed: true });
    expect(into).toEqual({ created: 3, updated: 0, skipped: 0, errors: [] });
    const otherDb = await reg.churchDb(other.church.tenantId);
    expect(await valuesIn(otherDb)).toEqual(values);
    expect(await membersIn(otherDb)).toEqual(people);
  });
});
