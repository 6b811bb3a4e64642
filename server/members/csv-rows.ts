import { Invalid } from '@/server/domain-errors';
import { parse } from 'csv-parse/sync';
import { textableNumber } from '@/server/messaging/phone';
import type { CustomField, Subscription } from '@/db/tenant/schema';
import { FieldValueError, isoDate, parseValue, type StoredValue } from '@/server/custom-fields/rules';
import { createMemberInput } from './inputs';
import { EXTENSION_REFUSED, MAX_IMPORT_ROWS } from './rules';

/**
 * Reading a members CSV: the file into rows, its headers onto our fields and the church's own (flexibly: "First
 * Name", first_name and firstname are one column; "Baptism date" and baptism_date one custom field), and each row
 * into a member, its custom-field values, or a list of problems. No database here.
 */

type Column =
  'firstName' | 'lastName' | 'fullName' | 'phone' | 'email' | 'branch' | 'tags' | 'notes' | 'subscribed' | 'firstVisit';

const aliases: Record<Column, string[]> = {
  firstName: ['firstname', 'first', 'givenname', 'forename'],
  lastName: ['lastname', 'last', 'surname', 'familyname'],
  fullName: ['name', 'fullname'],
  phone: [
    'phone',
    'phonenumber',
    'mobile',
    'mobilephone',
    'mobilenumber',
    'cell',
    'cellphone',
    'cellnumber',
    'telephone',
    'tel',
  ],
  email: ['email', 'emailaddress'],
  branch: ['branch', 'branchname', 'campus', 'campusname'],
  tags: ['tags', 'tag', 'groups', 'labels'],
  notes: ['notes', 'note', 'comments', 'comment'],
  subscribed: ['subscribed', 'subscription', 'optin', 'optedin', 'smsoptin'],
  firstVisit: ['firstvisit', 'firstvisiton', 'firstvisitdate', 'dateoffirstvisit'],
};
const columnOf = new Map(Object.entries(aliases).flatMap(([column, keys]) => keys.map((k) => [k, column as Column])));
const headerKey = (h: string) => h.toLowerCase().replace(/[^a-z0-9]/g, '');
/**
 * The names our export writes: always ours, even where a custom field reads the same, so an export imports back
 * unchanged (created_at and consent_history are only read by people, and ignored).
 */
const OWN = new Set([
  ...['firstname', 'lastname', 'name', 'phone', 'email', 'branch', 'tags', 'notes', 'subscribed', 'firstvisit'],
  ...['createdat', 'consenthistory'],
]);
/** A custom field's label or key as a header: case, accents, spaces, underscores and dashes ignored. */
const fieldKey = (h: string) =>
  h
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]/gu, '');

const refuse = (message: string) => new Invalid(message);

/**
 * Spreadsheets copy as tab-separated and some locales save with semicolons: follow the header line, the first that is
 * not blank (the parser skips blank lines too).
 */
function delimiterOf(csv: string): string {
  const header = /^\uFEFF?(?:[ \t]*\r?\n)*([^\r\n]*)/.exec(csv)![1]!;
  const count = (d: string) => header.split(d).length - 1;
  return count('\t') > count(',') ? '\t' : count(';') > count(',') ? ';' : ',';
}

export type CsvRow = { row: number; cells: string[] };

/** The header and the data rows, each with its line number in the file (the header is line 1). */
export function readCsv(csv: string): { header: string[]; rows: CsvRow[] } {
  let records: { record: string[]; info: { lines: number } }[];
  try {
    // With `info: true` each record comes with its line number; the types do not say so (hence the cast).
    records = parse(csv, {
      bom: true,
      delimiter: delimiterOf(csv),
      info: true,
      relax_column_count: true,
      relax_quotes: true,
      skip_empty_lines: true,
      skip_records_with_empty_values: true,
      trim: true,
    }) as unknown as typeof records;
  } catch (err) {
    const line = (err as { lines?: number }).lines;
    throw refuse(
      `This file could not be read as CSV${line ? ` (near line ${line})` : ''}. ` +
        'Save it from your spreadsheet as CSV and try again.',
    );
  }
  const [header, ...rows] = records;
  if (!header || rows.length === 0)
    throw refuse('The file has no members in it: it needs a header line and one line per member.');
  if (rows.length > MAX_IMPORT_ROWS) {
    throw refuse(
      `The file has ${rows.length.toLocaleString('en')} rows; ` +
        `import at most ${MAX_IMPORT_ROWS.toLocaleString('en')} at a time. Split it into smaller files.`,
    );
  }
  return { header: header.record, rows: rows.map((r) => ({ row: r.info.lines, cells: r.record })) };
}

/** What the import needs of a custom field: where its values go and how they are read. */
export type ImportField = Pick<CustomField, 'id' | 'key' | 'label' | 'type' | 'options'>;

export type ColumnMap = {
  index: Partial<Record<Column, number>>;
  /** The custom fields the file has, each with its column. */
  fields: { field: ImportField; index: number }[];
  matched: ({ column: Column; header: string } | { column: 'field'; header: string; field: string })[];
  ignored: string[];
};

/**
 * Which header feeds which field (the first one wins); the rest are reported as ignored. A custom field is found by
 * its key or label; it wins over our looser aliases ("Groups", "Cell") because the church named it, but never over
 * the names our export writes.
 */
export function mapColumns(header: string[], fields: ImportField[] = []): ColumnMap {
  const map: ColumnMap = { index: {}, fields: [], matched: [], ignored: [] };
  const fieldOf = fieldFinder(fields);
  const taken = new Set<string>();
  header.forEach((h, i) => {
    const key = headerKey(h);
    const field = OWN.has(key) ? undefined : fieldOf(h);
    const column = field ? undefined : columnOf.get(key);
    if (field && !taken.has(field.id)) {
      taken.add(field.id);
      map.fields.push({ field, index: i });
      map.matched.push({ column: 'field', header: h, field: field.label });
    } else if (column && map.index[column] === undefined) {
      map.index[column] = i;
      map.matched.push({ column, header: h });
    } else if (h) map.ignored.push(h);
  });
  const { index } = map;
  if (index.phone === undefined || (index.firstName === undefined && index.fullName === undefined)) {
    throw refuse(
      'The file needs a phone column and a first name (or name) column. ' +
        `Its header line has: ${header.filter(Boolean).join(', ') || 'nothing'}. ` +
        'Use headers like first_name, last_name, phone, email, branch, tags, notes.',
    );
  }
  return map;
}

/** A header's custom field: its exact key first, then any field whose key or label reads the same. */
function fieldFinder(fields: ImportField[]) {
  const byKey = new Map(fields.map((f) => [f.key, f]));
  const byName = new Map<string, ImportField>();
  for (const f of fields)
    for (const name of [f.key, f.label]) if (!byName.has(fieldKey(name))) byName.set(fieldKey(name), f);
  return (h: string) => byKey.get(h.trim().toLowerCase()) ?? (fieldKey(h) ? byName.get(fieldKey(h)) : undefined);
}

const yes = new Set(['', 'yes', 'y', 'true', '1', 'subscribed', 'on', 'x']);
const no = new Set(['no', 'n', 'false', '0', 'unsubscribed', 'off']);
// What our own export writes for someone who never agreed, so an export imports back unchanged.
const notYet = new Set(['not opted in', 'not_opted_in', 'pending']);

/**
 * A row's consent. "Yes" (or an empty cell) subscribes only when the importer confirmed these people agreed to texts:
 * a spreadsheet alone is not consent. "No" always unsubscribes.
 */
function stateOf(cell: string, consentConfirmed: boolean): Subscription | null {
  if (yes.has(cell)) return consentConfirmed ? 'subscribed' : 'not_opted_in';
  if (no.has(cell)) return 'unsubscribed';
  return notYet.has(cell) ? 'not_opted_in' : null;
}

/** What each row may refer to: the church's country (phone numbers) and its branches by lower-case name. */
export type RowContext = {
  country: string;
  consentConfirmed: boolean;
  branches: Map<string, { id: string; name: string }>;
  unknownBranchHint: string;
};

export function rowContext(
  country: string,
  consentConfirmed: boolean,
  branches: { id: string; name: string }[],
): RowContext {
  const names = branches.map((b) => b.name).sort((a, b) => a.localeCompare(b));
  const listed =
    names.length > 10 ? `${names.slice(0, 10).join(', ')} and ${names.length - 10} more` : names.join(', ');
  return {
    country,
    consentConfirmed,
    branches: new Map(branches.map((b) => [b.name.toLowerCase(), b])),
    unknownBranchHint: names.length
      ? `Your branches are: ${listed}`
      : 'Your church has no branches yet: add them on the Branches page first, or leave the column empty',
  };
}

export type CheckedRow = {
  row: number;
  messages: string[];
  /** As written in the file, for the preview. */
  shown: { name: string; phone: string; email: string; branch: string; tags: string[] };
  member: {
    firstName: string;
    lastName: string;
    phone: string;
    email: string | null;
    branchId: string | null;
    tags: string[];
    notes: string | null;
    subscription: Subscription;
    firstVisitOn: string | null;
  } | null;
  /** The custom-field cells that have a value; a blank one leaves the member's value as it is. */
  values: { fieldId: string; value: StoredValue }[];
};

function splitName(cell: (c: Column) => string, index: ColumnMap['index']) {
  if (index.firstName !== undefined) return { firstName: cell('firstName'), lastName: cell('lastName') };
  // A single name column: the last word is the last name ("Mary Anne Smith" → "Mary Anne", "Smith").
  const words = cell('fullName').split(/\s+/).filter(Boolean);
  return words.length < 2
    ? { firstName: words[0] ?? '', lastName: cell('lastName') }
    : { firstName: words.slice(0, -1).join(' '), lastName: words.at(-1)! };
}

/** Our export puts an apostrophe before a cell a spreadsheet would run as a formula ("'=A1"): read it without. */
const unguarded = (v: string) => (/^'[=+\-@\t\r]/.test(v) ? v.slice(1) : v);

const missing: Record<string, string> = { firstName: 'First name is missing', phone: 'Phone number is missing' };

/** The custom-field cells with a value, each read by its field's type; a bad one is a problem naming the field. */
function fieldValues(at: (i: number) => string, fields: ColumnMap['fields'], messages: string[]) {
  const values: CheckedRow['values'] = [];
  for (const { field, index } of fields) {
    try {
      const value = parseValue(field, at(index));
      if (value) values.push({ fieldId: field.id, value });
    } catch (err) {
      if (!(err instanceof FieldValueError)) throw err;
      messages.push(err.message);
    }
  }
  return values;
}

/** One row checked by the same rules as the member form, plus the phone, branch and subscribed columns. */
export function checkRow({ row, cells }: CsvRow, { index, fields }: ColumnMap, ctx: RowContext): CheckedRow {
  const at = (i: number) => unguarded(cells[i] ?? '');
  const cell = (c: Column) => (index[c] === undefined ? '' : at(index[c]!));
  const name = splitName(cell, index);
  const tags = cell('tags').split(/[;|]/);
  const branchName = cell('branch');
  const shown = {
    name: `${name.firstName} ${name.lastName}`.trim(),
    phone: cell('phone'),
    email: cell('email'),
    branch: branchName,
    tags: tags.map((t) => t.trim()).filter(Boolean),
  };
  const messages: string[] = [];

  const parsed = createMemberInput.safeParse({
    ...name,
    phone: cell('phone'),
    email: cell('email'),
    tags: tags.filter((t) => t.trim()),
    notes: cell('notes'),
  });
  for (const issue of parsed.error?.issues ?? []) {
    const field = String(issue.path[0]);
    messages.push(issue.code === 'too_small' && missing[field] ? missing[field] : issue.message);
  }
  const number = shown.phone ? textableNumber(shown.phone, ctx.country) : null;
  const phone = number && 'e164' in number ? number.e164 : null;
  if (number && 'refused' in number)
    messages.push(number.refused === 'extension' ? EXTENSION_REFUSED : `Phone number "${shown.phone}" is not valid`);
  const branch = branchName ? ctx.branches.get(branchName.toLowerCase()) : undefined;
  if (branchName && !branch) messages.push(`Unknown branch "${branchName}". ${ctx.unknownBranchHint}`);
  const subscription = stateOf(cell('subscribed').trim().toLowerCase(), ctx.consentConfirmed);
  if (!subscription) messages.push(`Subscribed must be yes, no or "not opted in" (it is "${cell('subscribed')}")`);
  const firstVisit = cell('firstVisit').trim();
  const firstVisitOn = firstVisit ? isoDate(firstVisit) : null;
  if (firstVisit && !firstVisitOn) messages.push('First visit: write the date as YYYY-MM-DD (for example 2024-03-31)');
  const values = fieldValues(at, fields, messages);

  if (messages.length || !parsed.success || !phone || !subscription) {
    return { row, messages, shown, member: null, values: [] };
  }
  const m = parsed.data;
  return {
    row,
    messages,
    shown,
    member: {
      firstName: m.firstName,
      lastName: m.lastName ?? '',
      phone,
      email: m.email ?? null,
      branchId: branch?.id ?? null,
      tags: m.tags ?? [],
      notes: m.notes ?? null,
      subscription,
      firstVisitOn,
    },
    values,
  };
}
