import { randomBytes, randomInt, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { OctetInput } from '@trpc/server/http';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { can, type Role } from '@/server/auth/permissions';
import { readSession } from '@/server/auth/session';
import { appRouter } from '@/server/routers/_app';
import { issueFormToken } from '@/server/connect-card/form-token';
import { keyOf } from '@/server/custom-fields/rules';
import { encodeCursor } from '@/server/cursor';
import { checkRegistration } from '@/server/registration/progress';
import { withDatabase } from '@/server/tenancy/urls';
import { randomToken, sha256 } from '@/server/tokens';
import { publicProcedure, tenantProcedure, type Meta } from '@/server/trpc';
import {
  addTeammate,
  caller,
  type Caller,
  errorOf,
  namedChurch,
  signIn,
  type SignedInClient,
} from './support/accounts';
import { createTestRegistry, serverUrl, testSecretKey, type TestRegistry } from './support/harness';
import { registrationForm } from './support/messaging';
import {
  restoreDatabase,
  snapshotDatabase,
  type Queryable,
  type Scope,
  type Snapshot,
  type Table,
} from './support/snapshot';

/**
 * "A session of church A learns nothing of church B and changes nothing of B, by any input." Every procedure of the
 * app router is called as A's owner, admin and staff, once with B's real ids (and B's tenant fields added to every
 * input) and once with ids that exist nowhere. The two answers must be equal after the ids are named by their role:
 * the same error, or the same data — so not even a count or an existence can be told apart. B's whole database and
 * every registry row that mentions B must stay exactly as they were, and no answer may carry anything of B.
 */

/** The values a case may name: B's real ones, or fresh ones that exist nowhere. */
type Ids = {
  tenantId: string;
  ownerId: string;
  adminId: string;
  staffId: string;
  sessionId: string;
  jobId: string;
  inviteId: string;
  inviteToken: string;
  inviteEmail: string;
  ownerEmail: string;
  staffEmail: string;
  ownerPassword: string;
  churchName: string;
  memberId: string;
  memberName: string;
  memberPhone: string;
  memberE164: string;
  tag: string;
  branchId: string;
  branchName: string;
  conversationId: string;
  noteId: string;
  messageId: string;
  broadcastId: string;
  seriesId: string;
  number: string;
  numberE164: string;
  keywordId: string;
  keyword: string;
  templateId: string;
  templateName: string;
  /** The church's connect card address is /c/<slug>. */
  slug: string;
  /** The form token of a card sent in to the church (signed for its slug): used once already. */
  cardToken: string;
  /** A custom field (yes/no) the member has a value in; its key is its merge field (`{bethel_baptised}`). */
  fieldId: string;
  fieldLabel: string;
  fieldKey: string;
  /** A saved segment whose conditions name the church's branch, tag and field. */
  segmentId: string;
  segmentName: string;
  /** A sequence (started by the church's keyword) and the member's enrollment in it. */
  sequenceId: string;
  sequenceName: string;
  enrollmentId: string;
  /** A picture the owner uploaded (media.upload), ready to attach to a text or broadcast. */
  mediaId: string;
};

/** Values written two ways: an input in one spelling may come back in the other. */
const SPELLINGS: (keyof Ids)[][] = [
  ['memberPhone', 'memberE164'],
  ['number', 'numberE164'],
  ['fieldLabel', 'fieldKey'], // a field's merge field is made from its label
];

/** One of A's people: how to sign in again after a case signs them out. */
type Me = { role: Role; adminId: string; email: string; password: string; client: SignedInClient };

type Side = {
  ids: Ids;
  people: Record<Role, Me>;
  dbName: string;
  dbRole: string;
  ticket: string;
  inviteTokenHash: string;
  sessionIds: string[];
};

const ROLES: Role[] = ['owner', 'admin', 'staff'];

/** Fresh values of the same shapes as B's: ids, tokens, emails, phone numbers, names that no church has. */
function nowhere(): Ids {
  const word = `nowhere${randomBytes(3).toString('hex')}`;
  const phone = String(2000 + randomInt(8000));
  const number = String(2000 + randomInt(8000));
  const slug = `${word}-parish-${randomBytes(3).toString('hex')}`;
  return {
    tenantId: randomUUID(),
    ownerId: randomUUID(),
    adminId: randomUUID(),
    staffId: randomUUID(),
    sessionId: randomToken(),
    jobId: randomUUID(),
    inviteId: randomUUID(),
    inviteToken: randomToken(),
    inviteEmail: `${word}-invitee@example.org`,
    ownerEmail: `${word}-owner@example.org`,
    staffEmail: `${word}-staff@example.org`,
    ownerPassword: `${word} owner password`,
    churchName: `${word} Parish`,
    memberId: randomUUID(),
    memberName: word,
    memberPhone: `(202) 555-${phone}`,
    memberE164: `+1202555${phone}`,
    tag: `${word}-tag`,
    branchId: randomUUID(),
    branchName: `${word} North`,
    conversationId: randomUUID(),
    noteId: randomUUID(),
    messageId: randomUUID(),
    broadcastId: randomUUID(),
    seriesId: randomUUID(),
    number: `+1 202 555 ${number}`,
    numberE164: `+1202555${number}`,
    keywordId: randomUUID(),
    keyword: word.toUpperCase(),
    templateId: randomUUID(),
    templateName: `${word} welcome`,
    slug,
    cardToken: formToken(slug), // signed by this server for a slug no church has
    fieldId: randomUUID(),
    fieldLabel: `${word} baptised`,
    fieldKey: keyOf(`${word} baptised`),
    segmentId: randomUUID(),
    segmentName: `${word} parents`,
    sequenceId: randomUUID(),
    sequenceName: `${word} follow-up`,
    enrollmentId: randomUUID(),
    mediaId: randomUUID(),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// The router, read off itself: every procedure, its kind, its permission and which input fields name a record.
// ---------------------------------------------------------------------------------------------------------------

type Procedure = { _def: { type: 'query' | 'mutation'; meta?: Meta; inputs: unknown[]; middlewares: unknown[] } };
const registered = (appRouter._def as unknown as { procedures: Record<string, Procedure> }).procedures;
const procedures = Object.keys(registered);

/** Procedures without the sign-in middleware of tenantProcedure: the session plays no part, so one role is enough. */
const publicDepth = (publicProcedure as unknown as Procedure)._def.middlewares.length;
const signInCheck = (tenantProcedure as unknown as Procedure)._def.middlewares[publicDepth]; // the next one, sign-in
const isPublic = (path: string) => !registered[path]!._def.middlewares.includes(signInCheck);

const allowed = (path: string, role: Role) => {
  const action = registered[path]!._def.meta?.permission;
  return !action || can(role, action);
};

type ZodNode = {
  _zod?: {
    def: {
      type: string;
      format?: string;
      checks?: { _zod: { def: { format?: string } } }[];
      shape?: Record<string, ZodNode>;
      options?: ZodNode[];
      innerType?: ZodNode;
      in?: ZodNode;
      out?: ZodNode;
      element?: ZodNode;
      keyType?: ZodNode;
    };
  };
};

/** Field names that refer to another record (or filter by one), whatever their type says. */
const NAMES_A_RECORD = /(id|ids|token|ticket|number|phone|email|tags?|search|cursor|before)$/i;
const isUuid = (def: NonNullable<ZodNode['_zod']>['def']) =>
  def.format === 'uuid' || !!def.checks?.some((c) => c._zod.def.format === 'uuid');

/** Dotted paths of the string fields of a zod (v4) input that hold an id or name another record. */
function idFields(node: ZodNode | undefined, path = '', out = new Set<string>()): Set<string> {
  const def = node?._zod?.def;
  if (!def) return out;
  if (def.type === 'object')
    for (const [key, child] of Object.entries(def.shape!)) idFields(child, path ? `${path}.${key}` : key, out);
  else if (def.type === 'union') for (const option of def.options!) idFields(option, path, out);
  else if (def.type === 'pipe') [def.in, def.out].forEach((n) => idFields(n, path, out));
  else if (def.type === 'array') idFields(def.element, path, out);
  else if (def.type === 'record') {
    // A record keyed by ids (a member's custom-field values by field id): its keys name records.
    if (def.keyType?._zod && isUuid(def.keyType._zod.def)) out.add(`${path}[key]`);
  } else if (def.innerType) idFields(def.innerType, path, out);
  else if (def.type === 'string' && path && (isUuid(def) || NAMES_A_RECORD.test(path.split('.').at(-1)!)))
    out.add(path);
  return out;
}

/**
 * Paths of an input whose text carries one of `needles` (cursors are opened: they are base64url JSON); a record's
 * key that carries one is `<path>[key]`.
 */
function pathsCarrying(value: unknown, needles: string[], path = '', out = new Set<string>()): Set<string> {
  if (typeof value === 'string') {
    const opened = Buffer.from(value, 'base64url').toString('utf8');
    if (needles.some((n) => value.includes(n) || opened.includes(n))) out.add(path);
  } else if (Array.isArray(value)) value.forEach((v) => pathsCarrying(v, needles, path, out));
  else if (value && typeof value === 'object')
    for (const [key, v] of Object.entries(value)) {
      if (needles.some((n) => key.includes(n))) out.add(`${path}[key]`);
      pathsCarrying(v, needles, path ? `${path}.${key}` : key, out);
    }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Answers, and answers with every named value replaced by its role, so B's and nowhere's can be compared.
// ---------------------------------------------------------------------------------------------------------------

type Outcome = { value: unknown } | { error: { code: string; message: string } };
const codeOf = (o: Outcome) => ('error' in o ? o.error.code : 'ok');

const procedureAt = (c: Caller, path: string) =>
  path.split('.').reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], c) as (
    input: unknown,
  ) => Promise<unknown>;

async function outcomeOf(c: Caller, path: string, input: unknown): Promise<Outcome> {
  try {
    return { value: await procedureAt(c, path)(input) };
  } catch (err) {
    const e = err as { code?: string; message?: string };
    return { error: { code: e.code ?? 'THROWN', message: e.message ?? String(err) } };
  }
}

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;
const TIME = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})/g;
const TOKEN = /[A-Za-z0-9_-]{32,}/g; // tickets, invitation links, cursors: random per call
const DATA_URL = /data:[\w/+.-]+;base64,[A-Za-z0-9+/=]+/g; // a QR code of a new two-factor secret
const TOTP_KEY = /\b(?:[A-Z2-7]{4} ){3,}[A-Z2-7]{1,4}\b/g; // the same secret, grouped for typing

/** The answer with each value of `ids` named (`<memberId>`) and what is new per call (ids, times, tokens) masked. */
function normalised(outcome: Outcome, ids: Ids): unknown {
  let text = JSON.stringify(outcome);
  for (const [key, value] of Object.entries(ids).sort((p, q) => q[1].length - p[1].length))
    text = text.split(value).join(`<${key}>`);
  const masked = text.replace(DATA_URL, '<data-url>').replace(TOTP_KEY, '<key>');
  return JSON.parse(masked.replace(UUID, '<uuid>').replace(TIME, '<time>').replace(TOKEN, '<token>'));
}

// ---------------------------------------------------------------------------------------------------------------
// The cases: per procedure, inputs that name B (or nowhere) wherever a record can be named.
// ---------------------------------------------------------------------------------------------------------------

type Code = 'ok' | 'NOT_FOUND' | 'CONFLICT' | 'BAD_REQUEST' | 'PRECONDITION_FAILED';
/**
 * `expect`: B's answer for a role allowed the procedure (proves the call reached the procedure's own logic).
 * `disclosed`: why B's answer may differ from nowhere's (then nowhere's must be 'ok') — a value unique across churches.
 */
type Case = { input: (x: Ids, me: Me, a: Ids) => unknown; expect: Code; disclosed?: string };
const c = (input: Case['input'], expect: Code, disclosed?: string): Case => ({ input, expect, disclosed });

/** Fields naming the other church, added to every input (zod objects strip them; a careless handler might not). */
const extras = (x: Ids) => ({
  ...{ tenantId: x.tenantId, churchId: x.tenantId, tenant: x.tenantId },
  ...{ adminId: x.ownerId, sessionId: x.sessionId },
});
/** An input: the extras, then the fields the procedure reads (which win where a name is shared, like adminId). */
const w = (x: Ids, fields: Record<string, unknown> = {}) => ({ ...extras(x), ...fields });

const EMAIL_IS_GLOBAL = 'an email signs in to exactly one church, so it is unique across churches';
const LATER = () => new Date(Date.now() + 24 * 3600_000);
/**
 * Each church's quiet hours, set last in its seed (after its own text went out). A's are off, so nothing A does hangs
 * on the hour the suite runs at; B's are on. Neither is the default, so an answer carrying the other's would show.
 */
const QUIET = {
  alpha: { enabled: false, startMinute: 22 * 60 + 30, endMinute: 7 * 60 + 15 },
  bethel: { enabled: true, startMinute: 20 * 60 + 45, endMinute: 6 * 60 + 30 },
};
const FAR = '2999-01-01T00:00:00.000000Z'; // a cursor time after everything: the page holds all of A's rows
/** A 1×1 PNG, as media.upload takes a picture: its raw bytes as the request body's stream. */
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
);
// The server's parser takes the request body's stream; the input type names what a browser sends (a Blob).
const pngStream = () => new Blob([new Uint8Array(PNG)]).stream() as unknown as OctetInput;

/**
 * A connect card form token as the page at /c/<slug> issues it (signed with the test services' STEEPLE_SECRET_KEY),
 * opened long enough ago to be sent.
 */
const formToken = (slug: string) => issueFormToken(testSecretKey, slug, Date.now() - 5_000);
/** A visitor's card sent to `slug` with `token`: every other field names `x` where it can. */
const card = (x: Ids, slug: string, token: string) => ({
  ...extras(x),
  ...{ slug, firstName: x.memberName, lastName: 'Visitor', phone: x.memberPhone, email: x.ownerEmail },
  ...{ firstVisit: 'yes' as const, prayer: `for ${x.churchName}`, consent: true, token },
});

const signupAs = (x: Ids, email: string) =>
  w(x, { churchName: x.churchName, timezone: 'UTC', adminName: 'Intruder', email, password: 'intruder password' });
const plain = (expect: Code) => [c((x) => w(x), expect)];
/** A weekly repeat from the day after tomorrow for a month (dates are the church's own; two days clear any zone). */
const weekly = () => {
  const day = (n: number) => new Date(Date.now() + n * 24 * 3600_000).toISOString().slice(0, 10);
  return {
    frequency: 'weekly' as const,
    weekdays: ['SA' as const],
    time: '17:00',
    startDate: day(2),
    endDate: day(32),
  };
};
/**
 * Conditions naming the other church's tag (which matches none of A's members), branch and field. A count takes any
 * branch (it matches nobody); a segment or broadcast written with one that is not A's is refused.
 */
const byTags = (x: Ids) => ({
  ...{ tagsAny: [x.tag], tagsAll: [x.tag], tagsNone: [x.tag] },
  ...{ firstVisitDays: 3660, subscription: 'subscribed' as const },
});
const byBranchAndTags = (x: Ids) => ({ branchId: x.branchId, ...byTags(x) });
const byField = (x: Ids, op: 'is' | 'set' = 'is') => ({
  fields: [{ fieldId: x.fieldId, op, ...(op === 'is' ? { value: 'yes' } : {}) }],
});
/** A sequence's parts: one step, the hand trigger, a date trigger on a field, enrolling an audience. */
const STEPS = [{ wait: 0, unit: 'hours', body: 'Hello {first_name|friend}' }] as const;
const MANUAL = { kind: 'manual' } as const;
const byDate = (x: Ids) => ({ kind: 'date', fieldId: x.fieldId, atMinute: 540 });
const byAudience = (audience: Record<string, unknown>) => ({ type: 'audience', audience });

const cases: Record<string, Case[]> = {
  'onboarding.signup': [
    c((x) => signupAs(x, x.ownerEmail), 'CONFLICT', EMAIL_IS_GLOBAL),
    c((x) => signupAs(x, x.staffEmail), 'CONFLICT', EMAIL_IS_GLOBAL),
  ],
  'onboarding.status': [
    c((x) => w(x, { ticket: x.tenantId }), 'NOT_FOUND'),
    c((x) => w(x, { ticket: x.jobId }), 'NOT_FOUND'),
    c((x) => w(x, { ticket: x.inviteToken }), 'NOT_FOUND'),
  ],
  'onboarding.retry': [
    c((x) => w(x, { ticket: x.tenantId }), 'NOT_FOUND'),
    c((x) => w(x, { ticket: x.inviteToken }), 'NOT_FOUND'),
  ],
  'church.profile': plain('ok'),
  'church.admins': plain('ok'),
  'church.quietHours': plain('ok'), // A's own setting, whatever the input names
  // Nothing in it names a record: the extras carry B. The day's first and last minute, then an equal start and end
  // (refused while on, accepted while off, which also leaves A's switched off again), then a minute past the day.
  'church.updateQuietHours': [
    c((x) => w(x, { enabled: true, startMinute: 0, endMinute: 1439 }), 'ok'),
    c((x) => w(x, { enabled: true, startMinute: 480, endMinute: 480 }), 'BAD_REQUEST'),
    c((x) => w(x, { enabled: false, startMinute: 480, endMinute: 480 }), 'ok'),
    c((x) => w(x, { enabled: true, startMinute: 1260, endMinute: 1440 }), 'BAD_REQUEST'),
  ],
  'church.updateProfile': [
    c(
      (x) =>
        w(x, {
          churchName: 'Alpha Parish',
          timezone: 'Europe/London',
          country: 'US',
          contactPhone: x.memberPhone,
          contactEmail: x.inviteEmail,
        }),
      'ok',
    ),
  ],
  'account.me': plain('ok'),
  'account.changePassword': [
    c((x) => w(x, { currentPassword: x.ownerPassword, newPassword: 'taken over password' }), 'BAD_REQUEST'),
    // A's own, only: refused as a "new" password equal to the current one, after the current one was accepted.
    c((x, me) => w(x, { currentPassword: me.password, newPassword: me.password }), 'BAD_REQUEST'),
  ],
  // Public: the church comes from the emailed link alone. B's pending invitee has no account (nothing is sent, the
  // answer is the same); B's invitation token or ids are no reset link. (tests/account-security.test.ts: the rest.)
  'passwordReset.request': [c((x) => w(x, { email: x.inviteEmail }), 'ok')],
  'passwordReset.check': [
    c((x) => w(x, { token: x.inviteToken }), 'NOT_FOUND'),
    c((x) => w(x, { token: x.tenantId }), 'NOT_FOUND'),
  ],
  'passwordReset.complete': [c((x) => w(x, { token: x.inviteToken, password: 'intruder password' }), 'NOT_FOUND')],
  // Public too: B's tokens are no verification link. (tests/email-verification.test.ts: the rest.)
  'emailVerification.verify': [
    c((x) => w(x, { token: x.inviteToken }), 'NOT_FOUND'),
    c((x) => w(x, { token: x.tenantId }), 'NOT_FOUND'),
  ],
  // The caller's own address, whoever B's ids name.
  'emailVerification.resend': [c((x) => w(x, { adminId: x.ownerId }), 'ok')],
  // A's own mobile: B's member's number is only a number here (A's row changes; B's nothing).
  'account.setMobile': [c((x) => w(x, { phone: x.memberPhone }), 'ok')],
  'twoFactor.status': plain('ok'),
  'twoFactor.begin': plain('ok'),
  // A is restored after every write, so no setup was begun: nothing to confirm, whoever's ids ride along.
  'twoFactor.confirm': [c((x) => w(x, { code: '000000' }), 'CONFLICT')],
  // B's owner's password is not A's caller's.
  'twoFactor.disable': [c((x) => w(x, { password: x.ownerPassword }), 'BAD_REQUEST')],
  'twoFactor.newRecoveryCodes': [c((x) => w(x, { password: x.ownerPassword }), 'BAD_REQUEST')],
  'twoFactor.requireForTeam': [c((x) => w(x, { required: false }), 'ok')],
  'account.signOutEverywhere': [c((x) => w(x), 'ok'), c((x) => w(x, { adminId: x.staffId }), 'ok')],
  'team.list': plain('ok'),
  // A's own log, whoever B's ids name: a person of B's has no rows in A's database, and a cursor only pages A's.
  'activity.list': [
    c((x) => w(x, { person: x.staffId }), 'ok'),
    c((x) => w(x, { cursor: encodeCursor([FAR, x.staffId]) }), 'ok'),
  ],
  'team.invite': [
    c((x) => w(x, { email: `alpha-new-${randomUUID()}@example.org`, role: 'admin' }), 'ok'),
    c((x) => w(x, { email: x.staffEmail, role: 'admin' }), 'CONFLICT', EMAIL_IS_GLOBAL),
    c((x) => w(x, { email: x.inviteEmail, role: 'staff' }), 'ok'), // B's pending invitee is nobody's account yet
  ],
  'team.revokeInvite': [
    c((x) => w(x, { id: x.inviteId }), 'NOT_FOUND'),
    c((x) => w(x, { id: x.staffId }), 'NOT_FOUND'),
  ],
  'team.changeRole': [
    c((x) => w(x, { adminId: x.staffId, role: 'owner' }), 'NOT_FOUND'),
    c((x) => w(x, { adminId: x.ownerId, role: 'staff' }), 'NOT_FOUND'),
    c((x) => w(x, { adminId: x.adminId, role: 'staff' }), 'NOT_FOUND'),
    c((x) => w(x, { adminId: x.inviteId, role: 'owner' }), 'NOT_FOUND'),
  ],
  'team.remove': [
    c((x) => w(x, { adminId: x.staffId }), 'NOT_FOUND'),
    c((x) => w(x, { adminId: x.adminId }), 'NOT_FOUND'),
    c((x) => w(x, { adminId: x.ownerId }), 'NOT_FOUND'),
  ],
  'team.invitation': [
    c((x) => w(x, { token: x.inviteId }), 'NOT_FOUND'),
    c((x) => w(x, { token: x.tenantId }), 'NOT_FOUND'),
  ],
  'team.accept': [
    c((x) => w(x, { token: x.inviteId, name: 'Intruder', password: 'intruder password' }), 'NOT_FOUND'),
    c((x) => w(x, { token: x.tenantId, name: 'Intruder', password: 'intruder password' }), 'NOT_FOUND'),
  ],
  'members.list': [
    c((x) => w(x, { search: x.memberName }), 'ok'),
    c((x) => w(x, { search: x.memberPhone }), 'ok'),
    c((x) => w(x, { branchId: x.branchId }), 'ok'),
    c((x) => w(x, { tag: x.tag }), 'ok'),
    c((x) => w(x, { cursor: encodeCursor(['zzzz', 'zzzz', x.memberId]) }), 'ok'),
    c((x) => w(x, { segmentId: x.segmentId }), 'NOT_FOUND'),
    c((x, _me, a) => w(x, { segmentId: a.segmentId, branchId: x.branchId, tag: x.tag }), 'ok'), // A's segment
  ],
  'members.get': [c((x) => w(x, { id: x.memberId }), 'NOT_FOUND')],
  'members.profile': [c((x) => w(x, { id: x.memberId }), 'NOT_FOUND')],
  'members.create': [
    // The same number (and email, and tag) may belong to a member of each church.
    c((x) => w(x, { firstName: 'Alpha', phone: x.memberPhone, email: x.ownerEmail, tags: [x.tag] }), 'ok'),
    c((x) => w(x, { firstName: 'Alpha', phone: '(202) 555-0198', branchId: x.branchId }), 'BAD_REQUEST'),
    // A value for B's field (beside one for A's own): a field A does not have, so nobody is created.
    c(
      (x, _me, a) =>
        w(x, { firstName: 'Alpha', phone: '(202) 555-0196', fields: { [a.fieldId]: 'yes', [x.fieldId]: 'yes' } }),
      'BAD_REQUEST',
    ),
  ],
  'members.update': [
    c((x) => w(x, { id: x.memberId, firstName: 'Taken' }), 'NOT_FOUND'),
    c((x, _me, a) => w(x, { id: a.memberId, branchId: x.branchId }), 'BAD_REQUEST'),
    c((x, _me, a) => w(x, { id: a.memberId, phone: x.memberPhone, email: x.ownerEmail, tags: [x.tag] }), 'ok'),
    c((x) => w(x, { id: x.memberId, fields: { [x.fieldId]: 'no' }, firstVisitOn: '2024-01-07' }), 'NOT_FOUND'),
    c((x, _me, a) => w(x, { id: a.memberId, fields: { [x.fieldId]: 'no' } }), 'BAD_REQUEST'),
    c((x, _me, a) => w(x, { id: a.memberId, fields: { [x.fieldId]: '' } }), 'BAD_REQUEST'), // '' would clear it
  ],
  'members.delete': [c((x) => w(x, { id: x.memberId }), 'NOT_FOUND')],
  'members.tags': plain('ok'),
  'members.consentLog': [c((x) => w(x, { id: x.memberId }), 'ok')], // A's log of that id: empty
  'members.importPreview': [
    c((x) => w(x, { csv: `first_name,phone,branch,tags\nX,${x.memberPhone},${x.branchName},${x.tag}` }), 'ok'),
  ],
  'members.import': [c((x) => w(x, { csv: `first_name,phone,branch\nY,${x.memberPhone},${x.branchName}` }), 'ok')],
  'members.export': plain('ok'),
  'branches.list': plain('ok'),
  'branches.create': [c((x) => w(x, { name: x.branchName }), 'ok')], // names are per church
  'branches.update': [
    c((x) => w(x, { id: x.branchId, name: 'Stolen' }), 'NOT_FOUND'),
    c((x, _me, a) => w(x, { id: a.branchId, name: x.branchName }), 'ok'),
  ],
  'branches.delete': [c((x) => w(x, { id: x.branchId }), 'NOT_FOUND')],
  'conversations.list': [c((x) => w(x, { cursor: encodeCursor([true, FAR, x.conversationId]) }), 'ok')],
  'conversations.get': [
    c((x) => w(x, { id: x.conversationId }), 'NOT_FOUND'),
    c((x, _me, a) => w(x, { id: a.conversationId, before: encodeCursor([FAR, x.messageId]) }), 'ok'),
  ],
  'conversations.assign': [
    c((x) => w(x, { id: x.conversationId, adminId: null }), 'NOT_FOUND'),
    c((x) => w(x, { id: x.conversationId, adminId: x.staffId }), 'BAD_REQUEST'),
    c((x, _me, a) => w(x, { id: a.conversationId, adminId: x.staffId }), 'BAD_REQUEST'),
  ],
  'conversations.forMember': [c((x) => w(x, { memberId: x.memberId }), 'ok')],
  'conversations.markRead': [c((x) => w(x, { id: x.conversationId }), 'NOT_FOUND')],
  'conversations.markUnread': [c((x) => w(x, { id: x.conversationId }), 'NOT_FOUND')],
  'conversations.setClosed': [
    c((x) => w(x, { id: x.conversationId, closed: true }), 'NOT_FOUND'),
    c((x) => w(x, { id: x.conversationId, closed: false }), 'NOT_FOUND'),
  ],
  'conversations.addNote': [c((x) => w(x, { id: x.conversationId, body: 'taken over' }), 'NOT_FOUND')],
  'conversations.deleteNote': [c((x) => w(x, { id: x.noteId }), 'NOT_FOUND')],
  // B's words (its name is in its texts and notes) find only A's own.
  'conversations.search': [
    c((x) => w(x, { query: x.memberName }), 'ok'),
    c((x) => w(x, { query: 'note team', cursor: encodeCursor([FAR, x.noteId]) }), 'ok'),
  ],
  'messages.send': [
    c((x) => w(x, { memberId: x.memberId, body: 'hello' }), 'NOT_FOUND'),
    // Confirmed for quiet hours (or said not to be): still nobody of A's.
    c((x) => w(x, { memberId: x.memberId, body: 'hello', duringQuietHours: true }), 'NOT_FOUND'),
    c((x) => w(x, { memberId: x.memberId, body: 'hello', duringQuietHours: false }), 'NOT_FOUND'),
    // A's member, B's picture: no picture of A's.
    c((x, _me, a) => w(x, { memberId: a.memberId, body: 'hello', mediaId: x.mediaId }), 'NOT_FOUND'),
  ],
  // The picture is the body; nothing in the request can name another church, and it is kept as A's.
  'media.upload': [c(() => pngStream(), 'ok')],
  'messages.simulateReply': [c((x) => w(x, { conversationId: x.conversationId, body: 'STOP' }), 'NOT_FOUND')],
  'messages.retry': [c((x) => w(x, { id: x.messageId, duringQuietHours: true }), 'NOT_FOUND')],
  'broadcasts.list': [c((x) => w(x, { cursor: encodeCursor([FAR, x.broadcastId]) }), 'ok')],
  'broadcasts.get': [c((x) => w(x, { id: x.broadcastId }), 'NOT_FOUND')],
  'broadcasts.preview': [
    c((x) => w(x, { audience: { type: 'branch', branchId: x.branchId }, body: 'x' }), 'ok'),
    c((x) => w(x, { audience: { type: 'tag', tag: x.tag }, body: 'x' }), 'ok'),
    // Who would be held in their quiet hours at a time chosen: A's setting, over A's members.
    c((x) => w(x, { audience: { type: 'branch', branchId: x.branchId }, body: 'x', scheduledAt: LATER() }), 'ok'),
    c((x) => w(x, { audience: { type: 'tag', tag: x.tag }, body: 'x', scheduledAt: null }), 'ok'),
    c((x) => w(x, { audience: { type: 'segment', segmentId: x.segmentId }, body: 'x' }), 'BAD_REQUEST'),
    c((x) => w(x, { audience: { type: 'filter', filter: byBranchAndTags(x) }, body: 'x' }), 'ok'),
    c((x) => w(x, { audience: { type: 'filter', filter: byField(x) }, body: 'x' }), 'BAD_REQUEST'),
    c((x) => w(x, { audience: { type: 'filter', filter: byField(x, 'set') }, body: 'x' }), 'BAD_REQUEST'),
  ],
  'broadcasts.create': [
    c((x) => w(x, { body: 'x', audience: { type: 'branch', branchId: x.branchId } }), 'BAD_REQUEST'),
    c((x) => w(x, { body: 'x', audience: { type: 'tag', tag: x.tag }, scheduledAt: LATER() }), 'ok'),
    c((x) => w(x, { body: 'x', audience: { type: 'segment', segmentId: x.segmentId } }), 'BAD_REQUEST'),
    c((x) => w(x, { body: 'x', audience: { type: 'filter', filter: byField(x) } }), 'BAD_REQUEST'),
    c((x) => w(x, { body: `Hi {${x.fieldKey}}`, audience: { type: 'all' } }), 'BAD_REQUEST'),
    c((x) => w(x, { body: 'x', audience: { type: 'filter', filter: byBranchAndTags(x) } }), 'BAD_REQUEST'),
    c((x) => w(x, { body: 'x', audience: { type: 'filter', filter: byTags(x) }, scheduledAt: LATER() }), 'ok'),
    c((x) => w(x, { body: '', mediaId: x.mediaId, audience: { type: 'all' }, scheduledAt: LATER() }), 'NOT_FOUND'),
  ],
  'broadcasts.cancel': [c((x) => w(x, { id: x.broadcastId }), 'NOT_FOUND')],
  'broadcasts.series': plain('ok'),
  'broadcasts.previewSeries': [c((x) => w(x, weekly()), 'ok')],
  'broadcasts.createSeries': [
    c((x) => w(x, { body: 'x', audience: { type: 'tag', tag: x.tag }, ...weekly() }), 'ok'),
    c((x) => w(x, { body: 'x', audience: { type: 'branch', branchId: x.branchId }, ...weekly() }), 'BAD_REQUEST'),
    c((x) => w(x, { body: 'x', audience: { type: 'segment', segmentId: x.segmentId }, ...weekly() }), 'BAD_REQUEST'),
    c((x) => w(x, { body: 'x', audience: { type: 'filter', filter: byField(x) }, ...weekly() }), 'BAD_REQUEST'),
    c((x) => w(x, { body: 'x', audience: { type: 'filter', filter: byBranchAndTags(x) }, ...weekly() }), 'BAD_REQUEST'),
    c((x) => w(x, { body: 'x', mediaId: x.mediaId, audience: { type: 'all' }, ...weekly() }), 'NOT_FOUND'),
  ],
  'broadcasts.skipOccurrence': [c((x) => w(x, { seriesId: x.seriesId, at: LATER() }), 'NOT_FOUND')],
  'broadcasts.unskipOccurrence': [c((x) => w(x, { seriesId: x.seriesId, at: LATER() }), 'NOT_FOUND')],
  'broadcasts.stopSeries': [c((x) => w(x, { id: x.seriesId }), 'NOT_FOUND')],
  'notifications.get': plain('ok'),
  'notifications.update': [
    c(
      (x) =>
        w(x, {
          email: { inbound: 'all', connectCard: true, sequenceReply: true },
          push: { inbound: 'assigned', connectCard: false, sequenceReply: false },
          digestMinute: 480,
        }),
      'ok',
    ),
  ],
  // No VAPID keys here: browser notifications are not set up, whoever asks.
  'notifications.subscribePush': [
    c(
      (x) =>
        w(x, {
          endpoint: 'https://fcm.googleapis.com/fcm/send/boundary',
          keys: { p256dh: 'B' + 'A'.repeat(86), auth: 'A'.repeat(22) },
        }),
      'PRECONDITION_FAILED',
    ),
  ],
  'notifications.unsubscribePush': [c((x) => w(x, { endpoint: 'https://fcm.googleapis.com/fcm/send/boundary' }), 'ok')],
  'phoneNumbers.list': plain('ok'),
  'phoneNumbers.search': plain('ok'),
  // A holds its one number, so any order is refused before the number is looked at (phone-numbers.test.ts has more).
  'phoneNumbers.order': [c((x) => w(x, { phoneNumber: x.numberE164 }), 'PRECONDITION_FAILED')],
  // A's own registration: nothing in it can name B's (it has no ids), and A's number is A's.
  'registration.get': plain('ok'),
  'registration.submit': [
    c((x) => {
      const contact = { contactEmail: x.ownerEmail, contactPhone: x.memberPhone, legalName: x.churchName };
      return w(x, { kind: '10dlc', details: registrationForm(contact) });
    }, 'CONFLICT'),
  ],
  'phoneNumbers.release': [
    c((x) => w(x, { number: x.numberE164, confirmation: x.numberE164 }), 'NOT_FOUND'),
    c((x) => w(x, { number: x.numberE164, confirmation: x.number }), 'NOT_FOUND'),
  ],
  'dashboard.summary': plain('ok'),
  'billing.status': plain('ok'),
  'billing.plan': plain('ok'), // the same plan for every church: nothing of one to leak
  'billing.allowance': plain('ok'),
  'keywords.list': plain('ok'),
  'keywords.create': [
    // Words are per church: A may use B's word too.
    c((x) => w(x, { keyword: x.keyword, reply: 'Welcome {first_name|friend}', addTags: [x.tag] }), 'ok'),
    c((x) => w(x, { keyword: 'FIELDS', reply: `Welcome {${x.fieldKey}|friend}` }), 'BAD_REQUEST'), // not A's field
  ],
  'keywords.update': [
    c((x) => w(x, { id: x.keywordId, reply: 'Taken over' }), 'NOT_FOUND'),
    c((x) => w(x, { id: x.keywordId, keyword: x.keyword, addTags: [x.tag] }), 'NOT_FOUND'),
    c((x, _me, a) => w(x, { id: a.keywordId, keyword: x.keyword, addTags: [x.tag] }), 'ok'),
  ],
  'keywords.delete': [c((x) => w(x, { id: x.keywordId }), 'NOT_FOUND')],
  'keywords.stats': [c((x) => w(x, { id: x.keywordId }), 'NOT_FOUND')],
  'templates.list': plain('ok'),
  // Names are per church: A may use B's name too.
  'templates.create': [
    c((x) => w(x, { name: x.templateName, body: 'Hello {first_name|friend}' }), 'ok'),
    c((x) => w(x, { name: 'Fields', body: `Hello {${x.fieldKey}|friend}` }), 'BAD_REQUEST'), // not A's field
  ],
  'templates.update': [
    c((x) => w(x, { id: x.templateId, body: 'Taken over' }), 'NOT_FOUND'),
    c((x) => w(x, { id: x.templateId, name: x.templateName }), 'NOT_FOUND'),
    c((x, _me, a) => w(x, { id: a.templateId, name: x.templateName }), 'ok'),
  ],
  'templates.delete': [c((x) => w(x, { id: x.templateId }), 'NOT_FOUND')],
  'connectCard.get': plain('ok'),
  'connectCard.qrPng': plain('ok'),
  'connectCard.weeks': plain('ok'),
  // Tags are per church: A may use B's too.
  'connectCard.update': [
    c((x) => w(x, { tags: [x.tag], firstVisitTag: x.tag, welcomeText: `Welcome to ${x.churchName}!` }), 'ok'),
    c((x) => w(x, { welcomeText: `Welcome, {${x.fieldKey}|friend}!` }), 'BAD_REQUEST'), // not A's field
  ],
  // Public: the church is the one its slug names, never one an input field names. A card sent with A's slug (and a
  // token for it) lands in A whatever else it carries; a token for B's slug, or another secret of B's, is no token
  // for A's. (B's own slug is tested on its own below: sending B's card is open to anyone, so it would change B.)
  'connectCard.submit': [
    c((x, _me, a) => card(x, a.slug, formToken(a.slug)), 'ok'),
    c((x, _me, a) => card(x, a.slug, x.cardToken), 'BAD_REQUEST'),
    c((x, _me, a) => card(x, a.slug, x.inviteToken), 'BAD_REQUEST'),
  ],
  'customFields.list': plain('ok'),
  // Labels, and so merge fields, are per church: A may use B's too.
  'customFields.create': [
    c((x) => w(x, { label: x.fieldLabel, type: 'yes_no' }), 'ok'),
    c((x) => w(x, { label: `${x.segmentName} role`, type: 'choice', options: [x.tag, x.branchName] }), 'ok'),
  ],
  'customFields.update': [
    c((x) => w(x, { id: x.fieldId, label: 'Taken over' }), 'NOT_FOUND'),
    c((x) => w(x, { id: x.fieldId, label: x.fieldLabel, options: ['a', 'b'] }), 'NOT_FOUND'),
    c((x, _me, a) => w(x, { id: a.fieldId, label: x.fieldLabel }), 'ok'),
  ],
  'customFields.delete': [c((x) => w(x, { id: x.fieldId }), 'NOT_FOUND')],
  'segments.list': plain('ok'),
  'segments.count': [
    c((x) => w(x, { filter: byBranchAndTags(x) }), 'ok'),
    c((x) => w(x, { filter: byField(x) }), 'BAD_REQUEST'),
    c((x) => w(x, { filter: { ...byBranchAndTags(x), ...byField(x, 'set') } }), 'BAD_REQUEST'),
  ],
  // Names are per church: A may use B's name too (and B's tag, which matches none of A's members).
  'segments.create': [
    c((x) => w(x, { name: x.segmentName, filter: byTags(x) }), 'ok'),
    c((x) => w(x, { name: 'Stolen', filter: byBranchAndTags(x) }), 'BAD_REQUEST'),
    c((x) => w(x, { name: 'Stolen', filter: byField(x) }), 'BAD_REQUEST'),
  ],
  'segments.update': [
    c((x) => w(x, { id: x.segmentId, name: 'Taken over' }), 'NOT_FOUND'),
    c((x) => w(x, { id: x.segmentId, filter: byTags(x) }), 'NOT_FOUND'),
    // The conditions are checked first: refused alike, whoever's id it is.
    c((x) => w(x, { id: x.segmentId, filter: byBranchAndTags(x) }), 'BAD_REQUEST'),
    c((x) => w(x, { id: x.segmentId, filter: byField(x, 'set') }), 'BAD_REQUEST'),
    c((x, _me, a) => w(x, { id: a.segmentId, filter: byField(x) }), 'BAD_REQUEST'),
    c((x, _me, a) => w(x, { id: a.segmentId, filter: byBranchAndTags(x) }), 'BAD_REQUEST'),
    c((x, _me, a) => w(x, { id: a.segmentId, name: x.segmentName, filter: byTags(x) }), 'ok'),
  ],
  'segments.delete': [c((x) => w(x, { id: x.segmentId }), 'NOT_FOUND')],
  'sequences.list': plain('ok'),
  'sequences.get': [c((x) => w(x, { id: x.sequenceId }), 'NOT_FOUND')],
  'sequences.forMember': [c((x) => w(x, { memberId: x.memberId }), 'ok')], // A's sequences of that id: none
  // Names and tags are per church: A may use B's too. B's keyword, field and merge field are no trigger or text of A's.
  'sequences.create': [
    c((x) => w(x, { name: x.sequenceName, trigger: { kind: 'tag', tag: x.tag }, steps: STEPS }), 'ok'),
    c(
      (x) => w(x, { name: 'Stolen', trigger: { kind: 'keyword', keywordId: x.keywordId }, steps: STEPS }),
      'BAD_REQUEST',
    ),
    c((x) => w(x, { name: 'Stolen', trigger: byDate(x), steps: STEPS }), 'BAD_REQUEST'),
    c(
      (x) => w(x, { name: 'Fields', trigger: MANUAL, steps: [{ ...STEPS[0], body: `Hi {${x.fieldKey}}` }] }),
      'BAD_REQUEST',
    ),
  ],
  'sequences.update': [
    c((x) => w(x, { id: x.sequenceId, name: 'Taken over', trigger: MANUAL, steps: STEPS }), 'NOT_FOUND'),
    c(
      (x, _me, a) =>
        w(x, { id: a.sequenceId, name: x.sequenceName, trigger: { kind: 'tag', tag: x.tag }, steps: STEPS }),
      'ok',
    ),
    c(
      (x, _me, a) =>
        w(x, {
          id: a.sequenceId,
          name: a.sequenceName,
          trigger: { kind: 'keyword', keywordId: x.keywordId },
          steps: STEPS,
        }),
      'BAD_REQUEST',
    ),
    // The trigger is checked first: refused alike, whoever's id it is.
    c((x) => w(x, { id: x.sequenceId, name: 'Taken over', trigger: byDate(x), steps: STEPS }), 'BAD_REQUEST'),
  ],
  'sequences.setPaused': [c((x) => w(x, { id: x.sequenceId, paused: true }), 'NOT_FOUND')],
  'sequences.delete': [c((x) => w(x, { id: x.sequenceId }), 'NOT_FOUND')],
  'sequences.enroll': [
    c((x) => w(x, { id: x.sequenceId, who: { type: 'members', memberIds: [x.memberId] } }), 'NOT_FOUND'),
    c((x) => w(x, { id: x.sequenceId, who: { type: 'audience', audience: { type: 'all' } } }), 'NOT_FOUND'),
    // A's sequence, B's people: nobody of A's, so nobody joins (and nobody is counted as skipped).
    c((x, _me, a) => w(x, { id: a.sequenceId, who: { type: 'members', memberIds: [x.memberId] } }), 'ok'),
    c((x, _me, a) => w(x, { id: a.sequenceId, who: byAudience({ type: 'branch', branchId: x.branchId }) }), 'ok'),
    c((x, _me, a) => w(x, { id: a.sequenceId, who: byAudience({ type: 'tag', tag: x.tag }) }), 'ok'),
    c((x, _me, a) => w(x, { id: a.sequenceId, who: byAudience({ type: 'filter', filter: byBranchAndTags(x) }) }), 'ok'),
    c(
      (x, _me, a) => w(x, { id: a.sequenceId, who: byAudience({ type: 'segment', segmentId: x.segmentId }) }),
      'BAD_REQUEST',
    ),
    c(
      (x, _me, a) => w(x, { id: a.sequenceId, who: byAudience({ type: 'filter', filter: byField(x) }) }),
      'BAD_REQUEST',
    ),
  ],
  'sequences.remove': [c((x) => w(x, { enrollmentId: x.enrollmentId }), 'NOT_FOUND')],
  'billing.checkout': plain('PRECONDITION_FAILED'), // billing is off in this suite
  'billing.portal': plain('PRECONDITION_FAILED'),
};

// ---------------------------------------------------------------------------------------------------------------
// The registry snapshot's policy: B's rows in every table; whole tables where no church's rows are kept.
// ---------------------------------------------------------------------------------------------------------------

/** Registry tables A's own calls legitimately change: only their rows that mention B are compared. */
const CHANGED_BY_A: Record<string, string> = {
  'public.rate_limits': 'every sign-in and throttled call of A counts here',
  'graphile_worker._private_jobs': 'A’s signups, texts and broadcasts are queued here',
  'graphile_worker._private_job_queues': 'a job of A may open a queue',
  'graphile_worker._private_tasks': 'the first job of a kind registers its task',
};

/** Tables of churches (their own, and those keyed by tenant_id) keep B's rows; the rest are compared whole. */
const registryScope = (t: Table): Scope =>
  t.name === 'public.tenants' || t.columns.includes('tenant_id') || t.name in CHANGED_BY_A ? 'mentioning' : 'all';

describe('tenant boundary: a session of church A cannot learn of or act on church B', () => {
  let reg: TestRegistry;
  let a: Side;
  let b: Side;
  let aDb: postgres.Sql;
  let bDb: postgres.Sql;
  let aAsSetUp: Snapshot;
  let baseline: { church: Snapshot; registry: Snapshot };
  let mediaDir: string;

  /** A church with an owner, an admin, a staff member, a pending invitation, and something of everything. */
  async function setUp(name: string): Promise<Side> {
    const { tag, password, church, owner } = await namedChurch(reg.services, name);
    const people = { owner: { role: 'owner', adminId: church.adminId, email: church.email, password, client: owner } };
    for (const role of ['admin', 'staff'] as const) {
      const m = await addTeammate(reg.services, owner.caller, `${tag}-${role}@example.org`, role, `${tag} ${role} pw!`);
      const client = await signIn(reg.services, m.email, m.password);
      Object.assign(people, { [role]: { role, adminId: m.adminId, email: m.email, password: m.password, client } });
    }
    const [t] = await reg.admin<{ db_name: string; db_role: string; slug: string }[]>`
      select db_name, db_role, slug from tenants where id = ${church.tenantId}`;
    const content = await seed(owner.caller, tag, t!.slug, church.tenantId);
    const all = people as Record<Role, Me>;
    return {
      ids: {
        ...content,
        slug: t!.slug,
        tenantId: church.tenantId,
        ownerId: church.adminId,
        adminId: all.admin.adminId,
        staffId: all.staff.adminId,
        sessionId: owner.signed.sessionId,
        jobId: church.jobId,
        ownerEmail: church.email,
        staffEmail: all.staff.email,
        ownerPassword: password,
        churchName: name,
      },
      people: all,
      dbName: t!.db_name,
      dbRole: t!.db_role,
      ticket: church.ticket,
      inviteTokenHash: sha256(content.inviteToken),
      sessionIds: ROLES.map((r) => all[r].client.signed.sessionId),
    };
  }

  /**
   * An invitation, a branch, a subscribed member in it, a text to them (queued: no worker runs here), a broadcast,
   * a keyword the member has texted (so its list row and stats have uses to give away), a message template, a
   * connect card with its own settings that a visitor has sent in (a new member, tagged, welcomed, prayed for), a
   * custom field the member has a value in (and a first visit), a segment whose conditions use it, a sequence the
   * keyword starts with the member enrolled in it (by hand; not run), a picture uploaded (not yet sent), and quiet
   * hours of its own (QUIET).
   */
  async function seed(owner: Caller, tag: string, slug: string, tenantId: string) {
    const inviteEmail = `${tag}-invitee@example.org`;
    const pending = await owner.team.invite({ email: inviteEmail, role: 'admin' });
    const branch = await owner.branches.create({ name: `${tag[0]!.toUpperCase()}${tag.slice(1)} North` });
    const memberPhone = tag === 'alpha' ? '(202) 555-0189' : '(202) 555-0199';
    const field = await owner.customFields.create({ label: `${tag} baptised`, type: 'yes_no' });
    const member = await owner.members.create({
      ...{ firstName: tag, phone: memberPhone, branchId: branch.id, tags: [`${tag}-tag`] },
      ...{ subscription: 'subscribed', consentNote: 'paper connect card' }, // so B's consent log has a row too
      ...{ fields: { [field.id]: 'yes' }, firstVisitOn: '2024-03-31' },
    });
    const segment = await owner.segments.create({
      name: `${tag} parents`,
      filter: { branchId: branch.id, tagsAny: [`${tag}-tag`], fields: [{ fieldId: field.id, op: 'is', value: 'yes' }] },
    });
    const number = tag === 'alpha' ? '+12025550101' : '+12025550102';
    const { number: numberE164 } = await owner.phoneNumbers.order({ phoneNumber: number });
    // Registered with carriers (the simulated review approves at once), so it sends; B's registration is in B's data.
    await owner.registration.submit({ kind: '10dlc', details: registrationForm({ legalName: `${tag} church` }) });
    await checkRegistration(reg.services, tenantId, '10dlc');
    const sent = await owner.messages.send({ memberId: member.id, body: `hello from ${tag}` });
    const audience = { type: 'branch' as const, branchId: branch.id };
    const broadcast = await owner.broadcasts.create({ body: `${tag} news`, audience, scheduledAt: LATER() });
    const series = await owner.broadcasts.createSeries({ body: `${tag} weekly`, audience, ...weekly() });
    const keyword = await owner.keywords.create({
      ...{ keyword: `${tag.toUpperCase()}JOIN`, reply: `Welcome to ${tag}, {first_name|friend}!` },
      addTags: [`${tag}-joined`],
    });
    await owner.messages.simulateReply({ conversationId: sent.conversationId, body: keyword.word.toLowerCase() });
    const note = await owner.conversations.addNote({ id: sent.conversationId, body: `${tag} note for the team` });
    const template = await owner.templates.create({
      name: `${tag} welcome`,
      body: `Hi {first_name|friend}, from ${tag}`,
    });
    await owner.connectCard.update({ tags: [`${tag}-card`], welcomeText: `Welcome to ${tag}, {first_name|friend}!` });
    const cardToken = formToken(slug);
    await caller(reg.services, null).connectCard.submit({
      ...{ slug, firstName: 'Visitor', lastName: tag, phone: tag === 'alpha' ? '(202) 555-0188' : '(202) 555-0198' },
      ...{ firstVisit: 'yes', prayer: `for ${tag}`, consent: true, token: cardToken },
    });
    const sequence = await owner.sequences.create({
      name: `${tag} follow-up`,
      trigger: { kind: 'keyword', keywordId: keyword.id },
      steps: [{ wait: 1, unit: 'days', atMinute: 540, body: `Hi {first_name|friend}, from ${tag}` }],
    });
    await owner.sequences.enroll({ id: sequence.id, who: { type: 'members', memberIds: [member.id] } });
    const [enrollment] = await owner.sequences.forMember({ memberId: member.id });
    const picture = await owner.media.upload(pngStream());
    await owner.church.updateQuietHours(QUIET[tag as keyof typeof QUIET]);
    return {
      inviteId: pending.id,
      inviteToken: pending.url.split('/invite/')[1]!,
      inviteEmail,
      memberId: member.id,
      memberName: tag,
      memberPhone,
      memberE164: member.phone,
      tag: `${tag}-tag`,
      branchId: branch.id,
      branchName: branch.name,
      conversationId: sent.conversationId,
      noteId: note.id,
      messageId: sent.id,
      broadcastId: broadcast.id,
      seriesId: series.id,
      number,
      numberE164,
      keywordId: keyword.id,
      keyword: keyword.word,
      templateId: template.id,
      templateName: template.name,
      cardToken,
      fieldId: field.id,
      fieldLabel: field.label,
      fieldKey: field.key,
      segmentId: segment.id,
      segmentName: segment.name,
      sequenceId: sequence.id,
      sequenceName: `${tag} follow-up`,
      enrollmentId: enrollment!.enrollmentId,
      mediaId: picture.id,
    };
  }

  /** Strings that identify B: none may appear in an answer to A unless A's own input carried it. */
  const secretsOf = (side: Side) => [
    ...Object.values(side.ids),
    side.dbName,
    side.dbRole,
    side.ticket,
    side.inviteTokenHash,
    ...side.sessionIds,
  ];

  /** B's strings in an answer, but for those A's own input carried (in any of their spellings): an echo is no leak. */
  function leaks(outcome: Outcome, input: unknown) {
    const asked = JSON.stringify(input);
    const echoed = new Set(SPELLINGS.filter((same) => same.some((k) => asked.includes(b.ids[k]))).flat());
    const shown = JSON.stringify(outcome);
    const echoes = [...echoed].map((k) => b.ids[k]);
    return secretsOf(b).filter((s) => shown.includes(s) && !asked.includes(s) && !echoes.includes(s));
  }

  /** What marks a registry row as B's: its ids, keys and hashes (not names or emails, which A may also use). */
  const markersOf = (side: Side) => {
    const { ids } = side;
    return [
      ...[ids.tenantId, ids.ownerId, ids.adminId, ids.staffId, ids.inviteId, ids.jobId, ids.memberId],
      ...[ids.branchId, ids.conversationId, ids.messageId, ids.broadcastId, ids.numberE164, ids.keywordId],
      ...[ids.templateId, ids.slug, ids.fieldId, ids.segmentId, ids.sequenceId, ids.enrollmentId],
      ...[side.dbName, side.dbRole, side.inviteTokenHash, sha256(side.ticket), ...side.sessionIds],
    ];
  };

  const snapshotB = async () => ({
    church: await snapshotDatabase(bDb),
    registry: await snapshotDatabase(reg.admin, { scopeOf: registryScope, mentioning: markersOf(b) }),
  });

  const connect = (dbName: string) => postgres(withDatabase(serverUrl(), dbName), { max: 1, onnotice: () => {} });

  /** A caller for one of A's people, signing in again if a case signed them out (as the route handler would ask). */
  async function callerFor(me: Me): Promise<Caller> {
    if (!(await readSession(reg.services, me.client.cookie)))
      me.client = await signIn(reg.services, me.email, me.password);
    return me.client.caller;
  }

  beforeAll(async () => {
    // A busy CI machine must not turn a case into a 503.
    mediaDir = await mkdtemp(join(tmpdir(), 'steeple-boundary-media-'));
    reg = await createTestRegistry({ REGISTRY_TIMEOUT_MS: '20000', MEDIA_DIR: mediaDir });
    a = await setUp('Alpha Parish');
    b = await setUp('Bethel Parish');
    aDb = connect(a.dbName);
    bDb = connect(b.dbName);
    aAsSetUp = await snapshotDatabase(aDb);
    baseline = await snapshotB();
  });
  afterAll(async () => {
    await Promise.all([aDb, bDb].map((s) => s?.end({ timeout: 5 }).catch(() => {})));
    await reg?.cleanup();
    if (mediaDir) await rm(mediaDir, { recursive: true, force: true });
  });

  it('has cases for every procedure of the app router', () => {
    expect(procedures.length).toBeGreaterThan(40);
    expect(procedures.filter((p) => !(p in cases))).toEqual([]);
    expect(Object.keys(cases).filter((p) => !procedures.includes(p))).toEqual([]);
  });

  const idFieldsOf = (path: string) =>
    [...registered[path]!._def.inputs].reduce<Set<string>>(
      (out, input) => idFields(input as ZodNode, '', out),
      new Set(),
    );

  it('finds the id fields of the router’s inputs (so the next check is not vacuous)', () => {
    const found = procedures.flatMap((path) => [...idFieldsOf(path)].map((f) => `${path}: ${f}`));
    expect(found).toEqual(
      expect.arrayContaining([
        'members.update: id',
        'members.update: branchId',
        'members.list: cursor',
        'broadcasts.preview: audience.branchId',
        'broadcasts.preview: audience.tag',
        'team.accept: token',
        'phoneNumbers.release: number',
        'phoneNumbers.order: phoneNumber',
        'keywords.update: id',
        'keywords.update: addTags',
        'keywords.stats: id',
        'templates.update: id',
        'templates.delete: id',
        'connectCard.update: tags',
        'connectCard.update: firstVisitTag',
        'connectCard.submit: phone',
        'connectCard.submit: email',
        'connectCard.submit: token',
        'customFields.update: id',
        'customFields.delete: id',
        'members.create: fields[key]',
        'members.update: fields[key]',
        'members.list: segmentId',
        'segments.update: id',
        'segments.count: filter.branchId',
        'segments.create: filter.fields.fieldId',
        'broadcasts.create: audience.segmentId',
        'broadcasts.preview: audience.filter.branchId',
        'broadcasts.preview: audience.filter.fields.fieldId',
        'sequences.get: id',
        'sequences.forMember: memberId',
        'sequences.create: trigger.keywordId',
        'sequences.create: trigger.tag',
        'sequences.update: trigger.fieldId',
        'sequences.enroll: who.memberIds',
        'sequences.enroll: who.audience.branchId',
        'sequences.enroll: who.audience.filter.fields.fieldId',
        'sequences.remove: enrollmentId',
      ]),
    );
  });

  it('runs public procedures once: exactly those a signed-out caller is not refused', async () => {
    const anonymous = caller(reg.services, null);
    const refused = await Promise.all(procedures.map(async (p) => codeOf(await outcomeOf(anonymous, p, undefined))));
    const open = procedures.filter((_, i) => refused[i] !== 'UNAUTHORIZED'); // undefined input: zod stops the rest
    expect(procedures.filter(isPublic)).toEqual(open);
    expect(open.length).toBeLessThan(12);
  });

  it('names B in every input field that holds an id or names a record, of every procedure', () => {
    const needles = secretsOf(b);
    const uncovered = procedures.flatMap((path) => {
      const fields = idFieldsOf(path);
      const carried = new Set<string>();
      for (const kase of cases[path] ?? [])
        pathsCarrying(kase.input(b.ids, a.people.owner, a.ids), needles, '', carried);
      return [...fields].filter((f) => !carried.has(f)).map((f) => `${path}: ${f}`);
    });
    expect(uncovered).toEqual([]);
  });

  it('discovers every table of B’s database and the registry, and sees a change in any (control)', async () => {
    const names = Object.keys(baseline.church);
    for (const t of ['admins', 'invites', 'members', 'branches', 'consent_events', 'conversations', 'messages'])
      expect(names).toContain(`public.${t}`);
    const oneRow = [
      ...['keywords', 'keyword_uses', 'templates', 'connect_card', 'connect_card_submissions', 'quiet_hours'],
      ...['custom_fields', 'member_field_values', 'segments'],
      ...['sequences', 'sequence_steps', 'sequence_enrollments', 'media'],
    ];
    for (const t of oneRow) expect(baseline.church[`public.${t}`], t).toHaveLength(1);
    expect(aAsSetUp['public.connect_card'], 'one connect card per church').toHaveLength(1);
    expect(aAsSetUp['public.quiet_hours'], 'one quiet hours row per church').toHaveLength(1);
    const quiet = JSON.parse(baseline.church['public.quiet_hours']![0]!);
    expect(quiet, 'B’s own').toMatchObject({ enabled: true, start_minute: QUIET.bethel.startMinute });
    // A held text's time is in the rows compared.
    for (const row of baseline.church['public.messages']!) expect(Object.keys(JSON.parse(row))).toContain('not_before');
    expect(names).toContain('public.broadcasts');
    const registry = Object.keys(baseline.registry);
    for (const t of Object.keys(CHANGED_BY_A)) expect(registry, 'an exclusion names a real table').toContain(t);
    expect(registry).toEqual(
      expect.arrayContaining(['public.tenants', 'public.auth_sessions', 'public.inbound_events']),
    );
    await expectEveryTableWatched(bDb, (tx) => snapshotDatabase(tx), baseline.church);
    const registryIn = (tx: Queryable) => snapshotDatabase(tx, { scopeOf: registryScope, mentioning: markersOf(b) });
    await expectEveryTableWatched(reg.admin, registryIn, baseline.registry);
  });

  /** Delete one kept row of each non-empty table in a transaction that is rolled back: the snapshot must differ. */
  async function expectEveryTableWatched(
    sql: postgres.Sql,
    take: (tx: Queryable) => Promise<Snapshot>,
    base: Snapshot,
  ) {
    const kept = Object.entries(base).filter(([, rows]) => rows.length > 0);
    expect(kept.length).toBeGreaterThan(3);
    const rollback = new Error('rollback');
    for (const [table, rows] of kept) {
      await sql
        .begin(async (tx) => {
          await tx`set local session_replication_role = replica`; // no cascades: exactly one row goes
          await tx.unsafe(`delete from ${table} x where row_to_json(x)::text = $1`, [rows[0]!]);
          expect((await take(tx))[table], `${table}: a deleted row went unnoticed`).not.toEqual(rows);
          throw rollback;
        })
        .catch((err) => {
          if (err !== rollback) throw err;
        });
    }
  }

  it('sees B acting on itself (control)', async () => {
    const owner = b.people.owner.client.caller;
    await owner.team.changeRole({ adminId: b.ids.staffId, role: 'admin' });
    await owner.church.updateProfile({ churchName: 'Bethel Parish', timezone: 'UTC', country: 'US' });
    await owner.church.updateQuietHours({ ...QUIET.bethel, enabled: false });
    const after = await snapshotB();
    expect(after.church['public.admins']).not.toEqual(baseline.church['public.admins']);
    expect(after.registry['public.churches']).not.toEqual(baseline.registry['public.churches']);
    expect(after.church['public.quiet_hours']).not.toEqual(baseline.church['public.quiet_hours']);
    await owner.team.changeRole({ adminId: b.ids.staffId, role: 'staff' });
    await owner.church.updateQuietHours(QUIET.bethel);
    baseline = await snapshotB(); // what B looks like from here on
  });

  const matrix = procedures.flatMap((path) =>
    (isPublic(path) ? ['owner' as const] : ROLES).map((role) => ({ path, role })),
  );

  it.each(matrix)('$path as A’s $role: B’s ids answer as ids that exist nowhere, and change nothing', async (t) => {
    const me = a.people[t.role];
    for (const kase of cases[t.path]!) {
      const none = nowhere();
      const [theirs, nobodys] = [kase.input(b.ids, me, a.ids), kase.input(none, me, a.ids)];
      const label = `${t.path} as ${t.role}(${JSON.stringify(theirs)})`;
      const withB = await outcomeOf(await callerFor(me), t.path, theirs);
      const withNone = await outcomeOf(await callerFor(me), t.path, nobodys);
      const permitted = allowed(t.path, t.role);
      expect(codeOf(withB), label).toBe(permitted ? kase.expect : 'FORBIDDEN');
      expect(leaks(withB, theirs), `${label} answered with B's`).toEqual([]);
      if (kase.disclosed && permitted) expect(codeOf(withNone), `${label}: ${kase.disclosed}`).toBe('ok');
      else expect(normalised(withB, b.ids), `${label} told B from nowhere`).toEqual(normalised(withNone, none));
    }
    expect(await snapshotB(), `${t.path} as ${t.role} changed B`).toEqual(baseline);
    const wrote = registered[t.path]!._def.type === 'mutation' && allowed(t.path, t.role);
    if (wrote) await restoreDatabase(aDb, aAsSetUp); // A as set up again: the next test's answers start alike
  });

  it('A’s quiet hours are A’s own, for each of A’s people and in what a broadcast holds; B’s stay B’s', async () => {
    for (const role of ROLES) {
      const me = await callerFor(a.people[role]);
      expect(await me.church.quietHours(), role).toMatchObject({ id: 1, ...QUIET.alpha });
      const preview = await me.broadcasts.preview({ audience: { type: 'all' }, body: 'x', scheduledAt: LATER() });
      const { startMinute, endMinute } = QUIET.alpha;
      expect(preview.held, role).toEqual({ count: 0, first: null, last: null, startMinute, endMinute }); // off
    }
    expect(await b.people.owner.client.caller.church.quietHours()).toMatchObject(QUIET.bethel);
    expect(await snapshotB()).toEqual(baseline);
  });

  it('a connect card lands only in the church its slug names; a suspended or unknown slug has no card', async () => {
    const visitor = caller(reg.services, null, '203.0.113.7');
    const send = (slug: string, token: string) => visitor.connectCard.submit(card(b.ids, slug, token));
    const tokensIn = async (db: postgres.Sql) =>
      (await db<{ form_token: string }[]>`select form_token from connect_card_submissions`).map((r) => r.form_token);
    const NOT_AVAILABLE = { code: 'NOT_FOUND', message: 'This page is not available.' };

    // A's slug and a token for it, B's ids everywhere else: the card is A's, and only A's.
    const token = formToken(a.ids.slug);
    expect(await send(a.ids.slug, token)).toEqual({ firstName: b.ids.memberName });
    expect(await tokensIn(aDb)).toContain(token);
    expect(await tokensIn(bDb)).not.toContain(token);
    // A token signed for B's slug (valid there) is refused for A's; so is A's own one opened a moment ago.
    expect(await errorOf(send(a.ids.slug, formToken(b.ids.slug)))).toMatchObject({ code: 'BAD_REQUEST' });
    const quick = issueFormToken(testSecretKey, a.ids.slug, Date.now());
    expect(await errorOf(send(a.ids.slug, quick))).toMatchObject({
      code: 'BAD_REQUEST',
      message: expect.stringMatching(/^That was quick!/),
    });
    // No church at the slug, or not one in the registry's form: not available, with a token signed for it.
    const unknown = nowhere().slug;
    for (const slug of [unknown, a.ids.slug.toUpperCase(), ` ${a.ids.slug}`, `${a.ids.slug}/`, ''])
      expect(await errorOf(send(slug, formToken(slug))), slug).toMatchObject(NOT_AVAILABLE);
    // B suspended: its card is not available either, even with a token the page issued for it.
    const [was] = await reg.admin<{ status: string }[]>`select status from tenants where id = ${b.ids.tenantId}`;
    await reg.admin`update tenants set status = 'suspended' where id = ${b.ids.tenantId}`;
    try {
      expect(await errorOf(send(b.ids.slug, formToken(b.ids.slug)))).toMatchObject(NOT_AVAILABLE);
    } finally {
      await reg.admin`update tenants set status = ${was!.status} where id = ${b.ids.tenantId}`;
    }
    expect(await snapshotB(), 'a card changed B').toEqual(baseline);
    await restoreDatabase(aDb, aAsSetUp);
  });

  it('B’s people are still signed in and B’s team is whole', async () => {
    for (const role of ROLES) expect(await readSession(reg.services, b.people[role].client.cookie)).not.toBeNull();
    const members = (await b.people.owner.client.caller.team.list()).members.map((m) => m.id);
    expect(members.sort()).toEqual([b.ids.ownerId, b.ids.adminId, b.ids.staffId].sort());
  });

  it('a session mixing one church with the other’s admin is refused', async () => {
    const mixed = [
      { tenantId: a.ids.tenantId, adminId: b.ids.ownerId, sessionId: a.sessionIds[0]! },
      { tenantId: b.ids.tenantId, adminId: a.ids.ownerId, sessionId: a.sessionIds[0]! },
    ];
    for (const session of mixed) {
      for (const p of [
        (x: Caller) => x.account.me(),
        (x: Caller) => x.team.list(),
        (x: Caller) => x.church.profile(),
      ]) {
        expect((await errorOf(p(caller(reg.services, session)))).code).toBe('UNAUTHORIZED');
      }
    }
  });
});
