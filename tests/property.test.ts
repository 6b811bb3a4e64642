import { mkdtemp, rm } from 'node:fs/promises';
import { ACTIVITY_GROUPS } from '@/db/tenant/enums';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { OctetInput } from '@trpc/server/http';
import fc from 'fast-check';
import postgres from 'postgres';
import superjson from 'superjson';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GET, POST } from '@/app/api/trpc/[trpc]/route';
import { sessionCookieName } from '@/server/auth/session';
import { CUSTOM_FIELD_TYPES, type CustomFieldType } from '@/db/tenant/enums';
import { issueFormToken } from '@/server/connect-card/form-token';
import { CONDITION_OPS, OPS_BY_TYPE } from '@/server/custom-fields/rules';
import { MAX_BATCH_SIZE } from '@/server/http/limits';
import { log } from '@/server/log';
import { appRouter } from '@/server/routers/_app';
import type { Services } from '@/server/services';
import { checkRegistration } from '@/server/registration/progress';
import { withDatabase } from '@/server/tenancy/urls';
import { caller, namedChurch, signIn, type Church, type SignedInClient } from './support/accounts';
import { createTestRegistry, serverUrl, type TestRegistry } from './support/harness';
import { registrationForm } from './support/messaging';

/**
 * Property-based: every procedure of the app router, called through the real HTTP route handler (body limit,
 * batching, status codes), signed in as church A's owner and signed out, with generated junk — wrong types, huge
 * strings, deep nesting, unicode, prototype keys, odd numbers — and with well-formed inputs that carry edge values
 * (so zod's deeper checks and the handlers behind them run too). Two properties:
 *   1. no request is ever answered 5xx (nor carries a 5xx inside a batch), and
 *   2. nothing of church B changes — in its own database or in the registry.
 * Besides one property per procedure: batches, odd paths, junk cookies and headers, and reads after each kind of
 * write (a stored value may break a later read). The 5xx answers found so far are kept at the end as fixed cases.
 * PROPERTY_RUNS sets runs per property (default 30); PROPERTY_SEED replays a seed fast-check printed.
 */

const RUNS = Number(process.env.PROPERTY_RUNS ?? 30);
if (process.env.PROPERTY_SEED) fc.configureGlobal({ seed: Number(process.env.PROPERTY_SEED) });

type Def = { _def: { type: 'query' | 'mutation' } };
const registered = (appRouter._def as unknown as { procedures: Record<string, Def> }).procedures;
const procedures = Object.keys(registered);
const typeOf = (path: string) => registered[path]!._def.type;
const queries = procedures.filter((p) => typeOf(p) === 'query');
const mutations = procedures.filter((p) => typeOf(p) === 'mutation');

// Node refuses request heads over 16 KB, so a longer GET never reaches the handler.
const MAX_GET_URL = 16_000;
const BASE = 'http://test/api/trpc';

// ------------------------------------------------------------------------------------------------
// Showing a generated value: short, so a failure with a 1 MB string or 5,000 levels stays readable.
// ------------------------------------------------------------------------------------------------

function depthOf(v: unknown): number {
  let d = 0;
  for (let x = v; x && typeof x === 'object'; d++) x = Array.isArray(x) ? x[0] : Object.values(x)[0];
  return d;
}

/** A base64url JSON cursor, decoded (so a report shows what is inside it). */
/** A calendar day `days` from now, as a date input gives it. */
const dayFrom = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
/** A repeat every Saturday from the day after tomorrow, as the compose form sends it. */
const weeklyRepeat = () => ({
  frequency: 'weekly',
  weekdays: ['SA'],
  time: '17:00',
  startDate: dayFrom(2),
  endDate: dayFrom(60),
});

function cursorText(s: string): string | null {
  if (!/^[A-Za-z0-9_-]{4,}$/.test(s)) return null;
  try {
    const key = JSON.parse(Buffer.from(s, 'base64url').toString('utf8'));
    return typeof key === 'object' && key !== null ? JSON.stringify(key) : null;
  } catch {
    return null;
  }
}

function show(v: unknown, depth = 0): string {
  if (typeof v === 'string') {
    const decoded = cursorText(v);
    if (decoded) return `cursor(${decoded.length > 200 ? `${decoded.slice(0, 200)}…` : decoded})`;
    return v.length > 60 ? `${JSON.stringify(v.slice(0, 12))}…(${v.length} chars)` : JSON.stringify(v);
  }
  if (typeof v === 'number') return Object.is(v, -0) ? '-0' : String(v);
  if (typeof v === 'bigint') return `${v}n`;
  if (typeof v !== 'object' || v === null) return String(v);
  if (v instanceof Date) return `Date(${Number.isNaN(v.getTime()) ? 'NaN' : v.toISOString()})`;
  if (depth > 5) return `…(${depthOf(v)} more levels)`;
  if (ArrayBuffer.isView(v)) return `${v.constructor.name}(${(v as Uint8Array).length})`;
  if (v instanceof Map) return `Map(${show([...v.entries()], depth + 1)})`;
  if (v instanceof Set) return `Set(${show([...v], depth + 1)})`;
  if (Array.isArray(v)) {
    const items = v.slice(0, 6).map((x) => show(x, depth + 1));
    return `[${items.join(', ')}${v.length > 6 ? `, …(${v.length} items)` : ''}]`;
  }
  const keys = Object.keys(v);
  const proto = Object.getPrototypeOf(v) === null ? '(null prototype) ' : '';
  const entries = keys
    .slice(0, 12)
    .map((k) => `${JSON.stringify(k)}: ${show((v as Record<string, unknown>)[k], depth + 1)}`);
  return `${proto}{${entries.join(', ')}${keys.length > 12 ? `, …(${keys.length} keys)` : ''}}`;
}

/** Give a generated case a compact description in fast-check's counterexample report. */
const described = <T extends object>(value: T, text: (v: T) => string): T =>
  Object.defineProperty(value, fc.toStringMethod, { value: () => text(value) });

// ------------------------------------------------------------------------------------------------
// Junk: anything an attacker could put in a request body.
// ------------------------------------------------------------------------------------------------

/** Strings that have broken servers, by kind: each kind is drawn as often as the others. */
const NASTY_TEXT = {
  control: ['\u0000', 'a\u0000b', '\u0000\u0000', '\u0001\u001f\u007f', '\t\n\r', '\u0085', '\u2028\u2029', '\u0008'],
  surrogates: ['\uD800', 'a\uDFFFb', '\uDBFF\uDBFF', '\uFFFF', '\uFFFE', '\uFEFF'],
  unicode: [
    '😀🙏',
    '👨‍👩‍👧‍👦',
    '\u202Eevil.exe',
    'مرحبا بكم',
    'שלום',
    'Z\u0324\u0354\u0367\u0311\u0313ä\u0356\u032d\u0308\u0307',
    'ﷺ',
    '𝕳𝖊𝖑𝖑𝖔',
    'İı',
    'ß',
    '\u200B\u200B',
    '　',
  ],
  syntax: [
    "O'Brien",
    '"',
    '\\',
    '%',
    '%00',
    '%E0%A4%A',
    '%_\\',
    "x'); drop table members; --",
    '${7*7}',
    '{{7*7}}',
    '<script>alert(1)</script>',
    '../../etc/passwd',
    'https://evil.example/x',
    'grace.church',
  ],
  words: [
    '',
    ' ',
    ' '.repeat(50),
    'null',
    'undefined',
    'NaN',
    '-0',
    '1e308',
    'true',
    '[]',
    '{}',
    '0',
    '-1',
    '9'.repeat(400),
  ],
  prototype: ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf'],
};
const NASTY_NUMBERS = [
  NaN,
  Infinity,
  -Infinity,
  -0,
  0,
  1e308,
  -1e308,
  5e-324,
  2 ** 31,
  2 ** 53 + 2,
  -1,
  1.5,
  Number.MAX_VALUE,
];

const nastyString = fc.oneof(
  ...Object.values(NASTY_TEXT).map((texts) => ({ weight: 1, arbitrary: fc.constantFrom(...texts) })),
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  {
    weight: 1,
    arbitrary: fc.string({
      unit: fc.constantFrom('\u0000', '\uD800', '\uDC00', 'a', '😀', ' ', '\u202E', '%', ',', '"', '\n'),
      maxLength: 20,
    }),
  },
);
const nastyNumber = fc.oneof(fc.constantFrom(...NASTY_NUMBERS), fc.double(), fc.integer());

/** 100k–1M characters of one kind. */
const huge = fc
  .record({
    n: fc.constantFrom(100_000, 300_000, 1_000_000),
    unit: fc.constantFrom('a', '😀', '\u0000', '\uD800', ' ', '\n', ',', '"', '%', 'é', '9'),
  })
  .map(({ n, unit }) => unit.repeat(Math.ceil(n / unit.length)));

/** 100–5,000 levels of arrays, objects or prototype-keyed objects. */
const deep = fc
  .record({
    depth: fc.constantFrom(100, 1_000, 5_000),
    kind: fc.constantFrom('array', 'object', 'json'),
    leaf: fc.oneof(nastyString, nastyNumber),
  })
  .map(({ depth, kind, leaf }) => {
    if (kind === 'json') return JSON.parse(`${'{"__proto__":'.repeat(depth)}1${'}'.repeat(depth)}`);
    let v: unknown = leaf;
    for (let i = 0; i < depth; i++) v = kind === 'array' ? [v] : { a: v };
    return v;
  });

/** Arrays of thousands of items. */
const wide = fc
  .record({
    n: fc.constantFrom(1_000, 5_000, 20_000),
    item: fc.constantFrom<unknown>('a', 0, null, {}, [], 'choir', '\u0000', -0),
  })
  .map(({ n, item }) => Array.from({ length: n }, () => item));

/** Objects whose keys are prototype names, built as JSON.parse builds them (an own "__proto__" key). */
const protoKeyed = fc.oneof(
  fc.constantFrom(
    JSON.parse('{"__proto__": {"isAdmin": true, "role": "owner", "tenantId": "00000000-0000-0000-0000-000000000000"}}'),
    JSON.parse('{"constructor": {"prototype": {"polluted": "yes"}}}'),
    JSON.parse('{"__proto__": null}'),
    JSON.parse('{"__proto__": []}'),
    JSON.parse('{"toString": "x", "valueOf": "y", "hasOwnProperty": 1, "toJSON": "z", "then": "w"}'),
    JSON.parse('{"prototype": {}, "__defineGetter__": 1, "__lookupSetter__": 2}'),
    Object.create(null),
  ),
  fc
    .dictionary(
      fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'valueOf', 'then', 'toJSON', 'length', 'id'),
      fc.oneof(nastyString, nastyNumber),
      { maxKeys: 4 },
    )
    .map((o) => JSON.parse(JSON.stringify(o))),
);

const junk: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: nastyString },
  { weight: 2, arbitrary: nastyNumber },
  {
    weight: 2,
    arbitrary: fc.constantFrom<unknown>(
      null,
      undefined,
      true,
      false,
      [],
      {},
      new Date(NaN),
      new Date(8.64e15),
      new Date(-8.64e15),
      10n ** 30n,
      -1n,
    ),
  },
  {
    weight: 3,
    arbitrary: fc.anything({
      maxDepth: 3,
      maxKeys: 5,
      key: fc.oneof(
        fc.string(),
        fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'id', 'tenantId'),
      ),
      withBigInt: true,
      withDate: true,
      withMap: true,
      withSet: true,
      withNullPrototype: true,
      withTypedArray: true,
      withSparseArray: true,
      withBoxedValues: true,
    }),
  },
  { weight: 1, arbitrary: fc.jsonValue() },
  { weight: 1, arbitrary: huge },
  { weight: 1, arbitrary: deep },
  { weight: 1, arbitrary: wide },
  { weight: 2, arbitrary: protoKeyed },
);

// ------------------------------------------------------------------------------------------------
// The wire: how an input is put in a request — as our client does (superjson), and as an attacker might.
// ------------------------------------------------------------------------------------------------

const stringify = (v: unknown): string | undefined => {
  try {
    return JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? x.toString() : x));
  } catch {
    return undefined; // too deep for JSON.stringify: sent without an input
  }
};

/** superjson meta that lies about the json beside it. */
const JUNK_META = [
  { values: ['Date'] },
  { values: ['bigint'] },
  { values: ['set'] },
  { values: ['map'] },
  { values: ['regexp'] },
  { values: ['number'] },
  { values: ['class', 'Nope'] },
  { values: ['custom', 'Nope'] },
  { values: ['symbol', 'nope'] },
  { values: [['Date'], { x: ['map'] }] },
  { values: JSON.parse('{"__proto__": ["set"]}') },
  { values: { 'a.b.c': ['map'] } },
  { values: { '__proto__.polluted': ['Date'] } },
  { values: { 'constructor.prototype.polluted': ['set'] } },
  { referentialEqualities: { '': ['a'] } },
  { referentialEqualities: { a: ['__proto__'] } },
  { referentialEqualities: JSON.parse('{"__proto__": ["x"]}') },
  { values: { '': ['typed-array', 'Int8Array'] } },
  { values: { '': ['typed-array', 'Nope'] } },
  { values: { id: ['number'] } },
  null,
  'x',
  42,
  [],
  { v: 1 },
  { values: null },
  { values: 'Date' },
];

const deepJson = (n: number) => `{"json":${'['.repeat(n)}${']'.repeat(n)}}`;
const JUNK_TEXT = [
  '',
  '{',
  '}',
  '[',
  '{"json":',
  'undefined',
  'NaN',
  "{'json': 1}",
  '{"0":',
  '\uFEFF{}',
  '{"json": 1} trailing',
  '\u0000',
  'null',
  '"',
  '1e999999',
  '-',
  '{"json": {"id": "x"}, "meta": {"values": {"id": ["Date"]}}}',
  '{"json":1,"json":2}',
  deepJson(100_000),
  `{"json":${'{"a":'.repeat(50_000)}1${'}'.repeat(50_000)}}`,
];

type Encoding =
  | { kind: 'superjson' | 'jsonOnly' | 'plain' | 'none' }
  | { kind: 'badMeta'; meta: unknown }
  | { kind: 'text'; text: string }
  | { kind: 'bytes'; bytes: Uint8Array };

const encodingArb: fc.Arbitrary<Encoding> = fc.oneof(
  { weight: 10, arbitrary: fc.constant({ kind: 'superjson' as const }) },
  { weight: 3, arbitrary: fc.constant({ kind: 'jsonOnly' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'plain' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'none' as const }) },
  { weight: 1, arbitrary: fc.constantFrom(...JUNK_META).map((meta) => ({ kind: 'badMeta' as const, meta })) },
  {
    weight: 1,
    arbitrary: fc
      .oneof(fc.constantFrom(...JUNK_TEXT), fc.string({ unit: 'binary', maxLength: 60 }))
      .map((text) => ({ kind: 'text' as const, text })),
  },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 60 }).map((bytes) => ({ kind: 'bytes' as const, bytes })) },
);

/** The request body (or ?input=) for one input; undefined sends none. */
function encode(input: unknown, enc: Encoding): string | Uint8Array | undefined {
  switch (enc.kind) {
    case 'superjson':
      try {
        return JSON.stringify(superjson.serialize(input));
      } catch {
        return stringify({ json: input }); // superjson refuses it (a prototype key, too deep): send it bare
      }
    case 'jsonOnly':
      return stringify({ json: input });
    case 'plain':
      return stringify(input);
    case 'badMeta':
      return stringify({ json: input, meta: enc.meta });
    case 'text':
      return enc.text;
    case 'bytes':
      return enc.bytes;
    case 'none':
      return undefined;
  }
}

/** One item of a batch body, as an object (superjson's envelope, or the junk as it is). */
function batchItem(input: unknown, enc: Encoding): unknown {
  if (enc.kind === 'superjson') {
    try {
      return superjson.serialize(input);
    } catch {
      return { json: input };
    }
  }
  if (enc.kind === 'badMeta') return { json: input, meta: enc.meta };
  if (enc.kind === 'plain' || enc.kind === 'none') return input;
  return { json: input };
}

const contentTypeArb = fc.oneof(
  { weight: 12, arbitrary: fc.constant('application/json') },
  {
    weight: 5,
    arbitrary: fc.constantFrom(
      'Application/JSON; charset=utf-16le',
      null,
      'text/plain',
      'multipart/form-data; boundary=x',
      'application/octet-stream',
    ),
  },
);

type Wire = {
  method: 'GET' | 'POST';
  paths: string[];
  batch: boolean;
  payload: string | Uint8Array | undefined;
  contentType: string | null;
  headers?: Record<string, string>;
};

/**
 * A standard Request for the route handler; a GET whose URL cannot be sent (too long, not encodable) goes as
 * a POST.
 */
function requestFor(w: Wire): Request {
  const url = `${BASE}/${w.paths.join(',')}${w.batch ? '?batch=1' : ''}`;
  const headers: Record<string, string> = { ...w.headers };
  if (w.method === 'GET') {
    if (w.payload === undefined) return new Request(url, { headers });
    const text = typeof w.payload === 'string' ? w.payload : Buffer.from(w.payload).toString('latin1');
    let full: string | null = null;
    try {
      full = `${url}${w.batch ? '&' : '?'}input=${encodeURIComponent(text)}`;
    } catch {
      /* a lone surrogate: no URL can carry it */
    }
    if (full && full.length <= MAX_GET_URL) return new Request(full, { headers });
  }
  if (w.contentType) headers['content-type'] = w.contentType;
  return new Request(url, {
    method: 'POST',
    headers,
    body: w.payload === undefined ? undefined : (w.payload as BodyInit),
  });
}

function encodeURIComponentSafe(s: string) {
  try {
    return encodeURIComponent(s);
  } catch {
    return '%ED%A0%80'; // a lone surrogate, as the bytes a client could still send
  }
}

// ------------------------------------------------------------------------------------------------
// Calling the route, and what counts as a failure.
// ------------------------------------------------------------------------------------------------

/**
 * The errors the server logs while a request runs, as the Error objects themselves: the log line drops an error's
 * cause, and the cause (PostgreSQL's own message) is what says why. Its log lines are kept off the test output.
 */
const logged: { msg: string; err: unknown }[] = [];
const originalLog = { error: log.error, warn: log.warn };
log.error = (msg, f) => (logged.push({ msg, err: f?.err }), originalLog.error(msg, f));
log.warn = (msg, f) => (logged.push({ msg, err: f?.err }), originalLog.warn(msg, f));

async function quietly<T>(run: () => Promise<T>): Promise<T> {
  const original = process.stdout.write;
  process.stdout.write = function (chunk: unknown, ...rest: unknown[]) {
    if (String(chunk).startsWith('{"level"')) return true;
    return (original as (...a: unknown[]) => boolean).call(process.stdout, chunk, ...rest);
  } as typeof process.stdout.write;
  try {
    return await run();
  } finally {
    process.stdout.write = original;
  }
}

/** An error and its causes, one line each: "message [code]". */
function causes(err: unknown): string {
  const out: string[] = [];
  for (
    let e = err as { message?: string; code?: unknown; cause?: unknown } | undefined, n = 0;
    e && n < 6;
    e = e.cause as typeof e, n++
  ) {
    const message = String(e.message ?? e).split('\nparams:')[0]!;
    out.push(`${message.length > 300 ? `${message.slice(0, 300)}…` : message}${e.code ? ` [${String(e.code)}]` : ''}`);
  }
  return out.join('\n    ← ');
}

const stats = {
  requests: 0,
  byStatus: new Map<number, number>(),
  byProcedure: new Map<string, number>(),
  started: Date.now(),
};
const prototypeNames = () =>
  [Object.prototype, Array.prototype, Function.prototype, String.prototype].map((p) =>
    Object.getOwnPropertyNames(p).sort().join(),
  );
const pristine = prototypeNames();

/** Send one request through the route; throws (with the procedure, status, body and the server's error) on a 5xx. */
async function send(
  w: Wire,
  what: string,
  opts: { own5xxIsAnothers?: boolean } = {},
): Promise<{ status: number; body: string }> {
  const req = requestFor(w);
  logged.length = 0;
  const res = await quietly(async () => {
    const r = await (req.method === 'GET' ? GET : POST)(req);
    return { status: r.status, body: await r.text() };
  });
  stats.requests++;
  stats.byStatus.set(res.status, (stats.byStatus.get(res.status) ?? 0) + 1);
  for (const p of w.paths) stats.byProcedure.set(p, (stats.byProcedure.get(p) ?? 0) + 1);
  // A batch is answered 207 when its calls end differently: a 5xx inside it shows only in the body.
  const inner = /"httpStatus":(5\d\d)/.exec(res.body);
  if ((res.status >= 500 || inner) && !opts.own5xxIsAnothers) {
    const why =
      logged.map((l) => `  ${l.msg}: ${causes(l.err)}`).join('\n') ||
      '  (nothing logged: it failed before any procedure ran)';
    const answered = res.status < 500 ? ` (a call in the batch answered ${inner![1]})` : '';
    throw new Error(
      `${what}\n→ ${req.method} ${w.paths.join(',')}: HTTP ${res.status}${answered}\n` +
        `body: ${res.body.slice(0, 1_000)}\nserver:\n${why}`,
    );
  }
  if (prototypeNames().join('|') !== pristine.join('|'))
    throw new Error(`${what}\n→ a built-in prototype gained a property`);
  return res;
}

// ------------------------------------------------------------------------------------------------
// Well-formed inputs, per procedure, with edge values in every field.
// ------------------------------------------------------------------------------------------------

type Side = Church & {
  dbName: string;
  owner: SignedInClient;
  memberId: string;
  memberPhone: string;
  /** The text the owner sent the member (queued: no worker runs). */
  messageId: string;
  /** A member no generated input names (so always one who may be texted): the quiet-hours uses text them. */
  quietMemberId: string;
  branchId: string;
  number: string;
  conversationId: string;
  broadcastId: string;
  inviteId: string;
  inviteToken: string;
  keywordId: string;
  keyword: string;
  templateId: string;
  templateName: string;
  /** The connect card's address is /c/<slug>; `cardToken` is the form token of the card sent in at setup. */
  slug: string;
  cardToken: string;
  /** One custom field of each type (FIXTURE_FIELDS), the member with a value in each. */
  fields: { id: string; key: string; type: CustomFieldType; options: string[] }[];
  /** A segment whose conditions use the branch, a tag and two of the fields; a broadcast sent to it. */
  segmentId: string;
  segmentName: string;
  segmentFilter: Record<string, unknown>;
  segmentBroadcastId: string;
  /** A sequence the keyword starts (a date step merging a field), and the member's enrollment in it. */
  sequenceId: string;
  sequenceName: string;
  enrollmentId: string;
  /** A picture the owner uploaded (media.upload), which a text or broadcast may attach. */
  pictureId: string;
};

/** A 1×1 PNG: each church's picture. */
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
);

/** A church's own fields, one of each type, and the member's value in each (as the form writes it). */
const FIXTURE_FIELDS: { label: string; type: CustomFieldType; options?: string[]; value: string }[] = [
  { label: 'Ministry', type: 'text', value: 'Choir' },
  { label: 'Years attending', type: 'number', value: '12.5' },
  { label: 'Baptism date', type: 'date', value: '2024-03-31' },
  { label: 'Baptised', type: 'yes_no', value: 'yes' },
  { label: 'Shirt size', type: 'choice', options: ['S', 'M', 'L'], value: 'M' },
];

/**
 * `fields`: each field's values, drawn independently; `required`: the keys always there (all unless told); `tied`:
 * whole inputs whose fields depend on each other, which independent draws would seldom make.
 */
type Shape = { fields: Record<string, fc.Arbitrary<unknown>>; required?: string[]; tied?: fc.Arbitrary<unknown> };

/**
 * Timezones: canonical ones, the old aliases tzdata keeps (or dropped) for compatibility, and ones that are no zone
 * at all.
 */
const TIMEZONES = {
  canonical: Intl.supportedValuesOf('timeZone'),
  aliases: [
    'US/Pacific-New',
    'Canada/East-Saskatchewan',
    'SystemV/AST4',
    'SystemV/EST5EDT',
    'US/Samoa',
    'Asia/Calcutta',
    'EST5EDT',
    'Etc/GMT-14',
    'GMT0',
    'ROC',
    'Navajo',
    'europe/london',
  ],
  none: ['Factory', 'localtime', 'posixrules', 'Mars/Olympus', '+01:00', 'Z', 'UTC+1'],
};
const COUNTRIES = ['US', 'GB', 'CA', 'NG', 'IN', 'us', ' gb ', 'ZZ', 'XX', 'AA', 'QZ', 'U1', 'USA', ''];
const CURSOR_TIMES = [
  '0000-01-01T00:00:00.000000Z',
  '9999-12-31T23:59:59.999999Z',
  '1970-01-01T00:00:00.000000Z',
  '2024-02-29T23:59:59.999999Z',
  '2026-02-30T00:00:00.000000Z',
  '2030-01-01T00:00:00.000000Z',
];
const ODD_IDS = [
  '-'.repeat(36),
  'f'.repeat(36),
  '0'.repeat(36),
  '00000000-0000-0000-0000-000000000000',
  'ffffffff-ffff-ffff-ffff-ffffffffffff',
];

const DAY = 24 * 3600_000;

/** `secretKey`: the server's, which signs the connect card's form tokens. */
function shapesFor(a: Side, b: Side, secretKey: string): Record<string, Shape | null> {
  const B_IDS = [
    ...[b.tenantId, b.adminId, b.memberId, b.branchId, b.conversationId, b.broadcastId, b.inviteId, b.jobId],
    ...[b.keywordId, b.templateId, b.segmentId, b.segmentBroadcastId, ...b.fields.map((f) => f.id)],
    ...[b.sequenceId, b.enrollmentId, b.pictureId],
  ];
  /**
   * An id: mostly A's own (one of `mine`, so the handler goes past "not found"), B's (which must change nothing), or
   * none at all.
   */
  const idOf = (mine: string | string[] | null) => {
    const own = mine === null ? [] : [mine].flat();
    return fc.oneof(
      ...(own.length ? [{ weight: 4, arbitrary: fc.constantFrom(...own, ...own.map((id) => id.toUpperCase())) }] : []),
      { weight: 2, arbitrary: fc.constantFrom(...B_IDS) },
      { weight: 1, arbitrary: fc.uuid() },
      { weight: 1, arbitrary: fc.constantFrom(...ODD_IDS, `{${b.memberId}}`, b.memberId.replace(/-/g, '')) },
    );
  };
  const words = fc.constantFrom('Grace', 'Ann', 'Lee', 'St. Mary’s', 'North Campus', 'choir', 'Zoë', 'José María');
  const text = (max: number) =>
    fc.oneof(
      { weight: 3, arbitrary: words },
      { weight: 4, arbitrary: nastyString },
      { weight: 1, arbitrary: fc.constantFrom(max, max + 1).map((n) => 'x'.repeat(n)) },
      { weight: 2, arbitrary: fc.tuple(words, nastyString).map(([w, s]) => `${w}${s}`) },
    );
  const clearable = (max: number) => fc.oneof(text(max), fc.constantFrom(null, ''));
  const memberPhone = fc.oneof(
    { weight: 3, arbitrary: fc.integer({ min: 100, max: 199 }).map((n) => `(202) 555-0${n}`) },
    {
      weight: 2,
      arbitrary: fc.constantFrom(
        a.memberPhone,
        b.memberPhone,
        a.number,
        b.number,
        '+44 20 7946 0958',
        '911',
        '0',
        '+' + '9'.repeat(15),
        '２０２５５５０１４５',
        'tel:+12025550146',
        '+1-202-555-0147 ext. 5',
        '+1 202 555 0148\u0000',
      ),
    },
    { weight: 1, arbitrary: nastyString },
  );
  const emails = fc.oneof(
    { weight: 2, arbitrary: fc.integer({ min: 1, max: 1e9 }).map((n) => `person-${n}@example.org`) },
    {
      weight: 2,
      arbitrary: fc.constantFrom(
        a.email,
        b.email,
        b.email.toUpperCase(),
        ` ${b.email} `,
        'x@localhost',
        '"q"@example.org',
        'a+tag@example.org',
        'ü@exämple.org',
        'a@b',
        `${'a'.repeat(250)}@x.org`,
      ),
    },
    { weight: 1, arbitrary: nastyString },
  );
  const tz = fc.oneof(...Object.values(TIMEZONES).map((zones) => fc.constantFrom(...zones)), nastyString);
  const country = fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...COUNTRIES) },
    { weight: 1, arbitrary: nastyString },
  );
  const password = fc.oneof(fc.constant('correct horse battery'), text(130));
  const limit = (max: number) =>
    fc.oneof(
      { weight: 4, arbitrary: fc.integer({ min: 1, max }) },
      { weight: 1, arbitrary: fc.constantFrom(0, max + 1, 1.5, -1) },
    );
  const cursorOf = (...parts: fc.Arbitrary<unknown>[]) =>
    fc.tuple(...parts).map((key) => Buffer.from(JSON.stringify(key)).toString('base64url'));
  const cursorTime = fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...CURSOR_TIMES) },
    { weight: 1, arbitrary: nastyString },
  );
  const cursorId = fc.oneof(fc.constantFrom(a.memberId, a.conversationId, a.broadcastId, ...ODD_IDS), fc.uuid());
  /** A cursor as the server writes them (with edge values inside), or a tampered one. */
  const cursor = (wellFormed: fc.Arbitrary<string>) =>
    fc.oneof(
      { weight: 2, arbitrary: fc.constantFrom(null, undefined) },
      { weight: 5, arbitrary: wellFormed },
      { weight: 1, arbitrary: fc.constantFrom('', '!!!', 'e30', 'W10', 'bnVsbA', '%%%', 'W1tbW1td', '='.repeat(500)) },
      { weight: 1, arbitrary: cursorOf(fc.oneof(cursorTime, cursorId, fc.boolean(), nastyNumber)) },
    );
  // Custom fields: values as a form or CSV cell holds them, for the right type or not, and audience conditions.
  const fieldId = idOf(a.fields.map((f) => f.id));
  const VALUES_BY_TYPE: Record<CustomFieldType, string[]> = {
    text: ['Choir', 'choir', '%', '_', '\\', "O'Brien", ' x ', 'x'.repeat(500)],
    number: [
      '0',
      '-0',
      '12.5',
      '-1',
      '1,234.5',
      '999999999999.999999',
      '9999999999999',
      '1.1234567',
      '1e5',
      '0x10',
      '.5',
    ],
    date: [
      '2024-03-31',
      '2024-3-1',
      '2024-02-29',
      '2023-02-29',
      '1800-01-01',
      '1799-12-31',
      '9999-12-31',
      '0000-01-01',
    ],
    yes_no: ['yes', 'no', 'Y', 'n', 'TRUE', 'false', '1', '0', 'maybe'],
    choice: ['S', 'm', ' L ', 'XL', 's'],
  };
  const fieldValue = fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom('', ...Object.values(VALUES_BY_TYPE).flat()) },
    { weight: 2, arbitrary: text(500) },
    { weight: 1, arbitrary: fc.constantFrom('x'.repeat(501), ' '.repeat(20), '2024-03-31T00:00:00Z', 'NaN') },
  );
  const fieldValues = fc.oneof(
    { weight: 6, arbitrary: fc.dictionary(fieldId, fieldValue, { maxKeys: 6 }) },
    { weight: 1, arbitrary: fc.constantFrom({}, Object.fromEntries(a.fields.map((f) => [f.id, '']))) },
    {
      weight: 1,
      arbitrary: fc
        .uniqueArray(fc.uuid(), { minLength: 100, maxLength: 101 })
        .map((ids) => Object.fromEntries(ids.map((id) => [id, 'x']))),
    },
  );
  const day = fc.oneof(
    {
      weight: 3,
      arbitrary: fc
        .date({ min: new Date('1700-01-01'), max: new Date('9999-12-31'), noInvalidDate: true })
        .map((d) => d.toISOString().slice(0, 10)),
    },
    {
      weight: 3,
      arbitrary: fc.constantFrom<unknown>(
        ...['2024-03-31', ' 2024-3-1 ', '2024-02-29', '2023-02-29', '1800-01-01', '1799-12-31', '9999-12-31'],
        ...['0000-01-01', '2024-13-01', '2024-00-10', '31/03/2024', '2024-03-31T10:00', 'today', '', null],
      ),
    },
    { weight: 1, arbitrary: text(10) },
  );
  /** A condition as the builder makes it: one of A's fields, an operator its type offers, a value of its kind. */
  const fittingCondition = fc.constantFrom(...a.fields).chain((f) =>
    fc.record(
      {
        fieldId: fc.constant(f.id),
        op: fc.constantFrom(...OPS_BY_TYPE[f.type]),
        value: fc.oneof(fc.constantFrom(...VALUES_BY_TYPE[f.type]), fieldValue),
      },
      { requiredKeys: ['fieldId', 'op'] },
    ),
  );
  const anyCondition = fc.record(
    {
      fieldId,
      op: fc.oneof(
        { weight: 5, arbitrary: fc.constantFrom(...CONDITION_OPS) },
        { weight: 1, arbitrary: fc.constantFrom('IS', 'eq', '', '__proto__') },
      ),
      value: fieldValue,
    },
    { requiredKeys: ['fieldId', 'op'] },
  );
  const conditionTags = fc.oneof(
    { weight: 3, arbitrary: fc.array(fc.oneof(words, words, text(40)), { maxLength: 4 }) },
    { weight: 1, arbitrary: fc.constantFrom([''], [], ['x'.repeat(41)]) },
    {
      weight: 2,
      arbitrary: fc.constantFrom(
        a.segmentFilter.tagsAny as string[],
        ['guest', 'GUEST'],
        Array.from({ length: 33 }, (_, i) => `t${i}`),
      ),
    },
  );
  const audienceFilter = fc.record(
    {
      branchId: fc.oneof(idOf(a.branchId), fc.constantFrom('none', 'None', null)),
      tagsAny: conditionTags,
      tagsAll: conditionTags,
      tagsNone: conditionTags,
      firstVisitDays: fc.oneof(
        { weight: 3, arbitrary: fc.integer({ min: 1, max: 3660 }) },
        { weight: 1, arbitrary: fc.constantFrom(0, 1, 3660, 3661, -1, 1.5, null, 2 ** 31) },
      ),
      subscription: fc.constantFrom('subscribed', 'unsubscribed', 'not_opted_in', 'all', null),
      fields: fc.oneof(
        {
          weight: 6,
          arbitrary: fc.array(fc.oneof(fittingCondition, fittingCondition, anyCondition), { maxLength: 4 }),
        },
        { weight: 1, arbitrary: fc.array(fittingCondition, { minLength: 10, maxLength: 11 }) },
      ),
    },
    { requiredKeys: [] },
  );
  const audience = fc.oneof(
    { weight: 4, arbitrary: fc.record({ type: fc.constant('branch'), branchId: idOf(a.branchId) }) },
    { weight: 2, arbitrary: fc.record({ type: fc.constant('tag'), tag: text(60) }) },
    { weight: 2, arbitrary: fc.constant({ type: 'all' }) },
    { weight: 4, arbitrary: fc.record({ type: fc.constant('filter'), filter: audienceFilter }) },
    { weight: 2, arbitrary: fc.record({ type: fc.constant('segment'), segmentId: idOf(a.segmentId) }) },
    {
      weight: 1,
      arbitrary: fc.record({
        type: fc.oneof(fc.constantFrom('ALL', 'members', 'branch ', 'Segment', 'filters', '__proto__'), nastyString),
        branchId: idOf(a.branchId),
        tag: text(60),
        segmentId: idOf(a.segmentId),
        filter: audienceFilter,
      }),
    },
  );
  const when = fc.oneof(
    { weight: 4, arbitrary: fc.integer({ min: 2, max: 100_000 }).map((m) => new Date(Date.now() + m * 60_000)) },
    {
      weight: 2,
      arbitrary: fc.constantFrom<unknown>(
        null,
        undefined,
        new Date(8.64e15),
        new Date(-8.64e15),
        new Date(0),
        new Date(NaN),
        '2031-01-01',
        '+275760-09-13T00:00:00.000Z',
        'tomorrow',
        '',
        0,
        8.64e15,
        1e308,
        -1,
      ),
    },
  );
  /** A repeat's fields: real choices, the edges (day 31, midnight, a year out) and junk of every type. */
  const calendarDay = fc.oneof(
    fc.integer({ min: -3, max: 400 }).map(dayFrom),
    fc.constantFrom<unknown>('2027-02-30', '2027-13-01', '0000-01-01', '27-1-1', '', null, 20270101, 'tomorrow'),
  );
  const repeatFields = {
    frequency: fc.constantFrom<unknown>('weekly', 'monthly', 'daily', '', null, 1),
    weekdays: fc.oneof(
      fc.array(fc.constantFrom('MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'), { maxLength: 9 }),
      fc.constantFrom<unknown>(['XX'], 'SA', null, [1]),
    ),
    monthDay: fc.oneof(fc.integer({ min: -1, max: 33 }), fc.constantFrom<unknown>(null, 1.5, '15', NaN)),
    time: fc.constantFrom<unknown>('17:00', '00:00', '23:59', '24:00', '7:00', '17:60', '', null, 1700),
    startDate: calendarDay,
    endDate: calendarDay,
  };
  const repeatRequired = ['frequency', 'time', 'startDate', 'endDate'];
  const channelChoices = fc.record({
    inbound: fc.constantFrom<unknown>('off', 'all', 'assigned', 'mine', null),
    connectCard: fc.oneof(fc.boolean(), fc.constant<unknown>('yes')),
    sequenceReply: fc.boolean(),
  });
  /** A picture to attach: A's own (so the text or broadcast goes through with it), another id, or none. */
  const picture = fc.oneof(idOf(a.pictureId), fc.constant(null));
  const bodyText = fc.oneof(
    text(1600),
    fc.constantFrom('STOP', 'HELP', 'START', 'stop ', 'UNSUBSCRIBE', '😀'.repeat(100), 'x'.repeat(1600)),
    // Keywords: A's own (so its reply and tags are applied), B's (which must do nothing in A), and created ones.
    fc.constantFrom(a.keyword, ` ${a.keyword.toLowerCase()}! `, b.keyword, 'JOIN', 'join.', 'Easter2027'),
  );
  const keywordWord = fc.oneof(
    { weight: 3, arbitrary: fc.stringMatching(/^[A-Za-z0-9]{2,20}$/) },
    {
      weight: 3,
      arbitrary: fc.constantFrom(
        'JOIN',
        ' join! ',
        '¡Join!',
        '"JOIN"',
        '#join',
        '...join...',
        'Easter2027',
        a.keyword,
        a.keyword.toLowerCase(),
        b.keyword, // another church's word is free here
        'x'.repeat(20),
        'x'.repeat(21),
        '!'.repeat(39) + 'x',
        'x'.repeat(41),
        'a',
        '22',
        'two words',
        'JO-IN',
        'JOIN\u0000',
        '\u200BJOIN',
        'JOIN\u200B',
      ),
    },
    {
      weight: 2,
      arbitrary: fc.constantFrom(
        'STOP',
        'stop',
        'Stop!',
        ' STOP ',
        'START',
        'HELP',
        'UNSUBSCRIBE',
        'YES',
        'INFO',
        'unstop',
        'CANCEL',
        'END',
        'QUIT',
        'STOPALL',
        'ＳＴＯＰ',
        'ſtop',
      ),
    },
    {
      weight: 2,
      arbitrary: fc.constantFrom(
        'Zoë',
        'ÉGLISE',
        'straße',
        'ß',
        'İı',
        'ǅ',
        'مرحبا',
        'שלום',
        '教会',
        '٣٤',
        '𝕳𝖊𝖑𝖑𝖔',
        'Z\u0324\u0354ä\u0308',
        '😀😀',
        'JOIN😀',
        '😀JOIN😀',
        '\u202EJOIN',
        '١٢',
      ),
    },
    { weight: 2, arbitrary: text(40) },
  );
  const mergeField = fc
    .tuple(
      fc.constantFrom(
        'first_name',
        'FIRST_NAME',
        ' last_name ',
        'church_name',
        'branch_name',
        'frist_name',
        'email',
        'phone',
        '__proto__',
        'constructor',
        'toString',
        '_',
        'a'.repeat(200),
        // A's own fields by key (merged with each member's value), and one A does not have.
        ...a.fields.map((f) => f.key),
        'BAPTISM_DATE',
        'baptism_dates',
      ),
      fc.option(fc.oneof(words, nastyString, fc.constantFrom('', ' ', '|', '}', '{', '{first_name}')), { nil: null }),
    )
    .map(([name, fallback]) => `{${name}${fallback === null ? '' : `|${fallback}`}}`);
  const keywordReply = fc.oneof(
    { weight: 3, arbitrary: text(640) },
    {
      weight: 3,
      arbitrary: fc
        .array(fc.oneof(words, mergeField, nastyString, fc.constantFrom(' ', ', ', '!', '{', '}', '{}', '{ }')), {
          minLength: 1,
          maxLength: 6,
        })
        .map((parts) => parts.join('')),
    },
    {
      weight: 2,
      arbitrary: fc.constantFrom(
        'Welcome, {first_name|friend}!',
        'Hi {FIRST_NAME} from {church_name} ({branch_name|all campuses}) {last_name|}',
        '{ first_name | }',
        '{{first_name}}',
        '{first_name|{friend}}',
        '{first-name}',
        '{1st}',
        `{first_name|${'x'.repeat(600)}}`,
        ' '.repeat(20),
        ` ${'x'.repeat(640)} `,
        'x'.repeat(641),
        '😀'.repeat(320),
        '😀'.repeat(321),
      ),
    },
  );
  const keywordTags = fc.oneof(
    { weight: 3, arbitrary: fc.array(text(40), { maxLength: 32 }) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        [],
        ['choir', 'CHOIR', ' choir '],
        [`${a.keyword.toLowerCase()}-tag`, 'alpha-tag'],
        ['x'.repeat(40), 'x'.repeat(41)],
        Array.from({ length: 33 }, (_, i) => `t${i}`),
        ['', ' '],
      ),
    },
  );
  const templateName = fc.oneof(
    { weight: 3, arbitrary: text(60) },
    {
      weight: 2,
      arbitrary: fc.constantFrom(
        'Welcome',
        a.templateName,
        a.templateName.toUpperCase(), // the same name to A, whatever its case
        ` ${a.templateName} `,
        b.templateName, // another church's name is free here
        'x'.repeat(60),
        'x'.repeat(61),
        ` ${'x'.repeat(60)} `,
        '😀'.repeat(30),
        '😀'.repeat(31),
        'Welcome\u0000',
        '\u200BWelcome',
      ),
    },
  );
  // Merge fields, as keyword replies hold them, or any text a message may be.
  const templateBody = fc.oneof(keywordReply, bodyText, fc.constantFrom(` ${'x'.repeat(1600)} `, 'x'.repeat(1601)));
  const csvCell = fc.oneof(
    text(60),
    memberPhone,
    emails,
    fc.constantFrom('yes', 'no', 'not opted in', 'maybe', 'Alpha North', 'choir;youth', '"', '""'),
  );
  const csv = fc.oneof(
    {
      weight: 5,
      arbitrary: fc
        .tuple(
          fc.constantFrom(
            'first_name,last_name,phone,email,branch,tags,notes,subscribed',
            'Name;Mobile;Groups',
            'first\tphone\ttags',
            'phone,first name',
            'name,phone',
            'phone',
            '',
          ),
          fc.array(fc.array(csvCell, { minLength: 1, maxLength: 8 }), { minLength: 1, maxLength: 12 }),
        )
        .map(([header, rows]) =>
          [
            header,
            ...rows.map((r) =>
              r.map((c) => (/[",\n;\t]/.test(String(c)) ? `"${String(c).replace(/"/g, '""')}"` : String(c))).join(','),
            ),
          ].join('\n'),
        ),
    },
    {
      weight: 1,
      arbitrary: fc.constantFrom(20_000, 20_001).map((n) => `first_name,phone\n${'Ann,(202) 555-0100\n'.repeat(n)}`),
    },
    { weight: 1, arbitrary: text(100) },
  );
  const ticket = fc.oneof(
    fc.constantFrom(a.ticket, b.jobId, b.tenantId, b.inviteId, 'x'.repeat(20), 'x'.repeat(100)),
    fc.string({ minLength: 20, maxLength: 100 }),
  );
  // A member's fields, as create and update take them.
  const memberFields = {
    firstName: text(100),
    lastName: text(100),
    phone: memberPhone,
    email: fc.oneof(emails, fc.constantFrom(null, '')),
    branchId: fc.oneof(idOf(a.branchId), fc.constant(null)),
    tags: fc.array(text(40), { maxLength: 32 }),
    notes: clearable(5_000),
    subscription: fc.constantFrom('subscribed', 'unsubscribed', 'not_opted_in'),
    consentNote: text(200),
    fields: fieldValues,
    firstVisitOn: day,
  };
  const role = fc.constantFrom('owner', 'admin', 'staff', 'Owner', 'superuser');
  // A custom field's definition: its label becomes its merge-field key (a built-in's is refused, a taken one too).
  const fieldLabel = fc.oneof(
    { weight: 3, arbitrary: text(60) },
    {
      weight: 2,
      arbitrary: fc.constantFrom(
        ...['Baptism date', 'baptism DATE', 'Baptism-date!', 'First name', 'first_name', 'Phone', 'Subscribed'],
        ...['Église', 'İstanbul', '2024 goals', '_x_', '😀 Joy', 'ß'.repeat(30), `${'a'.repeat(45)} b`],
        ...['x'.repeat(60), 'x'.repeat(61), ` ${'x'.repeat(60)} `, '😀'.repeat(30) + 'a', '\u200Bname'],
      ),
    },
  );
  const fieldType = fc.oneof(
    { weight: 5, arbitrary: fc.constantFrom(...CUSTOM_FIELD_TYPES) },
    { weight: 1, arbitrary: fc.constantFrom('Text', 'boolean', 'date ', '', 'yes/no') },
  );
  const fieldOptions = fc.oneof(
    { weight: 3, arbitrary: fc.array(text(60), { maxLength: 6 }) },
    {
      weight: 2,
      arbitrary: fc.constantFrom(
        ['S', 'M', 'L'],
        ['S', 'M', 'L', 'XL'],
        ['S', 'L'], // drops M, which the member has
        ['s', 'm', 'l'],
        ['S', 's', ' S ', 'M'],
        ['only'],
        [],
        ['', ' ', 'x'],
        ['x'.repeat(60), 'x'.repeat(61)],
        Array.from({ length: 50 }, (_, i) => `c${i}`),
        Array.from({ length: 51 }, (_, i) => `c${i}`),
      ),
    },
  );
  const segmentName = fc.oneof(
    { weight: 3, arbitrary: text(80) },
    {
      weight: 2,
      arbitrary: fc.constantFrom(
        ...[a.segmentName, a.segmentName.toUpperCase(), ` ${a.segmentName} `, b.segmentName, 'Youth'],
        ...['x'.repeat(80), 'x'.repeat(81), '😀'.repeat(40), ' ', ''],
      ),
    },
  );
  // The connect card. Its church is the one its slug names: mostly A's, now and then B's or none.
  const cardSlug = fc.oneof(
    { weight: 6, arbitrary: fc.constant(a.slug) },
    { weight: 1, arbitrary: fc.constant(b.slug) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(a.slug.toUpperCase(), ` ${a.slug}`, `${a.slug}/`, 'nope', '', 'x'.repeat(101)),
    },
    { weight: 1, arbitrary: nastyString },
  );
  const tokenFor = (slug: string, at: number) => issueFormToken(secretKey, slug, at);
  // Tokens as the page issues them: A's, opened long enough ago (so the card goes through), a moment ago (too quick)
  // or days ago, or already used (the card sent at setup: a double send, counted once). B's are only ever too quick
  // or expired: sending B's card is open to anyone, and a token that works there would change B.
  const formToken = fc.oneof(
    {
      weight: 4,
      arbitrary: fc.integer({ min: 3_000, max: DAY - 60_000 }).map((ago) => tokenFor(a.slug, Date.now() - ago)),
    },
    {
      weight: 2,
      arbitrary: fc.constantFrom(
        a.cardToken,
        tokenFor(a.slug, Date.now() + DAY),
        tokenFor(a.slug, Date.now() - 2 * DAY),
        tokenFor(b.slug, Date.now() + DAY),
        tokenFor(b.slug, Date.now() - 2 * DAY),
        tokenFor(a.slug, Date.now() - 5_000).replace(/.$/, (c) => (c === 'A' ? 'B' : 'A')), // tampered
        tokenFor(a.slug.toUpperCase(), Date.now() - 5_000),
        `${Date.now() - 5_000}..`,
        'x'.repeat(300),
        'x'.repeat(301),
        '',
      ),
    },
    { weight: 1, arbitrary: text(300) },
  );
  /** Minutes after midnight: any of the day's, its first and last, and just past either end (or not whole). */
  const minute = fc.oneof(
    { weight: 3, arbitrary: fc.integer({ min: 0, max: 24 * 60 - 1 }) },
    { weight: 3, arbitrary: fc.constantFrom(0, 1, 480, 1260, 1438, 1439) },
    { weight: 2, arbitrary: fc.constantFrom(1440, -1, 1.5, 1438.5, -0, -1440, 2 ** 31, 1e308, NaN, Infinity) },
  );
  const privacyUrl = fc.oneof(
    {
      weight: 3,
      arbitrary: fc.constantFrom(
        '',
        'https://grace.church/privacy',
        ' https://grace.church/privacy ',
        'http://localhost:3000/x',
        `https://example.org/${'a'.repeat(480)}`,
        `https://example.org/${'a'.repeat(481)}`,
        'grace.church/privacy',
        '//evil.example',
        'javascript:alert(1)',
        'data:text/html,<script>alert(1)</script>',
        'mailto:office@example.org',
      ),
    },
    { weight: 1, arbitrary: text(500) },
  );

  // A sequence: its name, what starts it, its steps (a wait in hours or days, maybe at a time of day, and a text).
  const sequenceName = fc.oneof(
    { weight: 3, arbitrary: text(80) },
    {
      weight: 2,
      arbitrary: fc.constantFrom(
        ...[a.sequenceName, a.sequenceName.toUpperCase(), ` ${a.sequenceName} `, b.sequenceName, 'Welcome'],
        ...['x'.repeat(80), 'x'.repeat(81), '😀'.repeat(40), ' ', ''],
      ),
    },
  );
  const trigger = fc.oneof(
    fc.record({ kind: fc.constant('keyword'), keywordId: idOf(a.keywordId) }),
    fc.record({ kind: fc.constant('connect_card'), firstVisitOnly: fc.boolean() }),
    fc.record({ kind: fc.constant('tag'), tag: fc.oneof(text(40), fc.constantFrom('alpha-tag', 'x'.repeat(41))) }),
    fc.record({ kind: fc.constant('date'), fieldId, atMinute: minute }),
    fc.constant({ kind: 'manual' }),
    fc.record(
      {
        kind: fc.oneof(fc.constantFrom('KEYWORD', 'birthday', 'Manual', '', '__proto__'), nastyString),
        keywordId: idOf(a.keywordId),
        tag: text(40),
        fieldId,
        atMinute: minute,
        firstVisitOnly: fc.boolean(),
      },
      { requiredKeys: ['kind'] },
    ),
  );
  const sequenceStep = fc.record(
    {
      wait: fc.oneof(
        { weight: 3, arbitrary: fc.integer({ min: 0, max: 400 }) },
        { weight: 1, arbitrary: fc.constantFrom(-1, 1.5, 365, 366, 8760, 8761, 2 ** 31, NaN, Infinity) },
      ),
      unit: fc.constantFrom('hours', 'days', 'weeks', 'Days', ''),
      atMinute: fc.oneof(minute, fc.constantFrom(null, undefined)),
      body: templateBody,
    },
    { requiredKeys: ['wait', 'unit', 'body'] },
  );
  const sequenceSteps = fc.oneof(
    { weight: 5, arbitrary: fc.array(sequenceStep, { minLength: 1, maxLength: 3 }) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        [],
        Array.from({ length: 10 }, (_, i) => ({ wait: i, unit: 'days', atMinute: 540, body: `Step ${i}` })),
        Array.from({ length: 11 }, (_, i) => ({ wait: i, unit: 'hours', body: `Step ${i}` })),
      ),
    },
  );
  const sequenceFields = {
    name: sequenceName,
    trigger,
    steps: sequenceSteps,
    stopOnReply: fc.boolean(),
    reenroll: fc.boolean(),
  };

  return {
    'onboarding.signup': {
      fields: {
        churchName: fc.oneof(text(400), fc.constantFrom('https://evil.example', 'Grace grace.church', 'a'.repeat(400))),
        timezone: tz,
        size: fc.constantFrom('under-100', '2000-plus', 'huge'),
        adminName: text(120),
        email: emails,
        password,
      },
      required: ['churchName', 'timezone', 'adminName', 'email', 'password'],
    },
    'onboarding.status': { fields: { ticket } },
    'onboarding.retry': { fields: { ticket } },
    'church.profile': null,
    'church.updateProfile': {
      fields: {
        churchName: text(400),
        timezone: tz,
        country,
        contactPhone: fc.oneof(memberPhone, fc.constantFrom(null, '')),
        contactEmail: fc.oneof(emails, fc.constantFrom(null, '')),
      },
      required: ['churchName', 'timezone', 'country'],
    },
    'church.admins': null,
    'church.quietHours': null,
    'church.updateQuietHours': {
      fields: { enabled: fc.boolean(), startMinute: minute, endMinute: minute },
      // Starting and ending at the same minute: refused while on, accepted while off.
      tied: fc.record({ enabled: fc.boolean(), at: minute }).map(({ enabled, at }) => ({
        enabled,
        startMinute: at,
        endMinute: at,
      })),
    },
    'account.me': null,
    'account.changePassword': {
      fields: { currentPassword: fc.oneof(fc.constant('wrong password'), text(128)), newPassword: password },
    },
    'account.signOutEverywhere': null,
    'account.setMobile': { fields: { phone: fc.oneof(memberPhone, fc.constant(''), text(60)) } },
    'emailVerification.verify': { fields: { token: ticket } },
    'emailVerification.resend': null,
    'passwordReset.request': { fields: { email: emails } },
    'passwordReset.check': { fields: { token: ticket } },
    'passwordReset.complete': { fields: { token: ticket, password } },
    'twoFactor.status': null,
    'twoFactor.begin': null,
    'twoFactor.confirm': { fields: { code: text(40) } },
    'twoFactor.disable': { fields: { password } },
    'twoFactor.newRecoveryCodes': { fields: { password } },
    'twoFactor.requireForTeam': { fields: { required: fc.boolean() } },
    'team.list': null,
    'team.invite': { fields: { email: emails, role } },
    'team.revokeInvite': { fields: { id: idOf(null) } },
    'team.changeRole': { fields: { adminId: fc.oneof(idOf(null), fc.constant(a.adminId)), role } },
    'team.remove': { fields: { adminId: fc.oneof(idOf(null), fc.constant(a.adminId)) } },
    // B's invitation token is B's secret (whoever holds it may join B): only guesses at it are made.
    'team.invitation': { fields: { token: fc.oneof(ticket, fc.constant(a.inviteToken)) } },
    'team.accept': { fields: { token: fc.oneof(ticket, fc.constant(a.inviteToken)), name: text(120), password } },
    'members.list': {
      fields: {
        search: text(100),
        branchId: fc.oneof(idOf(a.branchId), fc.constantFrom('none', 'None')),
        tag: text(40),
        subscription: fc.constantFrom('subscribed', 'unsubscribed', 'not_opted_in', 'all'),
        segmentId: idOf(a.segmentId),
        cursor: cursor(cursorOf(fc.oneof(text(20), cursorTime), fc.oneof(text(20), cursorTime), cursorId)),
        limit: limit(200),
      },
      required: [],
    },
    'members.get': { fields: { id: idOf(a.memberId) } },
    'members.profile': { fields: { id: idOf(a.memberId) } },
    'members.create': { fields: memberFields, required: ['firstName', 'phone'] },
    'members.update': { fields: { id: idOf(a.memberId), ...memberFields }, required: ['id'] },
    'members.consentLog': { fields: { id: idOf(a.memberId) } },
    // Deleting (and releasing, below) is tried on what is not A's fixtures: the rest of the run needs them.
    'members.delete': { fields: { id: idOf(null) } },
    'members.export': null,
    'members.tags': null,
    'members.importPreview': { fields: { csv } },
    'members.import': { fields: { csv } },
    'branches.list': null,
    'branches.create': { fields: { name: text(100), address: clearable(300), timezone: tz }, required: ['name'] },
    'branches.update': {
      fields: { id: idOf(a.branchId), name: text(100), address: clearable(300), timezone: tz },
      required: ['id'],
    },
    'branches.delete': { fields: { id: idOf(null) } },
    'conversations.list': {
      fields: {
        cursor: cursor(cursorOf(fc.boolean(), cursorTime, cursorId)),
        limit: limit(100),
        unreadOnly: fc.boolean(),
        assigned: fc.constantFrom('all', 'mine', 'unassigned'),
        state: fc.constantFrom('open', 'closed'),
      },
      required: [],
    },
    'conversations.get': {
      fields: { id: idOf(a.conversationId), before: cursor(cursorOf(cursorTime, cursorId)), limit: limit(200) },
      required: ['id'],
    },
    'conversations.assign': {
      fields: { id: idOf(a.conversationId), adminId: fc.oneof(idOf(a.adminId), fc.constant(null)) },
    },
    'conversations.forMember': { fields: { memberId: idOf(a.memberId) } },
    'conversations.markRead': { fields: { id: idOf(a.conversationId) } },
    'conversations.markUnread': { fields: { id: idOf(a.conversationId) } },
    'conversations.setClosed': { fields: { id: idOf(a.conversationId), closed: fc.boolean() } },
    'conversations.addNote': { fields: { id: idOf(a.conversationId), body: bodyText } },
    'conversations.deleteNote': { fields: { id: idOf(null) } },
    'conversations.search': {
      fields: {
        query: fc.string({ maxLength: 120 }),
        cursor: cursor(cursorOf(cursorTime, cursorId)),
        limit: limit(100),
      },
      required: ['query'],
    },
    'messages.send': {
      fields: { memberId: idOf(a.memberId), body: bodyText, mediaId: picture, duringQuietHours: fc.boolean() },
      required: ['memberId', 'body'],
    },
    // The picture is the raw request body (application/octet-stream), not JSON: everything here is junk to it, and
    // the content types drawn include octet-stream, so junk bytes reach the upload's own checks too.
    'media.upload': null,
    'messages.simulateReply': { fields: { conversationId: idOf(a.conversationId), body: bodyText } },
    'messages.retry': { fields: { id: idOf(a.messageId), duringQuietHours: fc.boolean() }, required: ['id'] },
    'broadcasts.list': { fields: { cursor: cursor(cursorOf(cursorTime, cursorId)), limit: limit(100) }, required: [] },
    'activity.list': {
      fields: {
        group: fc.constantFrom(...ACTIVITY_GROUPS),
        person: idOf(a.adminId),
        cursor: cursor(cursorOf(cursorTime, cursorId)),
        limit: limit(100),
      },
      required: [],
    },
    'broadcasts.get': { fields: { id: idOf(a.broadcastId) } },
    'broadcasts.preview': {
      fields: { audience, body: bodyText, picture: fc.boolean(), scheduledAt: when },
      required: ['audience'],
    },
    'broadcasts.create': {
      fields: { body: bodyText, mediaId: picture, audience, scheduledAt: when },
      required: ['body', 'audience'],
    },
    'broadcasts.cancel': { fields: { id: idOf(null) } },
    'broadcasts.series': null,
    'broadcasts.previewSeries': { fields: repeatFields, required: repeatRequired },
    'broadcasts.createSeries': {
      fields: { body: bodyText, mediaId: picture, audience, ...repeatFields },
      required: ['body', 'audience', ...repeatRequired],
    },
    'broadcasts.skipOccurrence': { fields: { seriesId: idOf(null), at: when } },
    'broadcasts.unskipOccurrence': { fields: { seriesId: idOf(null), at: when } },
    'broadcasts.stopSeries': { fields: { id: idOf(null) } },
    'notifications.get': null,
    'notifications.update': {
      fields: { email: channelChoices, push: channelChoices, digestMinute: fc.oneof(fc.constant(null), minute) },
    },
    'notifications.subscribePush': {
      fields: {
        endpoint: fc.oneof(text(2048), fc.constant('https://fcm.googleapis.com/fcm/send/x')),
        keys: fc.record({ p256dh: text(100), auth: text(30) }),
      },
    },
    'notifications.unsubscribePush': { fields: { endpoint: text(2048) } },
    'phoneNumbers.list': null,
    'phoneNumbers.search': {
      fields: {
        areaCode: fc.oneof(fc.constantFrom('615', '202', '800', '011'), fc.string({ maxLength: 5 })),
        city: text(80),
        state: fc.oneof(fc.constantFrom('TN', 'tx', 'ZZ'), fc.string({ maxLength: 3 })),
        tollFree: fc.boolean(),
      },
      required: [],
    },
    // A holds its one number (the default limit), so its orders are refused; B's number is never A's to buy.
    'phoneNumbers.order': {
      fields: {
        phoneNumber: fc.oneof(
          fc.integer({ min: 0, max: 99 }).map((n) => `+161555501${String(n).padStart(2, '0')}`),
          fc.constantFrom(b.number, '+15555550100', '+1 202 555 0123'),
          memberPhone,
        ),
      },
    },
    'registration.get': null,
    // A registered its number in setUp: a good form is a CONFLICT, anything else a BAD_REQUEST; never B's.
    'registration.submit': {
      fields: {
        kind: fc.oneof(fc.constantFrom('10dlc', 'toll_free'), text(12)),
        details: fc.oneof(
          fc.constant(registrationForm()),
          fc
            .record(
              {
                legalName: text(300),
                ein: fc.oneof(fc.constantFrom('12-3456789', '123', '12 345 6789'), text(12)),
                state: fc.oneof(fc.constantFrom('TN', 'tn', 'ZZ'), text(3)),
                postalCode: fc.oneof(fc.constantFrom('37203', '37203-1234', '3720'), text(12)),
                website: fc.oneof(fc.constantFrom('example.org', 'https://x', 'javascript:alert(1)'), text(300)),
                contactPhone: fc.oneof(fc.constantFrom('(615) 555-0142', '+44 20 7946 0958'), text(20)),
                samples: fc.array(text(1100), { maxLength: 6 }),
                useCase: fc.oneof(fc.constantFrom('MIXED', 'CHARITY', 'MARKETING'), text(10)),
                optoutKeywords: fc.oneof(fc.constantFrom('STOP', 'END', 'stop, quit'), text(260)),
              },
              { requiredKeys: [] },
            )
            .map((junk) => ({ ...registrationForm(), ...junk })),
        ),
      },
    },
    'phoneNumbers.release': {
      fields: {
        number: fc.oneof(
          fc.constantFrom(b.number, b.number.slice(2), '+1 (202) 555-0123'),
          memberPhone.filter((p) => p.replace(/\D/g, '').slice(-10) !== a.number.slice(-10)),
        ),
        confirmation: fc.oneof(fc.constantFrom(b.number, a.number.slice(2)), text(32)),
      },
    },
    'keywords.list': null,
    'keywords.create': {
      fields: { keyword: keywordWord, reply: keywordReply, addTags: keywordTags },
      required: ['keyword', 'reply'],
    },
    'keywords.update': {
      fields: { id: idOf(a.keywordId), keyword: keywordWord, reply: keywordReply, addTags: keywordTags },
      required: ['id'],
    },
    // Like the other deletes: never A's fixture, which the rest of the run reads.
    'keywords.delete': { fields: { id: idOf(null) } },
    'keywords.stats': { fields: { id: idOf(a.keywordId) } },
    'templates.list': null,
    'templates.create': { fields: { name: templateName, body: templateBody } },
    'templates.update': {
      fields: { id: idOf(a.templateId), name: templateName, body: templateBody },
      required: ['id'],
    },
    // Like the other deletes: never A's fixture, which the rest of the run reads.
    'templates.delete': { fields: { id: idOf(null) } },
    'connectCard.get': null,
    'connectCard.qrPng': null,
    'connectCard.weeks': null,
    'connectCard.update': {
      fields: {
        enabled: fc.boolean(),
        welcomeText: fc.oneof(keywordReply, fc.constant('')),
        tags: keywordTags,
        firstVisitTag: fc.oneof(text(40), fc.constantFrom('', 'first-time guest', ` ${'x'.repeat(40)} `)),
        prayerField: fc.boolean(),
        privacyUrl,
      },
      required: [],
    },
    'connectCard.submit': {
      fields: {
        slug: cardSlug,
        firstName: text(100),
        lastName: text(100),
        phone: memberPhone,
        email: fc.oneof(emails, fc.constantFrom(null, '')),
        firstVisit: fc.constantFrom('yes', 'no', 'YES', 'maybe', ''),
        prayer: text(2_000),
        consent: fc.boolean(),
        // The hidden field: left empty by people, filled in by bots (who are thanked, and nothing is kept).
        website: fc.oneof({ weight: 4, arbitrary: fc.constant('') }, { weight: 1, arbitrary: text(500) }),
        token: formToken,
      },
      required: ['slug', 'firstName', 'lastName', 'phone', 'firstVisit', 'consent', 'token'],
    },
    'customFields.list': null,
    'customFields.create': {
      fields: { label: fieldLabel, type: fieldType, options: fieldOptions },
      required: ['label', 'type'],
      // A choice field, which needs its list.
      tied: fc.record({ label: fieldLabel, type: fc.constant('choice'), options: fieldOptions }),
    },
    'customFields.update': {
      fields: { id: fieldId, label: fieldLabel, options: fieldOptions },
      required: ['id'],
    },
    // A's fixtures too: a used one is refused (a segment's condition, a broadcast's merge field); an unused one goes
    // and afterCall puts it back.
    'customFields.delete': { fields: { id: fieldId } },
    'segments.list': null,
    'segments.count': { fields: { filter: audienceFilter } },
    'segments.create': { fields: { name: segmentName, filter: audienceFilter } },
    'segments.update': {
      fields: { id: idOf(a.segmentId), name: segmentName, filter: audienceFilter },
      required: ['id'],
    },
    // Like the other deletes: never A's fixture, which the rest of the run reads.
    'segments.delete': { fields: { id: idOf(null) } },
    'dashboard.summary': null,
    'billing.status': null,
    'billing.plan': null,
    'billing.allowance': null,
    'billing.checkout': null,
    'billing.portal': null,
    'sequences.list': null,
    'sequences.get': { fields: { id: idOf(a.sequenceId) } },
    'sequences.forMember': { fields: { memberId: idOf(a.memberId) } },
    'sequences.create': { fields: sequenceFields, required: ['name', 'trigger', 'steps'] },
    'sequences.update': {
      fields: { id: idOf(a.sequenceId), ...sequenceFields },
      required: ['id', 'name', 'trigger', 'steps'],
    },
    'sequences.setPaused': { fields: { id: idOf(a.sequenceId), paused: fc.boolean() } },
    // Like the other deletes: never A's fixture, which the rest of the run reads.
    'sequences.delete': { fields: { id: idOf(null) } },
    'sequences.enroll': {
      fields: {
        id: idOf(a.sequenceId),
        who: fc.oneof(
          fc.record({
            type: fc.constant('members'),
            memberIds: fc.oneof(
              fc.array(idOf(a.memberId), { maxLength: 3 }),
              fc.constantFrom(Array.from({ length: 501 }, () => a.memberId)),
            ),
          }),
          fc.record({ type: fc.constant('audience'), audience }),
          fc.record({ type: fc.constantFrom('Members', 'all', ''), memberIds: fc.array(idOf(a.memberId)), audience }),
        ),
      },
    },
    'sequences.remove': { fields: { enrollmentId: idOf(a.enrollmentId) } },
  };
}

/** A shape's well-formed inputs; a record with one field (or a prototype key) turned to junk; or junk outright. */
function inputArb(shape: Shape | null): fc.Arbitrary<unknown> {
  if (!shape) return fc.oneof({ weight: 1, arbitrary: fc.constant(undefined) }, { weight: 3, arbitrary: junk });
  const keys = Object.keys(shape.fields);
  const wellFormed = fc.record(shape.fields, { requiredKeys: shape.required ?? keys }) as fc.Arbitrary<
    Record<string, unknown>
  >;
  const oneFieldJunk = fc
    .record({
      base: wellFormed,
      key: fc.constantFrom(...keys, ...keys, '__proto__', 'constructor', 'tenantId'),
      value: junk,
    })
    .map(({ base, key, value }) =>
      // defineProperty: an own "__proto__" key, as JSON.parse would make it (assignment would set the prototype).
      Object.defineProperty({ ...base }, key, { value, enumerable: true, writable: true, configurable: true }),
    );
  return fc.oneof(
    { weight: 5, arbitrary: shape.tied ? fc.oneof(wellFormed, shape.tied) : wellFormed },
    { weight: 3, arbitrary: oneFieldJunk },
    { weight: 2, arbitrary: junk },
  );
}

// ------------------------------------------------------------------------------------------------

describe('property: junk through the tRPC route never gets a 5xx and never changes another church', () => {
  let reg: TestRegistry;
  let a: Side;
  let b: Side;
  let c: Side;
  let aCookie: string;
  let aDb: postgres.Sql;
  let cookieName: string;
  let shapes: Record<string, Shape | null>;
  const profiles = new Map<string, Record<string, unknown>>();
  let baseline: Awaited<ReturnType<typeof snapshotOfB>>;
  const holder = globalThis as unknown as { __steeple?: Services };
  let previousServices: Services | undefined;
  let mediaDir: string;

  async function setUp(name: string, memberPhone: string, number: string): Promise<Side> {
    const { tag, church, owner } = await namedChurch(reg.services, name);
    const branch = await owner.caller.branches.create({ name: `${name.split(' ')[0]} North` });
    const fields: Side['fields'] = [];
    for (const { value: _, ...f } of FIXTURE_FIELDS) fields.push(await owner.caller.customFields.create(f));
    const member = await owner.caller.members.create({
      firstName: tag,
      phone: memberPhone,
      branchId: branch.id,
      tags: [`${tag}-tag`],
      fields: Object.fromEntries(fields.map((f, i) => [f.id, FIXTURE_FIELDS[i]!.value])),
      firstVisitOn: '2024-03-31',
    });
    const byType = (type: CustomFieldType) => fields.find((f) => f.type === type)!.id;
    const segmentFilter = {
      ...{ branchId: branch.id, tagsAny: [`${tag}-tag`], firstVisitDays: 3660 },
      fields: [
        { fieldId: byType('yes_no'), op: 'is' as const, value: 'yes' },
        { fieldId: byType('date'), op: 'after' as const, value: '2020-01-01' },
      ],
    };
    const segment = await owner.caller.segments.create({ name: `${tag} parents`, filter: segmentFilter });
    const quietMember = await owner.caller.members.create({ firstName: 'Naomi', phone: '(202) 555-0211' });
    const assigned = await owner.caller.phoneNumbers.order({ phoneNumber: number });
    await owner.caller.registration.submit({ kind: '10dlc', details: registrationForm() });
    await checkRegistration(reg.services, church.tenantId, '10dlc'); // approved at once: it sends
    // Queued; no worker runs here.
    const sent = await owner.caller.messages.send({ memberId: member.id, body: `hello from ${tag}` });
    const broadcast = await owner.caller.broadcasts.create({
      body: `${tag} news`,
      audience: { type: 'branch', branchId: branch.id },
      scheduledAt: new Date(Date.now() + 3600_000),
    });
    // To the segment, with a custom merge field: it keeps the segment's conditions, and pins the field it merges.
    const segmentBroadcast = await owner.caller.broadcasts.create({
      body: `${tag}: baptised {baptism_date|soon}?`,
      audience: { type: 'segment', segmentId: segment.id },
      scheduledAt: new Date(Date.now() + 3600_000),
    });
    const invite = await owner.caller.team.invite({ email: `${tag}-invitee@example.org`, role: 'staff' });
    const keyword = await owner.caller.keywords.create({
      keyword: `${tag.toUpperCase()}JOIN`,
      reply: `Welcome to ${name}, {first_name|friend}!`,
      addTags: [`${tag}-joined`],
    });
    // The member texts it in, so the keyword has a use (and its stats something to show).
    await owner.caller.messages.simulateReply({ conversationId: sent.conversationId, body: keyword.word });
    const template = await owner.caller.templates.create({
      name: `${tag} welcome`,
      body: `Hi {first_name|friend}, from ${name}`,
    });
    const [t] = await reg.admin<{ db_name: string; slug: string }[]>`
      select db_name, slug from tenants where id = ${church.tenantId}`;
    // The connect card, with a welcome text and a tag, and a visitor's card sent in (so every table has a row).
    await owner.caller.connectCard.update({ welcomeText: `Welcome to ${name}, {first_name|friend}!`, tags: ['guest'] });
    const cardToken = issueFormToken(reg.services.config.STEEPLE_SECRET_KEY, t!.slug, Date.now() - 5_000);
    await caller(reg.services, null).connectCard.submit({
      ...{ slug: t!.slug, firstName: 'Ruth', lastName: tag, phone: '(202) 555-0169', email: `ruth@${tag}.example` },
      ...{ firstVisit: 'yes', prayer: 'for my family', consent: true, token: cardToken },
    });
    // A sequence the keyword starts, its steps merging a field; the member (subscribed by the keyword) put in it.
    const sequence = await owner.caller.sequences.create({
      name: `${tag} follow-up`,
      trigger: { kind: 'keyword', keywordId: keyword.id },
      steps: [
        { wait: 0, unit: 'hours', body: `Welcome to ${name}, {first_name|friend}!` },
        { wait: 2, unit: 'days', atMinute: 540, body: 'Baptised {baptism_date|soon}?' },
      ],
    });
    await owner.caller.sequences.enroll({ id: sequence.id, who: { type: 'members', memberIds: [member.id] } });
    const [enrollment] = await owner.caller.sequences.forMember({ memberId: member.id });
    // The server's parser takes the request body's stream; the input type names what a browser sends (a Blob).
    const picture = await owner.caller.media.upload(new Blob([new Uint8Array(PNG)]).stream() as unknown as OctetInput);
    return {
      ...church,
      dbName: t!.db_name,
      owner,
      sequenceId: sequence.id,
      sequenceName: `${tag} follow-up`,
      enrollmentId: enrollment!.enrollmentId,
      memberId: member.id,
      memberPhone: member.phone,
      quietMemberId: quietMember.id,
      branchId: branch.id,
      number: assigned.number,
      conversationId: sent.conversationId,
      messageId: sent.id,
      broadcastId: broadcast.id,
      inviteId: invite.id,
      inviteToken: invite.url.split('/invite/')[1]!,
      keywordId: keyword.id,
      keyword: keyword.word,
      templateId: template.id,
      templateName: template.name,
      slug: t!.slug,
      cardToken,
      fields: fields.map(({ id, key, type, options }) => ({ id, key, type, options })),
      segmentId: segment.id,
      segmentName: segment.name,
      segmentFilter,
      segmentBroadcastId: segmentBroadcast.id,
      pictureId: picture.id,
    };
  }

  /**
   * Everything of B: every table of its database, and every registry row that names it (found by column,
   * not listed).
   */
  async function snapshotOfB() {
    const db = postgres(withDatabase(serverUrl(), b.dbName), { max: 1, onnotice: () => {} });
    const out: Record<string, unknown> = {};
    try {
      const tables = await db<{ schema: string; name: string }[]>`
        select table_schema as schema, table_name as name from information_schema.tables
        where table_type = 'BASE TABLE' and table_schema not in ('pg_catalog', 'information_schema') order by 1, 2`;
      for (const t of tables) {
        const [row] = await db.unsafe(
          `select coalesce(json_agg(x order by x::text), '[]') as rows from "${t.schema}"."${t.name}" x`,
        );
        out[`b.${t.schema}.${t.name}`] = row!.rows;
      }
    } finally {
      await db.end({ timeout: 5 });
    }
    const r = reg.admin;
    const withTenant = await r<{ name: string }[]>`
      select table_name as name from information_schema.columns
       where table_schema = 'public' and column_name = 'tenant_id' order by 1`;
    for (const t of withTenant) {
      const [row] = await r.unsafe(
        `select coalesce(json_agg(x order by x::text), '[]') as rows from public."${t.name}" x where tenant_id = $1`,
        [b.tenantId],
      );
      out[`registry.${t.name}`] = row!.rows;
    }
    // Anyone may ask for a reset link to B's owner (the email goes to B's owner, as it should); using one is a change.
    out['registry.account_links'] = await r`
      select * from account_links where tenant_id = ${b.tenantId} and used_at is not null order by token_hash`;
    out['registry.tenants'] = await r`select * from tenants where id = ${b.tenantId}`;
    // B's queued texting jobs and its rate-limit counters name it in their keys.
    out['registry.jobs'] = await r`
      select * from graphile_worker._private_jobs
       where key like ${`%${b.tenantId}%`} or payload::text like ${`%${b.tenantId}%`} order by id`;
    out['registry.rate_limits'] = await r`select * from rate_limits where key like ${`%${b.tenantId}%`} order by key`;
    return out;
  }

  /** Undo what a call may do to A that would make later calls fail for an unrelated reason. */
  async function afterCall(paths: string[], who: 'A' | 'nobody') {
    if (who !== 'A') return;
    if (paths.includes('account.signOutEverywhere')) aCookie = (await signIn(reg.services, a.email, a.password)).cookie;
    if (paths.includes('church.updateProfile')) await restoreProfile(a);
    if (paths.includes('connectCard.update')) await restoreCard();
    if (paths.includes('church.updateQuietHours')) await restoreQuietHours();
    if (paths.some((p) => p === 'customFields.create' || p === 'customFields.delete')) await restoreFields();
  }

  /** A card switched off would make every later card "not available". */
  const restoreCard = () => aDb`update connect_card set enabled = true`;
  /** Quiet hours left on would make A's texts ask first, or not, by the hour the test runs at. */
  const restoreQuietHours = () => aDb`update quiet_hours set enabled = false`;
  /**
   * A's fields as set up: the ones added go (a church may have only 50, and later creates would all be refused), a
   * fixture deleted comes back (its values do not).
   */
  let aFieldsAsSetUp: string;
  async function restoreFields() {
    await aDb`delete from custom_fields where id not in ${aDb(a.fields.map((f) => f.id))}`;
    await aDb`
      insert into custom_fields
      select * from json_populate_recordset(null::custom_fields, ${aFieldsAsSetUp}::text::json)
      on conflict (id) do nothing`;
  }

  async function restoreProfile(side: Side) {
    if (!profiles.has(side.tenantId)) {
      const [p] = await reg.admin`
        select name, timezone, country, contact_phone, contact_email from churches where tenant_id = ${side.tenantId}`;
      profiles.set(side.tenantId, { ...p });
    }
    await reg.admin`update churches set ${reg.admin(profiles.get(side.tenantId)!)} where tenant_id = ${side.tenantId}`;
    reg.services.profiles.forget(side.tenantId);
  }

  const cookieOf = (who: 'A' | 'nobody') => (who === 'A' ? { cookie: `${cookieName}=${aCookie}` } : undefined);
  const whoArb = fc.constantFrom<'A' | 'nobody'>('A', 'A', 'A', 'nobody');

  beforeAll(async () => {
    // Every request here comes from one address ("unknown": no front server stamps it), which 30 cards an hour to a
    // church would use up.
    mediaDir = await mkdtemp(join(tmpdir(), 'steeple-property-media-'));
    reg = await createTestRegistry({ CONNECT_CARDS_PER_HOUR_PER_IP: '100000', MEDIA_DIR: mediaDir });
    previousServices = holder.__steeple;
    holder.__steeple = reg.services; // the route handler's getServices() hands out this registry's services
    cookieName = sessionCookieName(reg.services);
    a = await setUp('Alpha Parish', '(202) 555-0189', '+12025550124');
    b = await setUp('Bethel Parish', '(202) 555-0199', '+12025550123');
    // The found cases below run in a church of their own, which no generated call touches.
    c = await setUp('Calvary Chapel', '(202) 555-0179', '+12025550125');
    aCookie = a.owner.cookie;
    aDb = await reg.churchDb(a.tenantId);
    aFieldsAsSetUp = (await aDb<{ j: string }[]>`select json_agg(x)::text as j from custom_fields x`)[0]!.j;
    await restoreProfile(a);
    await restoreProfile(c);
    shapes = shapesFor(a, b, reg.services.config.STEEPLE_SECRET_KEY);
    baseline = await snapshotOfB();
  }, 120_000);

  afterAll(async () => {
    const seconds = ((Date.now() - stats.started) / 1000).toFixed(1);
    const statuses = [...stats.byStatus.entries()]
      .sort(([x], [y]) => x - y)
      .map(([s, n]) => `${s}×${n}`)
      .join(' ');
    const calls = procedures.map((p) => stats.byProcedure.get(p) ?? 0);
    console.log(
      `property: ${stats.requests} requests in ${seconds} s; ` +
        `${calls.filter(Boolean).length}/${procedures.length} procedures called, ` +
        `${Math.min(...calls)}–${Math.max(...calls)} times each (batches included); statuses ${statuses}`,
    );
    Object.assign(log, originalLog);
    if (previousServices) holder.__steeple = previousServices;
    else delete holder.__steeple;
    await reg?.cleanup();
    if (mediaDir) await rm(mediaDir, { recursive: true, force: true });
  });

  it('has well-formed inputs for every procedure of the app router', () => {
    expect(procedures.length).toBeGreaterThan(10);
    expect(procedures.filter((p) => !(p in shapes))).toEqual([]);
  });

  it('the snapshot of B holds B’s data and sees a change B makes to itself (control)', async () => {
    const rows = (key: string) => (baseline[key] as unknown[] | undefined)?.length ?? 0;
    for (const table of ['members', 'branches', 'conversations', 'messages', 'broadcasts', 'admins', 'invites'])
      expect(rows(`b.public.${table}`), table).toBeGreaterThan(0);
    for (const table of ['keywords', 'keyword_uses', 'templates', 'connect_card_submissions'])
      expect(rows(`b.public.${table}`), table).toBeGreaterThan(0);
    for (const table of [
      'custom_fields',
      'member_field_values',
      'segments',
      'sequences',
      'sequence_enrollments',
      'media',
    ])
      expect(rows(`b.public.${table}`), table).toBeGreaterThan(0);
    expect(rows('b.public.connect_card'), 'one connect card per church').toBe(1);
    expect(rows('b.public.quiet_hours'), 'one quiet hours row per church').toBe(1);
    const aQuiet = [...(await aDb`select id, enabled from quiet_hours`)];
    expect(aQuiet, 'A’s: one, and off (as every test here starts)').toEqual([{ id: 1, enabled: false }]);
    // A held text's time is in the rows compared.
    for (const m of baseline['b.public.messages'] as object[]) expect(Object.keys(m)).toContain('not_before');
    for (const table of [
      'tenants',
      'churches',
      'admin_email_index',
      'phone_number_index',
      'auth_sessions',
      'invite_index',
      'provisioning_jobs',
      'jobs',
    ])
      expect(rows(`registry.${table}`), table).toBeGreaterThan(0);
    expect(Object.keys(baseline)).toContain('registry.billing_accounts'); // none yet with billing off, but looked at
    await b.owner.caller.members.update({ id: b.memberId, notes: 'control' });
    expect(await snapshotOfB()).not.toEqual(baseline);
    baseline = await snapshotOfB();
  });

  it.each(procedures)('%s: junk, as A and as nobody, is never answered 5xx', async (path) => {
    const type = typeOf(path);
    const call = fc
      .record({
        who: whoArb,
        input: inputArb(shapes[path]!),
        encoding: encodingArb,
        contentType: contentTypeArb,
        wrongMethod: fc.oneof(
          { weight: 9, arbitrary: fc.constant(false) },
          { weight: 1, arbitrary: fc.constant(true) },
        ),
      })
      .map((x) =>
        described(
          x,
          (v) =>
            `${path} as ${v.who}, ${v.encoding.kind}${v.wrongMethod ? ', wrong method' : ''}, ` +
            `${v.contentType}: ${show(v.input)}`,
        ),
      );
    await fc.assert(
      fc.asyncProperty(call, async (x) => {
        const method = (type === 'query') !== x.wrongMethod ? 'GET' : 'POST';
        const w: Wire = {
          method,
          paths: [path],
          batch: false,
          payload: encode(x.input, x.encoding),
          contentType: x.contentType,
          headers: cookieOf(x.who),
        };
        try {
          await send(w, `${path} as ${x.who} (${x.encoding.kind}): ${show(x.input)}`);
        } finally {
          await afterCall(w.paths, x.who);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('batches of up to 10 random procedures are never answered 5xx, not even inside', async () => {
    const itemOf = (pool: string[]) =>
      fc
        .constantFrom(...pool)
        .chain((path) => fc.record({ path: fc.constant(path), input: inputArb(shapes[path]!), encoding: encodingArb }));
    // Mostly one kind per batch, as the client sends them; a mixed one is refused as a whole. Now and then the body
    // is junk.
    const items = fc.oneof(
      ...[queries, mutations, procedures].map((pool) =>
        fc.array(itemOf(pool), { minLength: 1, maxLength: MAX_BATCH_SIZE }),
      ),
    );
    const body = fc.oneof(
      { weight: 8, arbitrary: fc.constant(null) },
      { weight: 1, arbitrary: junk.map((j) => ({ j })) },
    );
    const batch = fc.record({ who: whoArb, items, junkBody: body }).map((x) =>
      described(x, (v) => {
        const listed = v.items.map((i) => `${i.path}(${i.encoding.kind}: ${show(i.input)})`).join(', ');
        return `batch as ${v.who}: ${listed}${v.junkBody ? `; body ${show(v.junkBody.j)}` : ''}`;
      }),
    );
    await fc.assert(
      fc.asyncProperty(batch, async (x) => {
        const paths = x.items.map((i) => i.path);
        const body = x.junkBody
          ? x.junkBody.j
          : Object.fromEntries(x.items.map((i, n) => [n, batchItem(i.input, i.encoding)]));
        const method = typeOf(paths[0]!) === 'query' ? 'GET' : 'POST';
        const w: Wire = {
          method,
          paths,
          batch: true,
          payload: stringify(body),
          contentType: 'application/json',
          headers: cookieOf(x.who),
        };
        try {
          await send(w, `batch ${paths.join(',')} as ${x.who}`);
        } finally {
          await afterCall(paths, x.who);
        }
      }),
      { numRuns: RUNS * 3 },
    );
  });

  it('a batch of more than 10 calls is refused with a 4xx', async () => {
    const big = fc
      .record({
        who: whoArb,
        paths: fc.array(fc.constantFrom(...procedures), { minLength: MAX_BATCH_SIZE + 1, maxLength: 60 }),
        method: fc.constantFrom<'GET' | 'POST'>('GET', 'POST'),
      })
      .map((x) => described(x, (v) => `${v.method} batch of ${v.paths.length} as ${v.who}: ${v.paths.join(',')}`));
    await fc.assert(
      fc.asyncProperty(big, async (x) => {
        const body = Object.fromEntries(x.paths.map((_, n) => [n, superjson.serialize(undefined)]));
        const w: Wire = {
          method: x.method,
          paths: x.paths,
          batch: true,
          payload: JSON.stringify(body),
          contentType: 'application/json',
          headers: cookieOf(x.who),
        };
        const res = await send(w, `batch of ${x.paths.length}`).finally(() => afterCall(x.paths, x.who));
        expect(res.status, res.body).toBeGreaterThanOrEqual(400); // refused as a whole, before any of it runs
      }),
      { numRuns: RUNS },
    );
  });

  it('unknown and odd procedure paths are a 4xx', async () => {
    const odd = fc.oneof(
      fc.constantFrom(
        '',
        'nope',
        'members',
        'members.nope',
        '__proto__',
        'constructor',
        'toString',
        'hasOwnProperty',
        'members.__proto__',
        'members.constructor',
        '__proto__.toString',
        'members.list.x',
        'members..list',
        'MEMBERS.LIST',
        '%2e%2e',
        '_def',
        '_def.procedures',
        'createCaller',
        'members.list%00',
      ),
      nastyString.map(encodeURIComponentSafe),
    );
    const call = fc
      .record({ who: whoArb, path: odd, batch: fc.boolean(), method: fc.constantFrom<'GET' | 'POST'>('GET', 'POST') })
      .map((x) => described(x, (v) => `${v.method} ${JSON.stringify(v.path)}${v.batch ? '?batch=1' : ''} as ${v.who}`));
    await fc.assert(
      fc.asyncProperty(call, async (x) => {
        const payload = x.batch
          ? JSON.stringify({ 0: superjson.serialize({}) })
          : JSON.stringify(superjson.serialize({}));
        const res = await send(
          {
            method: x.method,
            paths: [x.path],
            batch: x.batch,
            payload,
            contentType: 'application/json',
            headers: cookieOf(x.who),
          },
          `path ${JSON.stringify(x.path)}`,
        );
        expect(res.status, res.body).toBeGreaterThanOrEqual(400);
      }),
      { numRuns: RUNS * 2 },
    );
  });

  it('junk cookies and headers are never a 5xx', async () => {
    const latin1 = (s: string) =>
      Buffer.from(s)
        .toString('latin1')
        .replace(/[\r\n\0]/g, ''); // what Node's HTTP parser would hand over
    const cookieValue = fc.oneof(
      fc.constantFrom(
        '%',
        '%E0%A4%A',
        '%ZZ',
        '%00',
        '',
        '=',
        ';;;',
        'a=b=c',
        'eyJhbGciOiJub25lIn0.eyJ0ZW5hbnRJZCI6IngifQ.',
        'x'.repeat(8_000),
      ),
      fc.constant('tamper').map(() => aCookie.slice(0, -2) + (aCookie.endsWith('A') ? 'BB' : 'AA')),
      fc.constant('other-secret').map(() => b.owner.cookie.split('.').reverse().join('.')),
      nastyString.map(latin1),
    );
    const headers = fc
      .record({
        cookie: fc.oneof(
          cookieValue.map((v) => `${cookieName}=${v}`),
          cookieValue.map((v) => `${cookieName}=${aCookie}; ${cookieName}=${v}`),
          cookieValue.map((v) => `${v}; ${cookieName}`),
        ),
        'x-request-id': fc.option(nastyString.map(latin1), { nil: undefined }),
        'x-forwarded-for': fc.option(
          fc.constantFrom('1.2.3.4', '::1', 'unknown', '1.2.3.4, 5.6.7.8', 'x'.repeat(1_000), ','),
          { nil: undefined },
        ),
        'x-steeple-peer': fc.option(fc.constantFrom('127.0.0.1', '::ffff:1.2.3.4', 'garbage', ''), { nil: undefined }),
        'content-length': fc.option(fc.constantFrom('-1', 'NaN', '1e9', '99999999999999999999', '0', ' 5'), {
          nil: undefined,
        }),
      })
      .map((h) => Object.fromEntries(Object.entries(h).filter(([, v]) => v !== undefined)) as Record<string, string>);
    const call = fc
      .record({ path: fc.constantFrom(...procedures), headers })
      .chain((x) => inputArb(shapes[x.path]!).map((input) => ({ ...x, input })))
      .map((x) => described(x, (v) => `${v.path} with headers ${show(v.headers)}: ${show(v.input)}`));
    await fc.assert(
      fc.asyncProperty(call, async (x) => {
        const method = typeOf(x.path) === 'query' ? 'GET' : 'POST';
        const w: Wire = {
          method,
          paths: [x.path],
          batch: false,
          payload: encode(x.input, { kind: 'superjson' }),
          contentType: 'application/json',
          headers: x.headers,
        };
        try {
          await send(w, `${x.path} with headers ${show(x.headers)}`);
        } finally {
          await afterCall(w.paths, 'A'); // a header may carry A's real cookie
        }
      }),
      { numRuns: RUNS * 2 },
    );
  });

  /** A write A's owner may make, as the client sends it; the stateful property changes one field of it at a time. */
  const writes: Record<string, (n: number) => Record<string, unknown>> = {
    'church.updateProfile': () => ({
      churchName: 'Alpha Parish',
      timezone: 'UTC',
      country: 'US',
      contactPhone: '(202) 555-0100',
      contactEmail: 'office@example.org',
    }),
    'church.updateQuietHours': () => quietNow(),
    'branches.create': (n) => ({ name: `East ${n}`, address: '1 Main St', timezone: 'America/New_York' }),
    'branches.update': () => ({ id: a.branchId, name: 'Alpha North', address: null, timezone: 'UTC' }),
    'members.create': (n) => ({
      firstName: 'Ann',
      lastName: 'Lee',
      phone: `(202) 555-0${100 + (n % 100)}`,
      tags: ['choir'],
      notes: 'hi',
      subscription: 'subscribed',
      consentNote: 'card',
      fields: fixtureValues(),
      firstVisitOn: '2025-01-05',
    }),
    'members.update': () => ({
      ...{ id: a.memberId, firstName: 'alpha', notes: 'note' },
      ...{ fields: fixtureValues(), firstVisitOn: '2024-03-31' },
    }),
    'members.import': (n) => ({ csv: `first_name,phone,tags,notes\nAnn,(202) 555-0${100 + (n % 100)},choir,hi` }),
    'phoneNumbers.order': (n) => ({ phoneNumber: `+1615555${String(100 + (n % 100)).padStart(4, '0')}` }),
    'conversations.assign': () => ({ id: a.conversationId, adminId: a.adminId }),
    'conversations.setClosed': (n) => ({ id: a.conversationId, closed: n % 2 === 0 }),
    'conversations.markUnread': () => ({ id: a.conversationId }),
    'conversations.addNote': (n) => ({ id: a.conversationId, body: `note ${n}` }),
    'messages.send': () => ({ memberId: a.memberId, body: 'hello' }),
    'messages.simulateReply': () => ({ conversationId: a.conversationId, body: 'thanks' }),
    'messages.retry': () => ({ id: a.messageId }),
    'broadcasts.createSeries': () => ({ body: 'weekly news', audience: { type: 'all' }, ...weeklyRepeat() }),
    'broadcasts.create': () => ({
      body: 'news',
      audience: { type: 'all' },
      scheduledAt: new Date(Date.now() + 3600_000),
    }),
    'team.invite': (n) => ({ email: `new-${n}@example.org`, role: 'staff' }),
    'keywords.create': (n) => ({ keyword: `JOIN${n}`, reply: 'Welcome, {first_name|friend}!', addTags: ['joined'] }),
    'keywords.update': (n) => ({
      id: a.keywordId,
      keyword: `ALPHA${n}`,
      reply: 'Hi {first_name|friend} from {church_name}',
      addTags: ['alpha-joined'],
    }),
    'templates.create': (n) => ({ name: `Welcome ${n}`, body: 'Welcome, {first_name|friend}!' }),
    'templates.update': (n) => ({
      id: a.templateId,
      name: `Alpha ${n}`,
      body: 'Hi {first_name|friend} from {church_name}',
    }),
    'connectCard.update': (n) => ({
      enabled: true,
      welcomeText: 'Welcome to {church_name}, {first_name|friend}!',
      tags: ['guest', `card-${n}`],
      firstVisitTag: 'first-time guest',
      prayerField: true,
      privacyUrl: 'https://example.org/privacy',
    }),
    'connectCard.submit': (n) => visitorCard(n),
    'customFields.create': (n) => ({ label: `Field ${n}`, type: 'choice', options: ['Red', 'Blue'] }),
    'customFields.update': () => ({ id: fieldOf('choice').id, label: 'Shirt size', options: ['S', 'M', 'L', 'XL'] }),
    'segments.create': (n) => ({ name: `Segment ${n}`, filter: a.segmentFilter }),
    'segments.update': () => ({ id: a.segmentId, name: a.segmentName, filter: a.segmentFilter }),
    'sequences.create': (n) => ({
      name: `Follow-up ${n}`,
      trigger: { kind: 'tag', tag: 'volunteer' },
      steps: [
        { wait: 0, unit: 'hours', body: 'Welcome, {first_name|friend}!' },
        { wait: 1, unit: 'days', atMinute: 540, body: 'Baptised {baptism_date|soon}?' },
      ],
      stopOnReply: true,
      reenroll: false,
    }),
    'sequences.update': () => ({
      id: a.sequenceId,
      name: a.sequenceName,
      trigger: { kind: 'keyword', keywordId: a.keywordId },
      steps: [{ wait: 2, unit: 'days', atMinute: 540, body: 'Hi {first_name|friend} from {church_name}' }],
    }),
    'sequences.enroll': () => ({ id: a.sequenceId, who: { type: 'audience', audience: { type: 'all' } } }),
  };

  const fieldOf = (type: CustomFieldType) => a.fields.find((f) => f.type === type)!;
  /** The member's values as set up, as the form sends them. */
  const fixtureValues = () => Object.fromEntries(a.fields.map((f, i) => [f.id, FIXTURE_FIELDS[i]!.value]));
  /** A value of a field's type, as the form sends it. */
  const valueFor = (type: unknown, options: unknown) =>
    ({ text: 'hello', number: '3', date: '2024-03-31', yes_no: 'yes' })[type as string] ??
    (Array.isArray(options) && typeof options[0] === 'string' ? options[0] : 'x');

  /**
   * Quiet hours that hold everyone, wherever they are, for the next few minutes: all day but the one minute, seven
   * from now in UTC, that no timezone (each is a whole number of quarter hours off UTC) reaches before then.
   */
  const quietNow = () => {
    const now = Math.floor(Date.now() / 60_000) % (24 * 60);
    return { enabled: true, startMinute: (now + 8) % (24 * 60), endMinute: (now + 7) % (24 * 60) };
  };

  /** A card as the page sends it: to A's slug, with a token opened long enough ago, from a new visitor. */
  const visitorCard = (n: number) => ({
    ...{ slug: a.slug, firstName: 'Ann', lastName: 'Lee', phone: `(202) 555-0${100 + (n % 100)}` },
    ...{ email: `ann-${n}@example.org`, firstVisit: 'yes', prayer: 'for my mother', consent: true, website: '' },
    token: issueFormToken(reg.services.config.STEEPLE_SECRET_KEY, a.slug, Date.now() - 5_000),
  });
  let cardsSent = 0;

  /**
   * What else an accepted write is used by, before the reads: a keyword is used when someone texts it in (its reply
   * is merged and its tags added), so its word is texted from A's member.
   */
  const usesOfWrite: Record<
    string,
    (input: Record<string, unknown>, output: Record<string, unknown>) => [string, unknown][]
  > = {
    'keywords.create': (input) => [
      ['messages.simulateReply', { conversationId: a.conversationId, body: input.keyword }],
    ],
    'keywords.update': (input) =>
      typeof input.keyword === 'string'
        ? [['messages.simulateReply', { conversationId: a.conversationId, body: input.keyword }]]
        : [],
    // The card's settings are used when a visitor sends one in: its tags added, its welcome text merged and queued.
    'connectCard.update': () => [['connectCard.submit', visitorCard(++cardsSent)]],
    // Quiet hours are used by a text from the inbox (which asks first inside them, and goes once confirmed).
    'church.updateQuietHours': () => [
      ['messages.send', { memberId: a.quietMemberId, body: 'hello' }],
      ['messages.send', { memberId: a.quietMemberId, body: 'hello', duringQuietHours: true }],
    ],
    // A new field is used when a member is given a value in it, counted on it, and merged into a text.
    'customFields.create': (input, field) => [
      ['members.update', { id: a.memberId, fields: { [field.id as string]: valueFor(input.type, input.options) } }],
      ['segments.count', { filter: { fields: [{ fieldId: field.id, op: 'set' }] } }],
      ['broadcasts.preview', { audience: { type: 'all' }, body: `Hi {first_name}: {${field.key}|none}` }],
    ],
    'customFields.update': (input) => [
      ['members.update', { id: a.memberId, fields: { [fieldOf('choice').id]: valueFor('choice', input.options) } }],
    ],
    // A segment is used by the members list, its count, and a broadcast to it.
    'segments.create': (input, segment) => [
      ['members.list', { segmentId: segment.id }],
      ['segments.count', { filter: input.filter }],
      ['broadcasts.preview', { audience: { type: 'segment', segmentId: segment.id }, body: 'Hi {baptism_date|soon}' }],
    ],
    'segments.update': () => [
      ['broadcasts.preview', { audience: { type: 'segment', segmentId: a.segmentId }, body: 'Hi {baptism_date|soon}' }],
    ],
    // A sequence is used when someone is put in it (by hand, or by its tag: the database's trigger reads it).
    'sequences.create': (input, sequence) =>
      [
        ['sequences.enroll', { id: sequence.id, who: { type: 'members', memberIds: [a.memberId] } }],
        ...((input.trigger as { kind?: unknown; tag?: unknown })?.kind === 'tag'
          ? [['members.update', { id: a.memberId, tags: ['alpha-tag', (input.trigger as { tag: unknown }).tag] }]]
          : []),
        ['sequences.get', { id: sequence.id }],
      ] as [string, unknown][],
  };

  /** Every read, batched as the client batches them. */
  const readsOfA = (): [string, unknown][] => [
    ['church.profile', undefined],
    ['church.admins', undefined],
    ['church.quietHours', undefined],
    ['account.me', undefined],
    ['team.list', undefined],
    ['members.list', {}],
    ['members.list', { segmentId: a.segmentId }],
    ['members.get', { id: a.memberId }],
    ['members.profile', { id: a.memberId }],
    ['members.consentLog', { id: a.memberId }],
    ['members.export', undefined],
    ['members.tags', undefined],
    ['branches.list', undefined],
    ['conversations.list', {}],
    ['conversations.get', { id: a.conversationId }],
    ['conversations.forMember', { memberId: a.memberId }],
    ['conversations.search', { query: 'alpha' }],
    ['notifications.get', undefined],
    ['broadcasts.series', undefined],
    ['broadcasts.list', {}],
    ['activity.list', {}],
    ['broadcasts.get', { id: a.broadcastId }],
    ['broadcasts.get', { id: a.segmentBroadcastId }],
    ['broadcasts.preview', { audience: { type: 'all' }, body: 'hello' }],
    ['broadcasts.preview', { audience: { type: 'segment', segmentId: a.segmentId }, body: 'Hi {baptism_date|soon}' }],
    ['broadcasts.preview', { audience: { type: 'all' }, body: 'hello', scheduledAt: new Date(Date.now() + DAY) }],
    ['phoneNumbers.list', undefined],
    ['registration.get', undefined],
    ['keywords.list', undefined],
    ['keywords.stats', { id: a.keywordId }],
    ['templates.list', undefined],
    ['connectCard.get', undefined],
    ['customFields.list', undefined],
    ['segments.list', undefined],
    ['segments.count', { filter: a.segmentFilter }],
    ['connectCard.weeks', undefined], // not qrPng: no write changes what it draws, and each one takes 0.1 s
    ['dashboard.summary', undefined],
    ['billing.status', undefined],
    ['billing.plan', undefined],
    ['billing.allowance', undefined],
    ['sequences.list', undefined],
    ['sequences.get', { id: a.sequenceId }],
    ['sequences.forMember', { memberId: a.memberId }],
  ];

  async function readEverything(after: string) {
    const reads = readsOfA();
    for (let i = 0; i < reads.length; i += MAX_BATCH_SIZE) {
      const chunk = reads.slice(i, i + MAX_BATCH_SIZE);
      const payload = JSON.stringify(Object.fromEntries(chunk.map(([, input], n) => [n, superjson.serialize(input)])));
      await send(
        {
          method: 'GET',
          paths: chunk.map(([p]) => p),
          batch: true,
          payload,
          contentType: null,
          headers: cookieOf('A'),
        },
        `after ${after}, reading ${chunk.map(([p]) => p).join(',')}`,
      );
    }
  }

  it.each(Object.keys(writes))(
    'after %s with one field at an edge is accepted, every read still answers without a 5xx',
    async (path) => {
      // A write may store something a later read chokes on (a timezone PostgreSQL does not know, say). Each run starts
      // from A's own profile, changes one field of a good write to an edge value, and when that is accepted, reads
      // everything.
      const shape = shapes[path]!;
      const write = fc
        .record({ n: fc.nat(), key: fc.constantFrom(...Object.keys(shape.fields)) })
        .chain(({ n, key }) => shape.fields[key]!.map((value) => ({ ...writes[path]!(n), [key]: value })))
        .map((input) => described({ input }, (v) => `${path}(${show(v.input)}), then every read`));
      await fc.assert(
        fc.asyncProperty(write, async ({ input }) => {
          await restoreProfile(a);
          await restoreFields();
          // The write's own 5xx is the per-procedure property's to report: this one is about what an accepted write
          // leaves behind.
          const w: Wire = {
            method: 'POST',
            paths: [path],
            batch: false,
            payload: encode(input, { kind: 'superjson' }),
            contentType: 'application/json',
            headers: cookieOf('A'),
          };
          const res = await send(w, path, { own5xxIsAnothers: true });
          if (res.status !== 200) return;
          const output = superjson.deserialize<Record<string, unknown>>(JSON.parse(res.body).result.data);
          for (const [use, useInput] of usesOfWrite[path]?.(input, output) ?? [])
            await send(
              {
                method: typeOf(use) === 'query' ? 'GET' : 'POST',
                paths: [use],
                batch: false,
                payload: encode(useInput, { kind: 'superjson' }),
                contentType: 'application/json',
                headers: cookieOf('A'),
              },
              `after ${path}(${show(input)}) was accepted, ${use}(${show(useInput)})`,
            );
          await readEverything(`${path}(${show(input)}) was accepted`);
        }),
        { numRuns: RUNS },
      );
      await restoreProfile(a);
      await restoreCard();
      await restoreQuietHours();
      await restoreFields();
    },
  );

  /**
   * The 5xx answers this test has found, each cut down to the smallest request that shows it. They stay here, failing,
   * until the server is fixed: the properties above find them again, but only now and then.
   */
  type Step = { path: string; input?: unknown; who?: 'owner' | 'nobody'; headers?: Record<string, string> };
  const cursorOf = (key: unknown[]) => Buffer.from(JSON.stringify(key)).toString('base64url');
  const nul = 'a\u0000b';
  const found: Record<string, () => Step[]> = {
    // PostgreSQL text cannot hold U+0000 (22021); every string schema lets it through.
    'NUL in church.updateProfile churchName': () => [
      { path: 'church.updateProfile', input: { churchName: nul, timezone: 'UTC', country: 'US' } },
    ],
    'NUL in members.create firstName': () => [
      { path: 'members.create', input: { firstName: nul, phone: '(202) 555-0150' } },
    ],
    'NUL in members.update notes': () => [{ path: 'members.update', input: { id: c.memberId, notes: nul } }],
    'NUL in members.list search': () => [{ path: 'members.list', input: { search: nul } }],
    'NUL in members.list tag': () => [{ path: 'members.list', input: { tag: nul } }],
    'NUL in members.list cursor': () => [{ path: 'members.list', input: { cursor: cursorOf([nul, 'a', c.memberId]) } }],
    'NUL in members.import csv': () => [
      { path: 'members.import', input: { csv: `first_name,phone\n${nul},(202) 555-0151` } },
    ],
    'NUL in branches.create name': () => [{ path: 'branches.create', input: { name: nul } }],
    'NUL in branches.update name': () => [{ path: 'branches.update', input: { id: c.branchId, name: nul } }],
    'NUL in broadcasts.preview tag': () => [
      { path: 'broadcasts.preview', input: { audience: { type: 'tag', tag: nul } } },
    ],
    'NUL in broadcasts.create body': () => [
      { path: 'broadcasts.create', input: { body: nul, audience: { type: 'all' } } },
    ],
    'NUL in messages.send body': () => [{ path: 'messages.send', input: { memberId: c.memberId, body: nul } }],
    'NUL in onboarding.signup churchName': () => [
      {
        path: 'onboarding.signup',
        who: 'nobody',
        input: {
          churchName: `Grace ${nul}`,
          timezone: 'UTC',
          adminName: 'Pat',
          email: 'nul@example.org',
          password: 'correct horse battery',
        },
      },
    ],
    'NUL in team.accept name': () => [
      {
        path: 'team.accept',
        who: 'nobody',
        input: { token: c.inviteToken, name: nul, password: 'correct horse battery' },
      },
    ],
    'NUL in phoneNumbers.release number': () => [
      { path: 'phoneNumbers.release', input: { number: nul, confirmation: nul } },
    ],
    // The simulated reply goes through the real webhook: jsonb refuses \u0000 (22P05) and a lone surrogate (22P02),
    // which the webhook takes for a registry outage and answers 503 (so Telnyx would retry such a text for ever).
    'NUL in messages.simulateReply body': () => [
      { path: 'messages.simulateReply', input: { conversationId: c.conversationId, body: nul } },
    ],
    'lone surrogate in messages.simulateReply body': () => [
      { path: 'messages.simulateReply', input: { conversationId: c.conversationId, body: 'a\uD800b' } },
    ],
    // exactTimeKey checks a cursor's time with Date.parse, which knows a year 0000; PostgreSQL has none (22008).
    'year 0000 in broadcasts.list cursor': () => [
      { path: 'broadcasts.list', input: { cursor: cursorOf(['0000-01-01T00:00:00.000000Z', c.broadcastId]) } },
    ],
    'year 0000 in conversations.list cursor': () => [
      {
        path: 'conversations.list',
        input: { cursor: cursorOf([false, '0000-01-01T00:00:00.000000Z', c.conversationId]) },
      },
    ],
    'year 0000 in conversations.get before': () => [
      {
        path: 'conversations.get',
        input: { id: c.conversationId, before: cursorOf(['0000-01-01T00:00:00.000000Z', c.memberId]) },
      },
    ],
    // The members cursor checks its id with /^[0-9a-f-]{36}$/, which is not a uuid (22P02).
    'a 36-character id that is no uuid in members.list cursor': () => [
      { path: 'members.list', input: { cursor: cursorOf(['a', 'b', '0'.repeat(36)]) } },
    ],
    // z.coerce.date() has no upper bound; timestamptz ends in 294276 AD (22009, answered 503 as
    // "registry unavailable").
    'broadcasts.create scheduledAt past PostgreSQL’s last timestamp': () => [
      { path: 'broadcasts.create', input: { body: 'news', audience: { type: 'all' }, scheduledAt: new Date(8.64e15) } },
    ],
    // The session cookie's decodeURIComponent throws URIError while the context is built: every procedure, signed out.
    'a cookie that is not percent-encoding, signed out': () => [
      { path: 'account.me', who: 'nobody', headers: { cookie: `${cookieName}=%` } },
    ],
    // Intl (so zod) accepts US/Pacific-New; PostgreSQL 15 does not know it (22023) and the dashboard's SQL uses it.
    'church timezone US/Pacific-New, then dashboard.summary': () => [
      {
        path: 'church.updateProfile',
        input: { churchName: 'Calvary Chapel', timezone: 'US/Pacific-New', country: 'US' },
      },
      { path: 'dashboard.summary' },
    ],
  };

  it.each(Object.keys(found))('found: %s', async (name) => {
    try {
      for (const step of found[name]!()) {
        const owner = (step.who ?? 'owner') === 'owner' ? { cookie: `${cookieName}=${c.owner.cookie}` } : undefined;
        const w: Wire = {
          method: typeOf(step.path) === 'query' ? 'GET' : 'POST',
          paths: [step.path],
          batch: false,
          payload: step.input === undefined ? undefined : JSON.stringify(superjson.serialize(step.input)),
          contentType: 'application/json',
          headers: { ...owner, ...step.headers },
        };
        await send(w, `${name}: ${step.path}(${show(step.input)})${step.headers ? ` with ${show(step.headers)}` : ''}`);
      }
    } finally {
      await restoreProfile(c);
    }
  });

  it('nothing of B changed: its database and its registry rows are exactly as before', async () => {
    expect(stats.requests, 'the properties above ran first').toBeGreaterThan(0);
    expect(await snapshotOfB()).toEqual(baseline);
    // B's owner is still signed in and B still works.
    expect((await b.owner.caller.members.get({ id: b.memberId })).id).toBe(b.memberId);
  });
});
