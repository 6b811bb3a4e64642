import { and, count, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TenantDb } from '@/db/tenant';
import { memberFieldValues, members } from '@/db/tenant/schema';
import type { AudienceFilter } from '@/server/audiences/inputs';
import { audienceWhere } from '@/server/audiences/where';
import { startWorker } from '@/server/jobs/worker';
import { addTeammate, errorOf, provisionChurch, signIn } from './support/accounts';
import { until } from './support/harness';
import {
  readyNumber,
  createMessagingRegistry,
  FakeProvider,
  insertMembers,
  type MessagingRegistry,
} from './support/messaging';

/**
 * Custom fields and audiences: fields defined per church, values set on members and checked by type, saved segments
 * combining tags with custom-field conditions (answered by an index), and custom fields as merge fields.
 */
describe('custom fields and audiences', () => {
  let reg: MessagingRegistry;
  const fake = new FakeProvider();

  async function church(name: string) {
    const c = await provisionChurch(reg.services, { churchName: name });
    return { church: c, owner: await signIn(reg.services, c.email, c.password) };
  }
  const inChurch = <T>(tenantId: string, fn: (db: TenantDb) => Promise<T>) =>
    reg.services.connections.withTenant(tenantId, fn);

  beforeAll(async () => {
    reg = await createMessagingRegistry({ SENDS_PER_SECOND_PER_CHURCH: '50' }, fake);
  });
  afterAll(async () => {
    await reg?.cleanup();
  });

  it('are defined by admins with a fixed merge-field key; reserved, repeated, incomplete ones refused', async () => {
    const { church: c, owner } = await church('Fields Chapel');
    const baptism = await owner.caller.customFields.create({ label: ' Baptism date ', type: 'date' });
    expect(baptism).toMatchObject({ label: 'Baptism date', key: 'baptism_date', type: 'date', options: [] });
    const role = await owner.caller.customFields.create({
      label: 'Serving role',
      type: 'choice',
      options: ['Volunteer', ' Leader ', 'volunteer', ''],
    });
    expect(role.options).toEqual(['Volunteer', 'Leader']);
    // A type's options are ignored where they mean nothing.
    expect((await owner.caller.customFields.create({ label: 'Kids', type: 'number', options: ['x'] })).options).toEqual(
      [],
    );

    const refused = async (input: Parameters<typeof owner.caller.customFields.create>[0]) =>
      errorOf(owner.caller.customFields.create(input));
    expect(await refused({ label: 'First name', type: 'text' })).toMatchObject({
      code: 'BAD_REQUEST',
      message: "“First name” is one of Steeple's own fields. Choose another name.",
    });
    expect(await refused({ label: 'baptism DATE', type: 'text' })).toMatchObject({ code: 'CONFLICT' });
    expect((await refused({ label: 'Firstname', type: 'text' })).code).toBe('BAD_REQUEST'); // the CSV's first_name
    // Two labels that make one key: the later gets the next free one.
    expect((await owner.caller.customFields.create({ label: 'Baptism-date', type: 'text' })).key).toBe(
      'baptism_date_2',
    );
    expect((await owner.caller.customFields.create({ label: '세례일', type: 'date' })).key).toBe('field');
    expect((await owner.caller.customFields.create({ label: '직분', type: 'text' })).key).toBe('field_2');
    expect((await refused({ label: 'Size', type: 'choice', options: ['S'] })).code).toBe('BAD_REQUEST');
    expect((await refused({ label: '  ', type: 'text' })).code).toBe('BAD_REQUEST');
    expect((await refused({ label: 'Odd', type: 'colour' as never })).code).toBe('BAD_REQUEST');

    // The label changes, the key (used in texts) never does.
    const renamed = await owner.caller.customFields.update({ id: baptism.id, label: 'Baptised on' });
    expect(renamed).toMatchObject({ label: 'Baptised on', key: 'baptism_date' });
    expect((await owner.caller.customFields.list()).map((f) => f.key)).toEqual([
      'baptism_date',
      'serving_role',
      'kids',
      'baptism_date_2',
      'field',
      'field_2',
    ]);

    // Staff read them (the member form needs them) but cannot change them.
    const s = await addTeammate(reg.services, owner.caller, `fields-staff-${process.pid}@x.org`, 'staff');
    const staff = await signIn(reg.services, s.email, s.password);
    expect(await staff.caller.customFields.list()).toHaveLength(6);
    expect((await errorOf(staff.caller.customFields.create({ label: 'X', type: 'text' }))).code).toBe('FORBIDDEN');
    expect((await errorOf(staff.caller.customFields.delete({ id: role.id }))).code).toBe('FORBIDDEN');
    expect(c.tenantId).toBeTruthy();
  });

  it('values are set by type on the member, cleared with a blank, refused beside their field when wrong', async () => {
    const { owner } = await church('Values Chapel');
    const f = {
      baptism: await owner.caller.customFields.create({ label: 'Baptism date', type: 'date' }),
      kids: await owner.caller.customFields.create({ label: 'Children', type: 'number' }),
      member: await owner.caller.customFields.create({ label: 'Member', type: 'yes_no' }),
      role: await owner.caller.customFields.create({ label: 'Role', type: 'choice', options: ['Volunteer', 'Leader'] }),
      note: await owner.caller.customFields.create({ label: 'Allergies', type: 'text' }),
    };
    const { id } = await owner.caller.members.create({
      firstName: 'Ruth',
      phone: '+12025550150',
      firstVisitOn: '2026-11-29',
      fields: { [f.baptism.id]: '2024-3-31', [f.kids.id]: '1,200', [f.member.id]: 'Yes', [f.role.id]: 'leader' },
    });
    const ruth = await owner.caller.members.get({ id });
    expect(ruth.firstVisitOn).toBe('2026-11-29');
    expect(ruth.fields).toEqual({
      [f.baptism.id]: '2024-03-31',
      [f.kids.id]: '1200',
      [f.member.id]: 'yes',
      [f.role.id]: 'Leader', // the list's own spelling
    });

    await owner.caller.members.update({ id, fields: { [f.kids.id]: '', [f.note.id]: 'Peanuts' }, firstVisitOn: '' });
    const after = await owner.caller.members.get({ id });
    expect(after.fields).toEqual({
      [f.baptism.id]: '2024-03-31',
      [f.member.id]: 'yes',
      [f.role.id]: 'Leader',
      [f.note.id]: 'Peanuts',
    });
    expect(after.firstVisitOn).toBeNull();

    const wrong: [string, string, string][] = [
      [f.baptism.id, '31/03/2024', 'Baptism date: write the date as YYYY-MM-DD (for example 2024-03-31)'],
      [f.baptism.id, '2024-02-30', 'Baptism date: write the date as YYYY-MM-DD (for example 2024-03-31)'],
      [f.kids.id, 'two', 'Children: “two” is not a number'],
      [f.member.id, 'maybe', 'Member: answer yes or no'],
      [f.role.id, 'Pastor', 'Role: choose one of Volunteer, Leader'],
    ];
    for (const [fieldId, value, message] of wrong) {
      const err = await errorOf(owner.caller.members.update({ id, fields: { [fieldId]: value } }));
      expect([err.code, err.message], value).toEqual(['BAD_REQUEST', message]);
      expect(JSON.stringify(err), value).toContain(`fields.${fieldId}`);
    }
    // Nothing was half-written: the member is as before.
    expect((await owner.caller.members.get({ id })).fields).toEqual(after.fields);

    // A choice some member has cannot leave the list; an unused one can. A field's values go with it.
    const drop = await errorOf(owner.caller.customFields.update({ id: f.role.id, options: ['Volunteer', 'Usher'] }));
    expect([drop.code, drop.message]).toEqual([
      'BAD_REQUEST',
      '1 member has “Leader”. Change their value first, or keep the choice.',
    ]);
    await owner.caller.customFields.update({ id: f.role.id, options: ['Leader', 'Usher'] });
    await owner.caller.customFields.delete({ id: f.note.id });
    expect((await owner.caller.members.get({ id })).fields[f.note.id]).toBeUndefined();
  });

  it('a saved segment of tags combined with a custom field counts the right members, through an index', async () => {
    const { church: c, owner } = await church('Segment Chapel');
    const role = await owner.caller.customFields.create({
      label: 'Serving role',
      type: 'choice',
      options: ['Volunteer', 'Leader', 'Greeter'],
    });
    const kids = await owner.caller.customFields.create({ label: 'Children', type: 'number' });
    // 5,000 members: every 10th tagged youth, every 50th a volunteer, children 0-4; so youth volunteers are every
    // 50th (i % 50 = 0), of whom those with more than 2 children (i % 5 >= 3) are none, and with fewer, all.
    const N = 5000;
    await inChurch(c.tenantId, async (db) => {
      await db.execute(sql`
        insert into members (first_name, last_name, phone, tags, subscription)
        select 'M' || i, 'Test', '+1303555' || lpad(i::text, 4, '0'),
               case when i % 10 = 0 then array['youth'] else array['adult'] end,
               case when i % 7 = 0 then 'unsubscribed'::subscription else 'subscribed'::subscription end
          from generate_series(0, ${N - 1}) i`);
      await db.execute(sql`
        insert into member_field_values (member_id, field_id, text_value)
        select id, ${role.id}::uuid,
               case when substr(first_name, 2)::int % 50 = 0 then 'Volunteer'
                    when substr(first_name, 2)::int % 3 = 0 then 'Greeter' else 'Leader' end
          from members`);
      await db.execute(sql`
        insert into member_field_values (member_id, field_id, number_value)
        select id, ${kids.id}::uuid, substr(first_name, 2)::int % 5 from members`);
      await db.execute(sql`analyze members`);
      await db.execute(sql`analyze member_field_values`);
    });
    const ids = Array.from({ length: N }, (_, i) => i);
    const expected = (pick: (i: number) => boolean) => ({
      members: ids.filter(pick).length,
      textable: ids.filter((i) => pick(i) && i % 7 !== 0).length,
    });

    const filter: AudienceFilter = {
      tagsAll: ['youth'],
      fields: [{ fieldId: role.id, op: 'is', value: 'volunteer' }],
    };
    expect(await owner.caller.segments.count({ filter })).toEqual(expected((i) => i % 10 === 0 && i % 50 === 0));
    const segment = await owner.caller.segments.create({ name: 'Youth volunteers', filter });
    expect(segment).toMatchObject({ name: 'Youth volunteers', filter });
    expect((await errorOf(owner.caller.segments.create({ name: 'youth VOLUNTEERS', filter }))).code).toBe('CONFLICT');

    // The members list shows the segment's members, and its other filters apply on top.
    const listed = await owner.caller.members.list({ segmentId: segment.id, limit: 200 });
    expect(listed.total).toBe(expected((i) => i % 50 === 0).members);
    expect(listed.items.every((m) => m.tags.includes('youth'))).toBe(true);
    const listedSubscribed = await owner.caller.members.list({ segmentId: segment.id, subscription: 'subscribed' });
    expect(listedSubscribed.total).toBe(expected((i) => i % 50 === 0).textable);

    // More conditions: excluded tags, any-of tags, number comparisons, has no value.
    const counts: [AudienceFilter, (i: number) => boolean][] = [
      [{ tagsAny: ['youth', 'adult'], tagsNone: ['youth'] }, (i) => i % 10 !== 0],
      [{ fields: [{ fieldId: kids.id, op: 'gt', value: '2' }] }, (i) => i % 5 > 2],
      [{ fields: [{ fieldId: kids.id, op: 'lt', value: '1' }], tagsAll: ['youth'] }, (i) => i % 10 === 0],
      [{ fields: [{ fieldId: role.id, op: 'is_not', value: 'Leader' }] }, (i) => i % 50 === 0 || i % 3 === 0],
      [{ fields: [{ fieldId: role.id, op: 'not_set' }] }, () => false],
      [{ fields: [{ fieldId: kids.id, op: 'is', value: '4' }] }, (i) => i % 5 === 4],
      [{ subscription: 'unsubscribed', tagsAll: ['youth'] }, (i) => i % 70 === 0],
    ];
    for (const [f, pick] of counts)
      expect(await owner.caller.segments.count({ filter: f }), JSON.stringify(f)).toEqual(expected(pick));

    // "Is not" counts those with no value too, as "not tagged" does: one member without a role is added.
    await inChurch(c.tenantId, (db) =>
      db.execute(sql`delete from member_field_values where field_id = ${role.id}::uuid and member_id =
                       (select id from members where first_name = 'M1')`),
    );
    const notLeader = await owner.caller.segments.count({
      filter: { fields: [{ fieldId: role.id, op: 'is_not', value: 'Leader' }] },
    });
    expect(notLeader.members).toBe(expected((i) => i % 50 === 0 || i % 3 === 0).members + 1);

    // The custom-field condition is answered by member_field_values' index, not by reading every value.
    const plan = await inChurch(c.tenantId, async (db) => {
      const where = await audienceWhere(db, filter, 'Europe/London');
      const query = db.select({ n: count() }).from(members).where(where);
      const rows = await db.execute<{ 'QUERY PLAN': string }>(sql`explain ${query}`);
      return rows.map((r) => r['QUERY PLAN']).join('\n');
    });
    expect(plan).toMatch(
      /Index (Only )?Scan using member_field_values_text_idx|Bitmap Index Scan on member_field_values_text_idx/,
    );
    expect(plan).not.toMatch(/Seq Scan on member_field_values/);
    const rangePlan = await inChurch(c.tenantId, async (db) => {
      const where = await audienceWhere(db, { fields: [{ fieldId: kids.id, op: 'gt', value: '3' }] }, 'UTC');
      const rows = await db.execute<{ 'QUERY PLAN': string }>(
        sql`explain ${db.select({ n: count() }).from(members).where(where)}`,
      );
      return rows.map((r) => r['QUERY PLAN']).join('\n');
    });
    expect(rangePlan).toMatch(/member_field_values_number_idx/);

    // Conditions the church's fields cannot answer are refused, never an empty audience.
    const bad: [AudienceFilter, string][] = [
      [
        { fields: [{ fieldId: kids.id, op: 'contains', value: '1' }] },
        '“Children” cannot be compared with “contains”.',
      ],
      [{ fields: [{ fieldId: kids.id, op: 'gt', value: 'many' }] }, 'Children: “many” is not a number'],
      [{ fields: [{ fieldId: kids.id, op: 'gt' }] }, 'Children: enter a value to compare with'],
      [
        { fields: [{ fieldId: '00000000-0000-4000-8000-000000000000', op: 'set' }] },
        'A condition uses a field that no longer exists. Remove it and try again.',
      ],
    ];
    for (const [f, message] of bad) {
      expect(await errorOf(owner.caller.segments.count({ filter: f }))).toMatchObject({ code: 'BAD_REQUEST', message });
      expect(
        (await errorOf(owner.caller.segments.create({ name: `Bad ${message}`.slice(0, 80), filter: f }))).code,
      ).toBe('BAD_REQUEST');
    }

    // A field a segment uses cannot be deleted; the segment is named.
    const used = await errorOf(owner.caller.customFields.delete({ id: role.id }));
    expect([used.code, used.message]).toEqual([
      'CONFLICT',
      '“Serving role” is still used by the segment “Youth volunteers”. Change those first.',
    ]);
    await owner.caller.segments.delete({ id: segment.id });
    await owner.caller.customFields.delete({ id: role.id });
    const left = await inChurch(c.tenantId, (db) =>
      db.select({ n: count() }).from(memberFieldValues).where(eq(memberFieldValues.fieldId, role.id)),
    );
    expect(left[0]!.n).toBe(0);
  });

  it('first-time guests in the last N days', async () => {
    const { owner } = await church('Guests Chapel');
    const day = (ago: number) => new Date(Date.now() - ago * 86_400_000).toISOString().slice(0, 10);
    for (const [name, ago] of [
      ['Today', 0],
      ['Week', 6],
      ['Month', 29],
      ['Older', 45],
      ['Typo', -300], // a date typed in the future is not a recent visit
    ] as const)
      await owner.caller.members.create({
        firstName: name,
        phone: `+12025550${160 + (ago < 0 ? 8 : ago % 10)}`,
        firstVisitOn: day(ago),
      });
    await owner.caller.members.create({ firstName: 'Never', phone: '+12025550170' });
    expect((await owner.caller.segments.count({ filter: { firstVisitDays: 7 } })).members).toBe(2);
    expect((await owner.caller.segments.count({ filter: { firstVisitDays: 30 } })).members).toBe(3);
    expect((await owner.caller.segments.count({ filter: {} })).members).toBe(6);
    expect((await owner.caller.segments.count({ filter: { firstVisitDays: 1 } })).members).toBe(1);
  });

  it('a broadcast to a saved segment keeps its conditions; custom fields merge as a text says them', async () => {
    const { church: c, owner } = await church('Merge Chapel');
    await readyNumber(reg.services, owner);
    const baptism = await owner.caller.customFields.create({ label: 'Baptism date', type: 'date' });
    const youth = await insertMembers(reg.services, c.tenantId, [
      { firstName: 'Ana', tags: ['youth'] },
      { firstName: 'Ben', tags: ['youth'] },
      { firstName: 'Cy', tags: ['adult'] },
    ]);
    await owner.caller.members.update({ id: youth[0]!.id, fields: { [baptism.id]: '2024-03-31' } });
    const segment = await owner.caller.segments.create({ name: 'Youth', filter: { tagsAll: ['youth'] } });

    const body = 'Hi {first_name}, baptised {baptism_date|soon} ✝';
    const preview = await owner.caller.broadcasts.preview({
      audience: { type: 'segment', segmentId: segment.id },
      body,
    });
    expect(preview).toMatchObject({
      recipients: 2,
      audienceSummary: 'Segment: Youth',
      mergeProblem: null,
      encoding: 'UCS-2',
      example: { name: 'Ana Test', text: 'Hi Ana, baptised March 31, 2024 ✝' },
    });
    const typo = await owner.caller.broadcasts.preview({ audience: { type: 'all' }, body: 'Hi {baptism_dat}' });
    expect(typo.mergeProblem).toContain('Unknown merge field {baptism_dat}');
    expect(typo.mergeProblem).toContain('{baptism_date}');
    expect(
      (await errorOf(owner.caller.broadcasts.create({ audience: { type: 'all' }, body: 'Hi {baptism_dat}' }))).code,
    ).toBe('BAD_REQUEST');

    const created = await owner.caller.broadcasts.create({
      audience: { type: 'segment', segmentId: segment.id },
      body,
    });
    // Changing the segment afterwards does not change who this broadcast is for.
    await owner.caller.segments.update({ id: segment.id, filter: { tagsAll: ['adult'] } });
    const worker = await startWorker(reg.services);
    try {
      await until(async () => {
        const b = await owner.caller.broadcasts.get({ id: created.id });
        return b.state === 'sent' ? b : null;
      });
    } finally {
      await worker.stop();
    }
    const texts = fake.calls.filter((call) => youth.some((m) => m.phone === call.to));
    expect(texts.map((t) => t.text).sort()).toEqual(['Hi Ana, baptised March 31, 2024 ✝', 'Hi Ben, baptised soon ✝']);
    const listed = (await owner.caller.broadcasts.list({})).items.find((b) => b.id === created.id);
    expect(listed).toMatchObject({ audienceSummary: 'Segment: Youth', recipients: 2 });

    // A built audience is said in words; the field used by the segment's old broadcast can now go (it was sent).
    const built = await owner.caller.broadcasts.preview({
      audience: { type: 'filter', filter: { tagsAny: ['youth'], fields: [{ fieldId: baptism.id, op: 'set' }] } },
      body: 'Hello',
    });
    expect(built).toMatchObject({ recipients: 1, audienceSummary: 'Tagged youth · Baptism date has a value' });

    // One to one and in the other texts a church saves, an unknown field is refused and a known one merged.
    await owner.caller.templates.create({ name: 'Anniversary', body: 'Happy anniversary of {baptism_date}!' });
    expect((await errorOf(owner.caller.templates.create({ name: 'Typo', body: '{baptismdate}' }))).code).toBe(
      'BAD_REQUEST',
    );
    expect((await errorOf(owner.caller.keywords.create({ keyword: 'JOIN', reply: 'Hi {nickname}' }))).code).toBe(
      'BAD_REQUEST',
    );
    const sent = await owner.caller.messages.send({ memberId: youth[0]!.id, body: 'Since {baptism_date}!' });
    expect(sent.body).toBe('Since March 31, 2024!');
    const inUse = await errorOf(owner.caller.customFields.delete({ id: baptism.id }));
    expect(inUse.message).toBe('“Baptism date” is still used by the template “Anniversary”. Change those first.');
    const stillThere = await inChurch(c.tenantId, (db) =>
      db
        .select()
        .from(memberFieldValues)
        .where(and(eq(memberFieldValues.fieldId, baptism.id))),
    );
    expect(stillThere).toHaveLength(1);
  });
});
