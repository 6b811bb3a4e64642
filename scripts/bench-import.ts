import { sql } from 'drizzle-orm';
import postgres from 'postgres';
import type { TenantDb } from '../db/tenant';
import { branches, memberFieldValues, members } from '../db/tenant/schema';
import type { AudienceFilter } from '../server/audiences/inputs';
import { countFilter } from '../server/audiences/segments';
import { audienceWhere } from '../server/audiences/where';
import { createFieldInput } from '../server/custom-fields/inputs';
import { createField } from '../server/custom-fields/manage';
import { commitImport, previewImport } from '../server/members/csv-import';
import { membersCsv } from '../server/members/export';
import { MAX_IMPORT_BYTES } from '../server/members/rules';
import { withDatabase } from '../server/tenancy/urls';
import { duration, percentile, printTimings, startBench, type TimedRow } from './bench-env';

/**
 * `npm run bench:import`: the members CSV import at its limit, BENCH_ROWS (default 20,000) rows, in one church signed
 * up through the real pipeline, with 3 branches and 4 custom fields (text, number, date, choice). The file has name,
 * phone, email, tags, branch, first_visit and the 4 fields (headed by label or key, as people write them, with blank
 * cells); a second file is the same without the 4 field columns. Measured with the church's own Drizzle client:
 *
 *   (a) previewImport of each file into an empty church (what the import panel's "Preview" runs),
 *   (b) commitImport of each file into an empty church: every row a new member (consent confirmed, so 20,000
 *       consent-log rows too), and
 *   (c) the same file again: every row an existing member, every field value an upsert over the one (b) wrote.
 *
 * Between runs everything (b) wrote is truncated through a privileged connection (the church role may not delete
 * the consent log) and vacuumed, so each run starts the same. Then, over the 20,000 members (b) left, the CSV export
 * and segment counts on a custom field (countFilter, what segments.count runs) with the index each plan uses.
 *
 * Prints a table (median, p95 over BENCH_RUNS (5) runs) and a summary; drops everything it created. Exits 1 when a
 * run imported the wrong number of members or values, or a count is wrong.
 */
const ROWS = Number(process.env.BENCH_ROWS ?? 20_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const COUNT_RUNS = Number(process.env.BENCH_COUNT_RUNS ?? 15);

const FIRST = ['Ruth', 'Samuel', 'Esther', 'David', 'Miriam', 'Elijah', 'Naomi', 'Josiah', 'Hannah', 'Zoë', 'Kofi'];
const LAST = ['Okafor', 'Nguyen', 'Garcia', 'Smith', 'Kowalski', 'Haddad', 'Mensah', "O'Brien", 'Van der Merwe'];
const BRANCHES = ['Downtown', 'Northside', 'Riverside Campus'];
const GROUPS = ['Tuesday North', 'Young adults', 'Alpha', 'Men’s breakfast', 'Mums & toddlers'];
const TEAMS = ['Music', 'Welcome', 'Kids', 'Tech', 'Prayer'];
const FIELDS = [
  { label: 'Small group', type: 'text' },
  { label: 'Kids', type: 'number' },
  { label: 'Baptism date', type: 'date' },
  { label: 'Serving team', type: 'choice', options: TEAMS },
] as const;

const day = (from: string, days: number) => new Date(Date.parse(from) + days * 86_400_000).toISOString().slice(0, 10);
/** One person; a blank where people leave cells blank. */
function person(i: number) {
  return {
    name: `${FIRST[i % FIRST.length]} ${LAST[Math.floor(i / FIRST.length) % LAST.length]}`,
    phone: `(312) ${200 + Math.floor(i / 10_000)}-${String(i % 10_000).padStart(4, '0')}`,
    email: `person${i}@example.org`,
    tags: i % 4 === 0 ? 'choir;youth' : i % 3 === 0 ? 'volunteer' : '',
    branch: BRANCHES[i % BRANCHES.length]!,
    firstVisit: i % 5 === 0 ? '' : day('2015-01-01', i % 3_000),
    group: i % 6 === 5 ? '' : GROUPS[i % GROUPS.length]!,
    kids: String(i % 6),
    baptism: i % 3 === 0 ? '' : day('1990-01-01', (i * 7) % 12_000),
    team: i % 6 === 5 ? '' : TEAMS[i % TEAMS.length]!,
  };
}
const people = Array.from({ length: ROWS }, (_, i) => person(i));
const quote = (c: string) => (/[",;\r\n]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c);
const fileOf = (withFields: boolean) => {
  const head = ['name', 'phone', 'email', 'tags', 'branch', 'first_visit'];
  const fieldHead = ['Small group', 'kids', 'Baptism date', 'serving_team']; // by label or by key
  const lines = people.map((p) =>
    [
      p.name,
      p.phone,
      p.email,
      p.tags,
      p.branch,
      p.firstVisit,
      ...(withFields ? [p.group, p.kids, p.baptism, p.team] : []),
    ]
      .map(quote)
      .join(','),
  );
  return [[...head, ...(withFields ? fieldHead : [])].join(','), ...lines].join('\r\n') + '\r\n';
};
const FILES = { fields: fileOf(true), plain: fileOf(false) };
const VALUES = people.reduce((n, p) => n + [p.group, p.kids, p.baptism, p.team].filter(Boolean).length, 0);

const now = () => performance.now();
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const median = (xs: number[]) => percentile(xs, 50);
const kb = (s: string) => `${(Buffer.byteLength(s) / 1024).toFixed(0)} KB`;

const bench = await startBench('benchimport');
const { services, config } = bench;
console.log(
  `bench:import on ${bench.where}: ${fmt(ROWS)} rows, ${FIELDS.length} custom fields (${fmt(VALUES)} values); ` +
    `files ${kb(FILES.fields)} with the fields, ${kb(FILES.plain)} without; ${RUNS} runs of each`,
);
for (const file of Object.values(FILES)) {
  if (file.length > MAX_IMPORT_BYTES) throw new Error(`the file is over the ${MAX_IMPORT_BYTES} import limit`);
}

type Row = TimedRow;
const table: Row[] = [];
const problems: string[] = [];
const plans: string[] = [];
let maintenance: postgres.Sql | null = null;

try {
  const { tenantId, adminId } = await bench.churchReady();
  const country = await services.profiles.country(tenantId);
  const withChurch = <T>(fn: (db: TenantDb) => Promise<T>) => services.connections.withTenant(tenantId, fn);
  const opts = { country, consentConfirmed: true };

  // A privileged connection: the church role may not truncate the consent log (nor vacuum).
  maintenance = postgres(withDatabase(config.DATABASE_URL, services.naming.database(tenantId)), {
    max: 1,
    onnotice: () => {},
  });
  const empty = async () => {
    await maintenance!.unsafe('truncate members, member_field_values, consent_events cascade');
    await maintenance!.unsafe('vacuum (analyze) members, member_field_values, consent_events');
  };

  const fields = await withChurch(async (db) => {
    await db.insert(branches).values(BRANCHES.map((name) => ({ name, timezone: 'America/Chicago' })));
    const made = [];
    for (const f of FIELDS) made.push(await createField(db, createFieldInput.parse(f)));
    return made;
  });
  const fieldId = (label: string) => fields.find((f) => f.label === label)!.id;

  const timed = <T>(fn: (db: TenantDb) => Promise<T>) =>
    withChurch(async (db) => {
      const t0 = now();
      const result = await fn(db);
      return { ms: now() - t0, result };
    });
  const counts = () =>
    withChurch(async (db) => {
      const [m] = await db.select({ n: sql<number>`count(*)::int` }).from(members);
      const [v] = await db.select({ n: sql<number>`count(*)::int` }).from(memberFieldValues);
      return { members: m!.n, values: v!.n };
    });

  const runs = {
    fields: { preview: [] as number[], create: [] as number[], update: [] as number[] },
    plain: { preview: [] as number[], create: [] as number[], update: [] as number[] },
  };
  for (let r = 0; r <= RUNS; r++) {
    for (const kind of ['fields', 'plain'] as const) {
      await empty();
      const csv = FILES[kind];
      const preview = await timed((db) => previewImport(db, csv, opts));
      const create = await timed((db) => commitImport(db, csv, opts, { id: adminId }));
      const afterCreate = await counts();
      await maintenance.unsafe('vacuum (analyze) members, member_field_values');
      const update = await timed((db) => commitImport(db, csv, opts, { id: adminId }));
      const afterUpdate = await counts();
      const values = kind === 'fields' ? VALUES : 0;
      const where = `${kind} run ${r}`;
      if (preview.result.totals.create !== ROWS)
        problems.push(`${where}: preview ${JSON.stringify(preview.result.totals)}`);
      if (create.result.created !== ROWS || create.result.skipped)
        problems.push(
          `${where}: create ${JSON.stringify({ ...create.result, errors: create.result.errors.slice(0, 3) })}`,
        );
      if (update.result.updated !== ROWS || update.result.skipped)
        problems.push(
          `${where}: update ${JSON.stringify({ ...update.result, errors: update.result.errors.slice(0, 3) })}`,
        );
      for (const [when, c] of [
        ['created', afterCreate],
        ['updated', afterUpdate],
      ] as const) {
        if (c.members !== ROWS || c.values !== values)
          problems.push(`${where}: ${when}, ${c.members} members and ${c.values} values (expected ${ROWS}, ${values})`);
      }
      if (r === 0) continue; // a warm-up: plans the statements, loads the modules
      runs[kind].preview.push(preview.ms);
      runs[kind].create.push(create.ms);
      runs[kind].update.push(update.ms);
    }
  }
  for (const [kind, label] of [
    ['fields', 'with 4 custom fields'],
    ['plain', 'without them'],
  ] as const) {
    table.push({ what: `preview ${label}`, runs: runs[kind].preview, rows: ROWS, note: 'previewImport, all new' });
    table.push({
      what: `import ${label}, all new`,
      runs: runs[kind].create,
      rows: ROWS,
      note: kind === 'fields' ? `+ ${fmt(VALUES)} values (writeValues)` : 'commitImport',
    });
    table.push({
      what: `import ${label}, all existing`,
      runs: runs[kind].update,
      rows: ROWS,
      note: kind === 'fields' ? 'every value upserted over itself' : 'the same file again',
    });
  }

  // The last run above was the plain file: import the one with fields, so the members have values.
  await empty();
  await withChurch((db) => commitImport(db, FILES.fields, opts, { id: adminId }));
  await maintenance.unsafe('vacuum (analyze) members, member_field_values');

  const exports: number[] = [];
  for (let r = 0; r <= RUNS; r++) {
    const { ms, result } = await timed((db) => membersCsv(db));
    if (r > 0) exports.push(ms);
    const lines = result.trimEnd().split('\r\n');
    if (lines.length !== ROWS + 1) problems.push(`export has ${lines.length - 1} members`);
  }
  table.push({ what: 'export with 4 custom fields', runs: exports, rows: ROWS, note: 'membersCsv' });

  // Segment counts on a custom field, with what the plan reads.
  const segment = async (what: string, filter: AudienceFilter, expected: number) => {
    const ms: number[] = [];
    let counted = 0;
    for (let r = 0; r <= COUNT_RUNS; r++) {
      const { ms: t, result } = await timed((db) => countFilter(db, filter, 'UTC'));
      counted = result.members;
      if (r > 0) ms.push(t);
    }
    if (counted !== expected) problems.push(`segment "${what}" counted ${counted}, expected ${expected}`);
    const plan = await withChurch((db) => explain(db, filter));
    table.push({
      what: `segment count: ${what}`,
      runs: ms,
      note: `${fmt(counted)} members; ${plan.indexes.join(', ') || 'no index'}`,
    });
    plans.push(`${what}: ${plan.summary}`);
  };
  const after2020 = (p: ReturnType<typeof person>) => p.baptism > '2020-01-01';
  await segment(
    'Kids > 2',
    { fields: [{ fieldId: fieldId('Kids'), op: 'gt', value: '2' }] },
    count((p) => +p.kids > 2),
  );
  await segment(
    'Baptism date after 2020-01-01',
    { fields: [{ fieldId: fieldId('Baptism date'), op: 'after', value: '2020-01-01' }] },
    count(after2020),
  );
  await segment(
    'Serving team is Music',
    { fields: [{ fieldId: fieldId('Serving team'), op: 'is', value: 'Music' }] },
    count((p) => p.team === 'Music'),
  );
  await segment(
    'Small group contains "north"',
    { fields: [{ fieldId: fieldId('Small group'), op: 'contains', value: 'north' }] },
    count((p) => /north/i.test(p.group)),
  );
  await segment(
    'Kids > 2 and Serving team is Music',
    {
      fields: [
        { fieldId: fieldId('Kids'), op: 'gt', value: '2' },
        { fieldId: fieldId('Serving team'), op: 'is', value: 'Music' },
      ],
    },
    count((p) => +p.kids > 2 && p.team === 'Music'),
  );
} catch (err) {
  problems.push(`bench failed: ${(err as Error).stack ?? err}`);
} finally {
  await maintenance?.end({ timeout: 5 }).catch(() => {});
  await bench.close();
}

function count(test: (p: ReturnType<typeof person>) => boolean) {
  return people.filter(test).length;
}

/** The count's plan (the statement countFilter runs): the indexes it reads, and its shape in a line. */
async function explain(db: TenantDb, filter: AudienceFilter) {
  const where = await audienceWhere(db, filter, 'UTC');
  const query = db
    .select({
      recipients: sql<number>`count(*) filter (where ${members.subscription} = 'subscribed')::int`,
      skipped: sql<number>`count(*) filter (where ${members.subscription} <> 'subscribed')::int`,
    })
    .from(members)
    .where(where)
    .toSQL();
  const [row] = await db.$client.unsafe(`explain (analyze, format json) ${query.sql}`, query.params as never[]);
  type Node = { 'Node Type': string; 'Index Name'?: string; 'Relation Name'?: string; Plans?: Node[] };
  const [top] = (row as unknown as { 'QUERY PLAN': [{ Plan: Node; 'Execution Time': number }] })['QUERY PLAN'];
  const indexes: string[] = [];
  const shape = (n: Node): string => {
    if (n['Index Name'] && !indexes.includes(n['Index Name'])) indexes.push(n['Index Name']);
    const on = n['Index Name'] ?? n['Relation Name'];
    const kids = (n.Plans ?? []).map(shape);
    return `${n['Node Type']}${on ? ` (${on})` : ''}${kids.length ? ` → [${kids.join('; ')}]` : ''}`;
  };
  const summary = `${shape(top.Plan)}; ${top['Execution Time'].toFixed(1)} ms`;
  return { indexes, summary };
}

// The figures.
const cell = duration;
printTimings(`bench:import — ${fmt(ROWS)} rows, ${bench.where}`, table);
if (plans.length) console.log(`\nplans:\n${plans.map((p) => `  ${p}`).join('\n')}`);

const find = (what: string) => table.find((r) => r.what === what);
const cost = (a: string, b: string) => {
  const [x, y] = [find(a), find(b)];
  if (!x || !y) return '?';
  const extra = median(x.runs) - median(y.runs);
  return `${extra >= 0 ? '+' : ''}${cell(extra)} (${((median(x.runs) / median(y.runs) - 1) * 100).toFixed(0)}%)`;
};
const newWith = find('import with 4 custom fields, all new');
if (newWith) {
  console.log(
    `\nsummary: ${fmt(ROWS)} new members with 4 custom fields imported in ${cell(median(newWith.runs))} ` +
      `(${fmt(ROWS / (median(newWith.runs) / 1000))} rows/s). The fields cost: preview ` +
      `${cost('preview with 4 custom fields', 'preview without them')}, new ` +
      `${cost('import with 4 custom fields, all new', 'import without them, all new')}, existing ` +
      `${cost('import with 4 custom fields, all existing', 'import without them, all existing')}`,
  );
}
if (problems.length) console.log(`\nPROBLEMS:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
process.exit(problems.length ? 1 : 0);
