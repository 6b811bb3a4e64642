import { describe, expect, it } from 'vitest';
import { checkRow, mapColumns, readCsv, rowContext, type ColumnMap, type ImportField } from '@/server/members/csv-rows';

/** The Invalid a bad file is refused with: its kind and the message the importer sees. */
function refusal(fn: () => unknown) {
  try {
    fn();
  } catch (err) {
    return { kind: (err as { kind?: string }).kind, message: (err as Error).message };
  }
  return 'accepted';
}

const NEEDS_COLUMNS = (has: string) =>
  `The file needs a phone column and a first name (or name) column. Its header line has: ${has}. ` +
  'Use headers like first_name, last_name, phone, email, branch, tags, notes.';
const NO_MEMBERS = 'The file has no members in it: it needs a header line and one line per member.';

describe('readCsv', () => {
  it('a plain file: header, and each row with its line number', () => {
    expect(readCsv('first_name,phone\nAnn,2015550123\nBob,2015550124\n')).toEqual({
      header: ['first_name', 'phone'],
      rows: [
        { row: 2, cells: ['Ann', '2015550123'] },
        { row: 3, cells: ['Bob', '2015550124'] },
      ],
    });
  });

  it('a byte-order mark, CRLF and blank lines: line numbers still count the blank lines', () => {
    expect(readCsv('\uFEFFFirst Name,Phone\r\nAnn,2015550123\r\n\r\n , \r\nBob,2015550124\r\n')).toEqual({
      header: ['First Name', 'Phone'],
      rows: [
        { row: 2, cells: ['Ann', '2015550123'] },
        { row: 5, cells: ['Bob', '2015550124'] },
      ],
    });
  });

  it('cells are trimmed', () => {
    expect(readCsv(' first , phone \n  Ann  ,  2015550123 ').rows).toEqual([{ row: 2, cells: ['Ann', '2015550123'] }]);
  });

  it.each([
    ['tabs (copied from a spreadsheet)', 'first\tphone\tnotes\nAnn\t2015550123\ta, b\n'],
    ['semicolons (some locales)', 'first;phone;notes\nAnn;2015550123;a, b\n'],
    ['commas, with quotes', 'first,phone,notes\nAnn,2015550123,"a, b"\n'],
  ])('the delimiter follows the header line: %s', (_name, csv) => {
    expect(readCsv(csv)).toEqual({
      header: ['first', 'phone', 'notes'],
      rows: [{ row: 2, cells: ['Ann', '2015550123', 'a, b'] }],
    });
  });

  it.each([
    ['a blank line', '\nfirst;phone;notes\nAnn;2015550123;a, b\n', 3],
    ['blank lines with spaces, CRLF', '  \r\n\t\r\nfirst;phone;notes\r\nAnn;2015550123;a, b\r\n', 4],
    ['a byte-order mark, then a blank line', '\uFEFF\nfirst\tphone\tnotes\nAnn\t2015550123\ta, b\n', 3],
  ])('the delimiter follows the header line after leading blank lines: %s', (_name, csv, line) => {
    expect(readCsv(csv)).toEqual({
      header: ['first', 'phone', 'notes'],
      rows: [{ row: line, cells: ['Ann', '2015550123', 'a, b'] }],
    });
  });

  it('a quoted cell may hold a line break', () => {
    expect(readCsv('first,phone,notes\nAnn,1,"line one\nline two"\nBob,2,x\n').rows.map((r) => r.cells)).toEqual([
      ['Ann', '1', 'line one\nline two'],
      ['Bob', '2', 'x'],
    ]);
  });

  it('ragged rows are kept as they are, and a stray quote inside a cell is text', () => {
    expect(readCsv('first,phone,email\nAnn,1\nB"ob,2,b@x.org,extra\n').rows).toEqual([
      { row: 2, cells: ['Ann', '1'] },
      { row: 3, cells: ['B"ob', '2', 'b@x.org', 'extra'] },
    ]);
  });

  it.each([
    ['empty', ''],
    ['a header only', 'first,phone\n'],
    ['a header and blank rows', 'first,phone\n,\n , \n\n'],
  ])('no members: %s', (_name, csv) => {
    expect(refusal(() => readCsv(csv))).toEqual({ kind: 'Invalid', message: NO_MEMBERS });
  });

  it('an unclosed quote is refused near its line', () => {
    expect(refusal(() => readCsv('first,phone\nAnn,1\n"Bob,2\n'))).toEqual({
      kind: 'Invalid',
      message: 'This file could not be read as CSV (near line 3). Save it from your spreadsheet as CSV and try again.',
    });
  });

  it('at most 20,000 rows', () => {
    expect(readCsv('first,phone\n' + 'a,1\n'.repeat(20_000)).rows).toHaveLength(20_000);
    expect(refusal(() => readCsv('first,phone\n' + 'a,1\n'.repeat(20_001)))).toEqual({
      kind: 'Invalid',
      message: 'The file has 20,001 rows; import at most 20,000 at a time. Split it into smaller files.',
    });
  });
});

describe('mapColumns', () => {
  it('matches headers however they are written, and reports the rest as ignored', () => {
    const header = ['First Name', 'Last_Name', 'Mobile Number', 'E-mail', 'Campus', 'Groups', 'Comments', 'SMS Opt-In'];
    expect(mapColumns([...header, 'Favourite colour', ''])).toEqual({
      index: { firstName: 0, lastName: 1, phone: 2, email: 3, branch: 4, tags: 5, notes: 6, subscribed: 7 },
      fields: [],
      matched: [
        { column: 'firstName', header: 'First Name' },
        { column: 'lastName', header: 'Last_Name' },
        { column: 'phone', header: 'Mobile Number' },
        { column: 'email', header: 'E-mail' },
        { column: 'branch', header: 'Campus' },
        { column: 'tags', header: 'Groups' },
        { column: 'notes', header: 'Comments' },
        { column: 'subscribed', header: 'SMS Opt-In' },
      ],
      ignored: ['Favourite colour'], // an empty header is not worth reporting
    });
  });

  it.each([
    ['FIRSTNAME', 'firstName'],
    ['given name', 'firstName'],
    ['Forename', 'firstName'],
    ['Surname', 'lastName'],
    ['family-name', 'lastName'],
    ['Cell Phone', 'phone'],
    ['tel', 'phone'],
    ['Telephone', 'phone'],
    ['Email Address', 'email'],
    ['branch name', 'branch'],
    ['Labels', 'tags'],
    ['Note', 'notes'],
    ['Opted In', 'subscribed'],
    ['First Visit', 'firstVisit'],
    ['first_visit', 'firstVisit'],
  ])('%j is %s', (header, column) => {
    const map = mapColumns([header, 'name', 'phone']);
    expect(map.matched[0]).toEqual({ column, header });
  });

  it('the first header for a field wins; the later ones are ignored', () => {
    expect(mapColumns(['name', 'phone', 'cell', 'Full Name'])).toEqual({
      index: { fullName: 0, phone: 1 },
      fields: [],
      matched: [
        { column: 'fullName', header: 'name' },
        { column: 'phone', header: 'phone' },
      ],
      ignored: ['cell', 'Full Name'],
    });
  });

  it.each([
    ['no phone', ['first', 'email'], 'first, email'],
    ['no first name or name', ['phone', 'last'], 'phone, last'],
    ['only blank headers', ['', ''], 'nothing'],
    // A tab-separated file read with the wrong delimiter arrives as one header.
    ['one header holding tabs', ['first\tphone'], 'first\tphone'],
  ])('refused: %s', (_name, header, has) => {
    expect(refusal(() => mapColumns(header))).toEqual({ kind: 'Invalid', message: NEEDS_COLUMNS(has) });
  });
});

describe('rowContext', () => {
  it('branches by lower-case name, listed sorted in the hint', () => {
    const ctx = rowContext('US', true, [
      { id: 'b2', name: 'South' },
      { id: 'b1', name: 'North Campus' },
    ]);
    expect([...ctx.branches.keys()]).toEqual(['south', 'north campus']);
    expect(ctx.unknownBranchHint).toBe('Your branches are: North Campus, South');
  });

  it('more than ten branches: the first ten and a count', () => {
    const branches = Array.from({ length: 12 }, (_, i) => ({
      id: `${i}`,
      name: `B${String(11 - i).padStart(2, '0')}`,
    }));
    expect(rowContext('US', false, branches).unknownBranchHint).toBe(
      'Your branches are: B00, B01, B02, B03, B04, B05, B06, B07, B08, B09 and 2 more',
    );
  });

  it('no branches says so', () => {
    expect(rowContext('US', false, []).unknownBranchHint).toBe(
      'Your church has no branches yet: add them on the Branches page first, or leave the column empty',
    );
  });
});

describe('checkRow', () => {
  const branches = [
    { id: 'b1', name: 'North Campus' },
    { id: 'b2', name: 'South' },
  ];
  const confirmed = rowContext('US', true, branches);
  const unconfirmed = rowContext('US', false, branches);
  const all = mapColumns(['first_name', 'last_name', 'phone', 'email', 'branch', 'tags', 'notes', 'subscribed']);
  const row = (cells: Record<string, string>, ctx = confirmed, map: ColumnMap = all) =>
    checkRow(
      {
        row: 7,
        cells: ['first_name', 'last_name', 'phone', 'email', 'branch', 'tags', 'notes', 'subscribed'].map(
          (c) => cells[c] ?? '',
        ),
      },
      map,
      ctx,
    );
  const ann = { first_name: 'Ann', phone: '2015550123' };

  it('a full row becomes a member: phone in E.164, email lower case, branch by name, tags deduplicated', () => {
    expect(
      row({
        first_name: 'Ann',
        last_name: 'Lee',
        phone: '(201) 555-0123',
        email: 'Ann@Example.ORG',
        branch: 'north campus',
        tags: 'choir; youth|Choir;',
        notes: 'hi',
        subscribed: 'yes',
      }),
    ).toEqual({
      row: 7,
      messages: [],
      shown: {
        name: 'Ann Lee',
        phone: '(201) 555-0123',
        email: 'Ann@Example.ORG',
        branch: 'north campus',
        tags: ['choir', 'youth', 'Choir'], // as written, for the preview
      },
      member: {
        firstName: 'Ann',
        lastName: 'Lee',
        phone: '+12015550123',
        email: 'ann@example.org',
        branchId: 'b1',
        tags: ['choir', 'youth'],
        notes: 'hi',
        subscription: 'subscribed',
        firstVisitOn: null,
      },
      values: [],
    });
  });

  it('the least a row needs: a first name and a phone', () => {
    expect(row(ann).member).toEqual({
      firstName: 'Ann',
      lastName: '',
      phone: '+12015550123',
      email: null,
      branchId: null,
      tags: [],
      notes: null,
      subscription: 'subscribed', // empty subscribed cell, consent confirmed
      firstVisitOn: null,
    });
  });

  it('a row shorter than the header reads the missing cells as empty', () => {
    const got = checkRow({ row: 3, cells: ['Ann', 'Lee', '2015550123'] }, all, confirmed);
    expect(got.messages).toEqual([]);
    expect(got.member).toMatchObject({ firstName: 'Ann', lastName: 'Lee', phone: '+12015550123', email: null });
  });

  it.each([
    ['an empty row', {}, ['First name is missing', 'Phone number is missing']],
    ['a phone that is not a number', { ...ann, phone: '555' }, ['Phone number "555" is not valid']],
    [
      'a phone too long',
      { ...ann, phone: '1'.repeat(41) },
      ['That is too long for a phone number', `Phone number "${'1'.repeat(41)}" is not valid`],
    ],
    [
      'an unknown branch',
      { ...ann, branch: 'East' },
      ['Unknown branch "East". Your branches are: North Campus, South'],
    ],
    ['a bad email', { ...ann, email: 'nope' }, ['Enter a valid email address']],
    ['a first name too long', { ...ann, first_name: 'x'.repeat(101) }, ['Keep the first name under 100 characters']],
    ['a tag too long', { ...ann, tags: 'x'.repeat(41) }, ['Keep each tag under 40 characters']],
    ['31 tags', { ...ann, tags: Array.from({ length: 31 }, (_, i) => `t${i}`).join(';') }, ['Use at most 30 tags']],
    [
      'an unknown subscribed value',
      { ...ann, subscribed: 'maybe' },
      ['Subscribed must be yes, no or "not opted in" (it is "maybe")'],
    ],
  ])('refused with every problem listed: %s', (_name, cells, messages) => {
    const got = row(cells);
    expect(got.messages).toEqual(messages);
    expect(got.member).toBeNull();
  });

  it.each([
    ['', 'subscribed', 'not_opted_in'],
    ['yes', 'subscribed', 'not_opted_in'],
    [' YES ', 'subscribed', 'not_opted_in'],
    ['y', 'subscribed', 'not_opted_in'],
    ['TRUE', 'subscribed', 'not_opted_in'],
    ['1', 'subscribed', 'not_opted_in'],
    ['x', 'subscribed', 'not_opted_in'],
    ['on', 'subscribed', 'not_opted_in'],
    ['Subscribed', 'subscribed', 'not_opted_in'],
    // "No" unsubscribes whatever the importer said.
    ['no', 'unsubscribed', 'unsubscribed'],
    [' N ', 'unsubscribed', 'unsubscribed'],
    ['false', 'unsubscribed', 'unsubscribed'],
    ['0', 'unsubscribed', 'unsubscribed'],
    ['off', 'unsubscribed', 'unsubscribed'],
    ['Unsubscribed', 'unsubscribed', 'unsubscribed'],
    // What our own export writes for someone who never agreed: it imports back unchanged.
    ['Not opted in', 'not_opted_in', 'not_opted_in'],
    ['not_opted_in', 'not_opted_in', 'not_opted_in'],
    ['pending', 'not_opted_in', 'not_opted_in'],
  ])('subscribed %j: %s with consent confirmed, %s without', (cell, withConsent, without) => {
    expect(row({ ...ann, subscribed: cell }, confirmed).member?.subscription).toBe(withConsent);
    expect(row({ ...ann, subscribed: cell }, unconfirmed).member?.subscription).toBe(without);
  });

  it('without a subscribed column, consent is the importer’s word alone', () => {
    const map = mapColumns(['first', 'phone']);
    const cells = { row: 2, cells: ['Ann', '2015550123'] };
    expect(checkRow(cells, map, confirmed).member?.subscription).toBe('subscribed');
    expect(checkRow(cells, map, unconfirmed).member?.subscription).toBe('not_opted_in');
  });

  it.each([
    ['Mary Anne Smith', 'Mary Anne', 'Smith'],
    ['  Ann   Lee  ', 'Ann', 'Lee'],
    ['Cher', 'Cher', ''],
  ])('a single name column: the last word is the last name (%j)', (name, firstName, lastName) => {
    const got = checkRow({ row: 2, cells: [name, '2015550123'] }, mapColumns(['Name', 'Phone']), confirmed);
    expect(got.member).toMatchObject({ firstName, lastName });
    expect(got.shown.name).toBe(`${firstName} ${lastName}`.trim());
  });

  it('a name column with a last name column: one word takes the last name column, more words split', () => {
    const map = mapColumns(['Name', 'Surname', 'Phone']);
    expect(checkRow({ row: 2, cells: ['Cher', 'Sarkisian', '2015550123'] }, map, confirmed).member).toMatchObject({
      firstName: 'Cher',
      lastName: 'Sarkisian',
    });
    expect(checkRow({ row: 2, cells: ['Mary Smith', 'Jones', '2015550123'] }, map, confirmed).member).toMatchObject({
      firstName: 'Mary',
      lastName: 'Smith',
    });
  });

  it('an empty name column is a missing first name', () => {
    const got = checkRow({ row: 2, cells: ['', '2015550123'] }, mapColumns(['Name', 'Phone']), confirmed);
    expect(got.messages).toEqual(['First name is missing']);
    expect(got.member).toBeNull();
  });

  it.each(['201 555 0100 ext. 12', '(201) 555-0100 x12', '+1 201 555 0100;ext=12', '555-0100 ext. 12'])(
    'a phone with an extension is refused, not stored without it: %j',
    (phone) => {
      expect(row({ ...ann, phone })).toMatchObject({
        messages: ["Phone numbers with an extension can't receive texts"],
        member: null,
      });
    },
  );

  it('phone numbers are read in the church’s country', () => {
    const uk = rowContext('GB', true, []);
    const map = mapColumns(['first', 'phone']);
    expect(checkRow({ row: 2, cells: ['Ann', '020 7946 0000'] }, map, uk).member?.phone).toBe('+442079460000');
    expect(checkRow({ row: 2, cells: ['Ann', '020 7946 0000'] }, map, confirmed).messages).toEqual([
      'Phone number "020 7946 0000" is not valid',
    ]);
  });
});

describe('custom fields and the first visit', () => {
  const field = (key: string, label: string, type: ImportField['type'], options: string[] = []): ImportField => ({
    id: `id-${key}`,
    key,
    label,
    type,
    options,
  });
  const fields = [
    field('baptism_date', 'Baptism date', 'date'),
    field('kids', 'Kids', 'number'),
    field('baptised', 'Baptised?', 'yes_no'),
    field('serving', 'Serving team', 'choice', ['Music', 'Welcome']),
    field('groups', 'Groups', 'text'), // the church's own field, called like one of our aliases for tags
    field('cafe', 'Café', 'text'),
  ];
  const ctx = rowContext('US', true, []);

  it('a field is found by its key or its label, however written; our own columns stay ours', () => {
    const map = mapColumns(
      ['name', 'phone', 'Baptism Date', 'KIDS', 'baptised', 'serving-team', 'Groups', 'cafe', 'Tags', 'Notes', 'Kids'],
      fields,
    );
    expect(map.fields.map((f) => [f.field.key, f.index])).toEqual([
      ['baptism_date', 2],
      ['kids', 3],
      ['baptised', 4],
      ['serving', 5],
      ['groups', 6],
      ['cafe', 7],
    ]);
    expect(map.index).toEqual({ fullName: 0, phone: 1, tags: 8, notes: 9 });
    expect(map.matched[2]).toEqual({ column: 'field', header: 'Baptism Date', field: 'Baptism date' });
    expect(map.ignored).toEqual(['Kids']); // the first column for a field wins
    // Without the church's field, "Groups" is still our tags column.
    expect(mapColumns(['name', 'phone', 'Groups']).index.tags).toBe(2);
    // Our export's own columns are never a custom field, even one called the same.
    const created = field('created_at', 'Created at', 'date');
    expect(mapColumns(['name', 'phone', 'created_at'], [created])).toMatchObject({
      fields: [],
      ignored: ['created_at'],
    });
  });

  it('each cell is read by its field’s type; a blank cell sets nothing', () => {
    const map = mapColumns(['name', 'phone', 'first_visit', 'baptism_date', 'kids', 'baptised', 'serving'], fields);
    const got = checkRow(
      { row: 4, cells: ['Ann Lee', '2015550123', '2024-3-9', '2020-01-31', '1,200', 'Y', 'music'] },
      map,
      ctx,
    );
    expect(got.messages).toEqual([]);
    expect(got.member?.firstVisitOn).toBe('2024-03-09');
    expect(got.values).toEqual([
      { fieldId: 'id-baptism_date', value: expect.objectContaining({ dateValue: '2020-01-31' }) },
      { fieldId: 'id-kids', value: expect.objectContaining({ numberValue: '1200' }) },
      { fieldId: 'id-baptised', value: expect.objectContaining({ boolValue: true }) },
      { fieldId: 'id-serving', value: expect.objectContaining({ textValue: 'Music' }) },
    ]);
    const blank = checkRow({ row: 5, cells: ['Ann Lee', '2015550123', '', '', ' '] }, map, ctx);
    expect(blank.values).toEqual([]);
    expect(blank.member?.firstVisitOn).toBeNull();
  });

  it('a bad value is a problem naming the field, and the row is refused', () => {
    const map = mapColumns(['name', 'phone', 'first_visit', 'baptism_date', 'kids', 'baptised', 'serving'], fields);
    const got = checkRow(
      { row: 4, cells: ['Ann Lee', '2015550123', 'last week', '31/01/2020', 'three', 'maybe', 'Choir'] },
      map,
      ctx,
    );
    expect(got.member).toBeNull();
    expect(got.values).toEqual([]);
    expect(got.messages).toEqual([
      'First visit: write the date as YYYY-MM-DD (for example 2024-03-31)',
      'Baptism date: write the date as YYYY-MM-DD (for example 2024-03-31)',
      'Kids: “three” is not a number',
      'Baptised?: answer yes or no',
      'Serving team: choose one of Music, Welcome',
    ]);
  });

  it('the apostrophe our export puts before a formula-like cell is dropped', () => {
    const map = mapColumns(['name', 'phone', 'kids', 'groups'], fields);
    const got = checkRow({ row: 2, cells: ['Ann', '2015550123', "'-3", "'=fun"] }, map, ctx);
    expect(got.values.map((v) => v.value.numberValue ?? v.value.textValue)).toEqual(['-3', '=fun']);
  });
});
