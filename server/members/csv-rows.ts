import { Invalid } from '@/server/domain-errors';
import { parse } from 'csv-parse/sync';
import { textableNumber } from '@/server/messaging/phone';
import type { Subscription } from '@/db/tenant/schema';
import { createMemberInput } from './inputs';
import { EXTENSION_REFUSED, MAX_IMPORT_ROWS } from './rules';

/**
 * Reading a members CSV: the file into rows, its headers onto our fields (flexibly: "First Name", first_name and
 * firstname are one column), and each row into a member or a list of problems. No database here.
 */

type Column = 'firstName' | 'lastName' | 'fullName' | 'phone' | 'email' | 'branch' | 'tags' | 'notes' | 'subscribed';

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
};
const columnOf = new Map(Object.entries(aliases).flatMap(([column, keys]) => keys.map((k) => [k, column as Column])));
const headerKey = (h: string) => h.toLowerCase().replace(/[^a-z0-9]/g, '');

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

export type ColumnMap = {
  index: Partial<Record<Column, number>>;
  matched: { column: Column; header: string }[];
  ignored: string[];
};

/** Which header feeds which field (the first one wins); the rest are reported as ignored. */
export function mapColumns(header: string[]): ColumnMap {
  const map: ColumnMap = { index: {}, matched: [], ignored: [] };
  header.forEach((h, i) => {
    const column = columnOf.get(headerKey(h));
    if (column && map.index[column] === undefined) {
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
  } | null;
};

function splitName(cells: string[], index: ColumnMap['index']) {
  const cell = (c: Column) => (index[c] === undefined ? '' : (cells[index[c]!] ?? ''));
  if (index.firstName !== undefined) return { firstName: cell('firstName'), lastName: cell('lastName') };
  // A single name column: the last word is the last name ("Mary Anne Smith" → "Mary Anne", "Smith").
  const words = cell('fullName').split(/\s+/).filter(Boolean);
  return words.length < 2
    ? { firstName: words[0] ?? '', lastName: cell('lastName') }
    : { firstName: words.slice(0, -1).join(' '), lastName: words.at(-1)! };
}

const missing: Record<string, string> = { firstName: 'First name is missing', phone: 'Phone number is missing' };

/** One row checked by the same rules as the member form, plus the phone, branch and subscribed columns. */
export function checkRow({ row, cells }: CsvRow, { index }: ColumnMap, ctx: RowContext): CheckedRow {
  const cell = (c: Column) => (index[c] === undefined ? '' : (cells[index[c]!] ?? ''));
  const name = splitName(cells, index);
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

  if (messages.length || !parsed.success || !phone || !subscription) return { row, messages, shown, member: null };
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
    },
  };
}
