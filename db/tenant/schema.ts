import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  date,
  index,
  integer,
  jsonb,
  numeric,
  pgEnum,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import type { AudienceFilter } from '@/server/audiences/inputs';
import type { RegistrationDetails } from '@/server/registration/inputs';
import {
  ACTIVITY_ACTION_NAMES,
  ADMIN_ROLES,
  CUSTOM_FIELD_TYPES,
  ENROLLMENT_STATES,
  SEQUENCE_TRIGGERS,
  STEP_UNITS,
  STOP_REASONS,
  SUBSCRIPTION_STATES,
} from './enums';
import { INBOUND_CHOICES, NOTIFY_CHANNELS, NOTIFY_KINDS } from '../../server/notifications/kinds';

/**
 * One church's database. Cloned from the template, so every table here exists the moment a church is created.
 */

export const adminRole = pgEnum('admin_role', ADMIN_ROLES);

export const admins = pgTable('admins', {
  id: uuid('id').primaryKey(),
  name: text('name').notNull(),
  email: text('email').notNull().unique(), // normalised, mirrored in the registry's admin email index
  passwordHash: text('password_hash').notNull(),
  role: adminRole('role').notNull().default('staff'),
  /** Two-factor sign-in: the TOTP secret, AES-256-GCM encrypted with STEEPLE_SECRET_KEY; on once enabledAt is set. */
  totpSecret: text('totp_secret'),
  totpEnabledAt: timestamp('totp_enabled_at', { withTimezone: true }),
  /** The last 30-second step a code was accepted for: a code seen once is not accepted again (RFC 6238 §5.2). */
  totpLastStep: bigint('totp_last_step', { mode: 'number' }),
  /** Set when the admin opened the link emailed to them; until the owner's is set, the church texts only its team. */
  emailVerifiedAt: timestamp('email_verified_at', { withTimezone: true }),
  /** Their own mobile (E.164), optional: a member with this number is on the team, textable before verification. */
  phone: text('phone'),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

/** Ten single-use codes for signing in without the authenticator app, stored hashed; replaced all at once. */
export const recoveryCodes = pgTable(
  'recovery_codes',
  {
    adminId: uuid('admin_id')
      .notNull()
      .references(() => admins.id, { onDelete: 'cascade' }),
    codeHash: text('code_hash').notNull(),
    usedAt: timestamp('used_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.adminId, t.codeHash] })],
);

/** The team's sign-in rules (one row): an owner may require two-factor sign-in of everyone. */
export const teamSecurity = pgTable('team_security', {
  id: integer('id').primaryKey().default(1),
  requireTwoFactor: boolean('require_two_factor').notNull().default(false),
  updatedBy: uuid('updated_by'),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

/** Pending invitations to join the team; accepted ones become admins with the same id. */
export const invites = pgTable('invites', {
  id: uuid('id').primaryKey(),
  email: text('email').notNull(),
  role: adminRole('role').notNull(),
  tokenHash: text('token_hash').notNull().unique(),
  invitedBy: uuid('invited_by').notNull(),
  expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  acceptedAt: timestamp('accepted_at', { withTimezone: true }),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

export type Admin = typeof admins.$inferSelect;
export type AdminRole = (typeof adminRole.enumValues)[number];

// ---------------------------------------------------------------------------------------------
// The workspace: people, campuses, conversations and broadcasts.
// ---------------------------------------------------------------------------------------------

/** Campuses. A member belongs to at most one. */
export const branches = pgTable(
  'branches',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    name: text('name').notNull(),
    address: text('address'),
    timezone: text('timezone').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('branches_name_idx').on(sql`lower(${t.name})`)],
);

/**
 * Whether a member may be texted in broadcasts. `not_opted_in`: never agreed (someone who texted in, or was added
 * without a recorded consent) — answered in the inbox, never broadcast to. `unsubscribed`: they opted out, and only
 * their own opt-in (START, a keyword, a form) changes that.
 */
export const subscription = pgEnum('subscription', SUBSCRIPTION_STATES);
/**
 * How a member's opt-in state last changed: an admin, a CSV import, a first text, a keyword text, a form, or Steeple.
 */
export const optInSource = pgEnum('opt_in_source', ['admin', 'import', 'inbound', 'keyword', 'form', 'system']);

export const members = pgTable(
  'members',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    firstName: text('first_name').notNull(),
    lastName: text('last_name').notNull().default(''),
    phone: text('phone').notNull().unique(), // E.164, normalised against the church's country
    email: text('email'),
    branchId: uuid('branch_id').references(() => branches.id, { onDelete: 'set null' }),
    tags: text('tags')
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    notes: text('notes'),
    subscription: subscription('subscription').notNull().default('not_opted_in'),
    subscriptionChangedAt: timestamp('subscription_changed_at', { withTimezone: true }).notNull().defaultNow(),
    subscriptionSource: optInSource('subscription_source').notNull().default('admin'),
    /**
     * The arrival number (the registry's) of the last keyword of theirs applied: an older one, delivered late, changes
     * nothing.
     */
    consentSeq: bigint('consent_seq', { mode: 'number' }),
    /** The day of their first visit (the connect card's "first visit?", or an admin): "first-time guests" audiences. */
    firstVisitOn: date('first_visit_on'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    // The list's case-insensitive order.
    index('members_name_idx').on(sql`lower(${t.lastName})`, sql`lower(${t.firstName})`, t.id),
    index('members_branch_idx').on(t.branchId),
    index('members_tags_idx').using('gin', t.tags),
    index('members_first_visit_idx').on(t.firstVisitOn),
  ],
);

/** Who changed a member's consent: their own text (with its message id), an import, a form, an admin, or the system. */
export const consentSource = pgEnum('consent_source', ['text', 'import', 'form', 'admin', 'system']);

/**
 * Every change of a member's consent, never updated or deleted (the member's deletion keeps the record, by phone).
 * What carriers and CTIA ask a sender to be able to show: who agreed or refused, how, and when.
 */
export const consentEvents = pgTable(
  'consent_events',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    memberId: uuid('member_id').references(() => members.id, { onDelete: 'set null' }),
    phone: text('phone').notNull(),
    previous: subscription('previous'), // null when the member was created with this state
    state: subscription('state').notNull(),
    source: consentSource('source').notNull(),
    /** The word they texted, the admin's account of how they agreed, the file and row of an import. */
    detail: text('detail'),
    providerMessageId: text('provider_message_id'),
    adminId: uuid('admin_id'),
    /** The address a form was sent from (the connect card): what a carrier asks for as proof of a web opt-in. */
    clientAddress: text('client_address'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('consent_events_member_idx').on(t.memberId, t.createdAt),
    index('consent_events_phone_idx').on(t.phone, t.createdAt),
  ],
);

/** One thread per member (and so per phone). `churchNumber` is the number they last texted: replies go from it. */
export const conversations = pgTable(
  'conversations',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    memberId: uuid('member_id')
      .notNull()
      .unique()
      .references(() => members.id, { onDelete: 'cascade' }),
    churchNumber: text('church_number'),
    unreadCount: integer('unread_count').notNull().default(0),
    lastMessageAt: timestamp('last_message_at', { withTimezone: true }),
    lastMessagePreview: text('last_message_preview'),
    /** Who answers it; a teammate's removal hands their threads back to everyone (unassigned). */
    assignedAdminId: uuid('assigned_admin_id').references(() => admins.id, { onDelete: 'set null' }),
    /** Done: out of the open inbox until someone texts (inbound-plain.ts, inbound-keyword.ts, send.ts reopen it). */
    closedAt: timestamp('closed_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('conversations_inbox_idx').on(
      sql`(${t.unreadCount} > 0) desc`,
      sql`${t.lastMessageAt} desc nulls last`,
      t.id,
    ),
  ],
);

/** Staff's notes in a thread: shown among its messages, never sent. `adminId` is the author (null once removed). */
export const conversationNotes = pgTable(
  'conversation_notes',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    conversationId: uuid('conversation_id')
      .notNull()
      .references(() => conversations.id, { onDelete: 'cascade' }),
    adminId: uuid('admin_id').references(() => admins.id, { onDelete: 'set null' }),
    body: text('body').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('conversation_notes_thread_idx').on(t.conversationId, t.createdAt),
    index('conversation_notes_search_idx').using('gin', sql`to_tsvector('simple', ${t.body})`),
  ],
);

/** `filter`: any audience built from conditions (audiences/inputs.ts), kept in `filter` as it was when created. */
export const broadcastAudience = pgEnum('broadcast_audience', ['all', 'branch', 'tag', 'filter']);
export const broadcastState = pgEnum('broadcast_state', ['scheduled', 'sending', 'sent', 'canceled', 'failed']);

/**
 * A picture (server/media/): one the team uploaded to send, or one a member sent in (fetched from Telnyx by a job).
 * The bytes live in the object store under `storeKey`; a row nothing refers to after a day is swept, file and all.
 * `state`: inbound pictures are `fetching` until stored, then `ready`, or `failed` / `unsupported` (not an image).
 */
export const MEDIA_STATES = ['ready', 'fetching', 'failed', 'unsupported'] as const;
export const media = pgTable('media', {
  id: uuid('id').primaryKey().defaultRandom(),
  origin: text('origin', { enum: ['upload', 'inbound'] }).notNull(),
  state: text('state', { enum: MEDIA_STATES }).notNull().default('ready'),
  contentType: text('content_type').notNull(),
  bytes: integer('bytes'),
  storeKey: text('store_key'),
  /** Inbound only: where Telnyx keeps the file until we fetch it. */
  sourceUrl: text('source_url'),
  error: text('error'),
  uploadedBy: uuid('uploaded_by').references(() => admins.id, { onDelete: 'set null' }),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

/** The pictures of a message (an MMS), in order. A broadcast's copies each link the broadcast's one picture. */
export const messageMedia = pgTable(
  'message_media',
  {
    messageId: uuid('message_id')
      .notNull()
      .references(() => messages.id, { onDelete: 'cascade' }),
    // A picture a message carries is never deleted from under it (the sweep takes only unreferenced ones).
    mediaId: uuid('media_id')
      .notNull()
      .references(() => media.id, { onDelete: 'restrict' }),
    position: integer('position').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.messageId, t.position] }), index('message_media_media_idx').on(t.mediaId)],
);

/**
 * A broadcast that repeats ("every Saturday at 17:00 until June"): `rule` is an RFC 5545 recurrence (DTSTART with the
 * church's TZID and an RRULE), read with the rrule package. Each occurrence becomes its own broadcast (`seriesId`),
 * made ahead of its time; `skipped` holds occurrences an admin skipped, `endedAt` a series stopped early.
 */
export const broadcastSeries = pgTable('broadcast_series', {
  id: uuid('id').primaryKey().defaultRandom(),
  body: text('body').notNull(),
  audience: broadcastAudience('audience').notNull(),
  branchId: uuid('branch_id').references(() => branches.id, { onDelete: 'set null' }),
  tag: text('tag'),
  filter: jsonb('filter').$type<AudienceFilter>(),
  segmentName: text('segment_name'),
  /** The picture each occurrence carries (an MMS), if any. */
  mediaId: uuid('media_id').references(() => media.id),
  rule: text('rule').notNull(),
  skipped: timestamp('skipped', { withTimezone: true })
    .array()
    .notNull()
    .default(sql`'{}'`),
  endedAt: timestamp('ended_at', { withTimezone: true }),
  createdBy: uuid('created_by').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

export const broadcasts = pgTable(
  'broadcasts',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** The repeating broadcast this is one occurrence of (its `scheduledAt` is the occurrence). */
    seriesId: uuid('series_id').references(() => broadcastSeries.id, { onDelete: 'set null' }),
    body: text('body').notNull(),
    audience: broadcastAudience('audience').notNull(),
    branchId: uuid('branch_id').references(() => branches.id, { onDelete: 'set null' }),
    tag: text('tag'),
    filter: jsonb('filter').$type<AudienceFilter>(),
    /** The saved segment it was sent to, by name as it was then (the segment may change or go later). */
    segmentName: text('segment_name'),
    /** The picture it carries (an MMS: every recipient's message links it), if any. */
    mediaId: uuid('media_id').references(() => media.id),
    scheduledAt: timestamp('scheduled_at', { withTimezone: true }).notNull(),
    state: broadcastState('state').notNull().default('scheduled'),
    recipients: integer('recipients').notNull().default(0),
    skipped: integer('skipped').notNull().default(0), // in the audience but unsubscribed
    createdBy: uuid('created_by').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    startedAt: timestamp('started_at', { withTimezone: true }),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
    /** Why it failed, in words for the admin (the trial's daily allowance, the workspace closed, …). */
    error: text('error'),
  },
  (t) => [
    index('broadcasts_scheduled_idx').on(t.scheduledAt),
    // An occurrence is made once, however often the series is looked at.
    uniqueIndex('broadcasts_series_occurrence_idx')
      .on(t.seriesId, t.scheduledAt)
      .where(sql`${t.seriesId} is not null`),
  ],
);

export const messageDirection = pgEnum('message_direction', ['inbound', 'outbound']);
export const messageStatus = pgEnum('message_status', ['queued', 'sending', 'sent', 'delivered', 'failed', 'received']);
/**
 * `auto` replies (STOP/START/HELP confirmations) are the only sends allowed to an unsubscribed member; `sequence`
 * texts, like broadcasts, go only to subscribed members.
 */
export const messageKind = pgEnum('message_kind', ['conversation', 'broadcast', 'auto', 'sequence']);

export const messages = pgTable(
  'messages',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    conversationId: uuid('conversation_id')
      .notNull()
      .references(() => conversations.id, { onDelete: 'cascade' }),
    direction: messageDirection('direction').notNull(),
    kind: messageKind('kind').notNull().default('conversation'),
    body: text('body').notNull(),
    segments: integer('segments').notNull(),
    status: messageStatus('status').notNull(),
    error: text('error'),
    /** A failed text's carrier error code (Telnyx's 40xxx), read by messaging/carrier-outcomes.ts. */
    errorCode: text('error_code'),
    providerMessageId: text('provider_message_id').unique(), // idempotency key for inbound messages and delivery events
    fromNumber: text('from_number'),
    toNumber: text('to_number'),
    broadcastId: uuid('broadcast_id').references(() => broadcasts.id, { onDelete: 'set null' }),
    sentBy: uuid('sent_by'), // the admin who wrote it; null for inbound, broadcasts' own and auto replies
    /** A broadcast text held for its recipient's quiet hours: not sent before this (messaging/quiet-hours.ts). */
    notBefore: timestamp('not_before', { withTimezone: true }),
    /** A sequence's step: which enrollment, which step (server/sequences/runner.ts). */
    enrollmentId: uuid('enrollment_id').references(() => sequenceEnrollments.id, { onDelete: 'set null' }),
    stepPosition: integer('step_position'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    statusAt: timestamp('status_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('messages_thread_idx').on(t.conversationId, t.createdAt, t.id),
    index('messages_created_idx').on(t.createdAt),
    // The inbox's search across what was said (conversations.search): words, any language, no stemming. Personal
    // texts only: a broadcast's or a sequence's copies (one per recipient) would drown the replies being looked for.
    index('messages_body_search_idx')
      .using('gin', sql`to_tsvector('simple', ${t.body})`)
      .where(sql`${t.kind} = 'conversation'`),
    // A broadcast reaches each conversation at most once, however often its job runs.
    uniqueIndex('messages_broadcast_once_idx')
      .on(t.broadcastId, t.conversationId)
      .where(sql`${t.broadcastId} is not null`),
    // The send-once ledger of sequences: a step's text is written once per enrollment, however often its run repeats.
    uniqueIndex('messages_sequence_step_once_idx')
      .on(t.enrollmentId, t.stepPosition)
      .where(sql`${t.enrollmentId} is not null`),
    // The runner's own texts still to send (or caught mid-send by a crash).
    index('messages_sequence_pending_idx')
      .on(t.createdAt)
      .where(sql`${t.enrollmentId} is not null and ${t.status} in ('queued', 'sending')`),
  ],
);

// ---------------------------------------------------------------------------------------------
// Keywords: words people text in ("JOIN") to join the list, get a reply and be tagged.
// ---------------------------------------------------------------------------------------------

export const keywords = pgTable('keywords', {
  id: uuid('id').primaryKey().defaultRandom(),
  word: text('word').notNull().unique(), // upper case, one word (server/messaging/church-keywords.ts)
  reply: text('reply').notNull(),
  addTags: text('add_tags')
    .array()
    .notNull()
    .default(sql`'{}'::text[]`),
  createdBy: uuid('created_by'),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

/** Saved messages a church reuses (the message library): inserted from the inbox, broadcasts and keyword replies. */
export const templates = pgTable(
  'templates',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    name: text('name').notNull(),
    body: text('body').notNull(), // may hold merge fields, filled in when it is sent
    createdBy: uuid('created_by'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  // "Welcome" and "welcome" are the same template to a person choosing from a menu.
  (t) => [uniqueIndex('templates_name_unique').on(sql`lower(${t.name})`)],
);

/** When the church does not text people (one row): minutes after midnight in each member's branch's timezone. */
export const quietHours = pgTable('quiet_hours', {
  id: integer('id').primaryKey().default(1),
  enabled: boolean('enabled').notNull().default(true),
  startMinute: integer('start_minute')
    .notNull()
    .default(21 * 60), // 21:00
  endMinute: integer('end_minute')
    .notNull()
    .default(8 * 60), // 08:00
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

/** The church's connect card (the public form at /c/<slug>): one row, its settings. */
export const connectCard = pgTable('connect_card', {
  id: integer('id').primaryKey().default(1), // one row per church database
  enabled: boolean('enabled').notNull().default(true),
  /** Texted once to each person who fills it in and agrees to texts; null sends nothing. */
  welcomeText: text('welcome_text'),
  tags: text('tags')
    .array()
    .notNull()
    .default(sql`'{}'::text[]`),
  /** Added as well for someone who says it is their first visit. */
  firstVisitTag: text('first_visit_tag').default('first-time guest'),
  prayerField: boolean('prayer_field').notNull().default(true),
  /** The church's own privacy note; without one the card links to Steeple's page for it. */
  privacyUrl: text('privacy_url'),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

/** Each card sent in, once (keyed by its form token): the weekly counts, and what was done for it. */
export const connectCardSubmissions = pgTable(
  'connect_card_submissions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    formToken: text('form_token').notNull().unique(),
    memberId: uuid('member_id').references(() => members.id, { onDelete: 'set null' }),
    newMember: boolean('new_member').notNull(),
    firstVisit: boolean('first_visit').notNull(),
    consented: boolean('consented').notNull(),
    welcomeMessageId: uuid('welcome_message_id'),
    clientAddress: text('client_address'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('connect_card_submissions_created_idx').on(t.createdAt)],
);

/** What a keyword text did: subscribed someone, found them already subscribed, or found them opted out. */
export const keywordOutcome = pgEnum('keyword_outcome', ['joined', 'already_subscribed', 'opted_out']);

/**
 * Each text that matched a keyword, once (keyed by the message): the thread says what happened, the keywords page
 * counts uses and new members. The word is kept so the record reads the same after the keyword is deleted.
 */
export const keywordUses = pgTable(
  'keyword_uses',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    keywordId: uuid('keyword_id').references(() => keywords.id, { onDelete: 'set null' }),
    word: text('word').notNull(),
    messageId: uuid('message_id')
      .notNull()
      .unique()
      .references(() => messages.id, { onDelete: 'cascade' }),
    memberId: uuid('member_id').references(() => members.id, { onDelete: 'set null' }),
    outcome: keywordOutcome('outcome').notNull(),
    newMember: boolean('new_member').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('keyword_uses_keyword_idx').on(t.keywordId, t.createdAt)],
);

// ---------------------------------------------------------------------------------------------
// Audiences: the church's own fields on members, and saved segments built on them.
// ---------------------------------------------------------------------------------------------

export const customFieldType = pgEnum('custom_field_type', CUSTOM_FIELD_TYPES);

/** A field the church adds to every member ("Baptism date"): shown on the member, in CSVs, audiences, merge fields. */
export const customFields = pgTable(
  'custom_fields',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** The merge field and CSV column (`baptism_date`), fixed at creation so texts that use it keep working. */
    key: text('key').notNull().unique(),
    label: text('label').notNull(),
    type: customFieldType('type').notNull(),
    options: text('options')
      .array()
      .notNull()
      .default(sql`'{}'::text[]`), // the list of a `choice` field
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('custom_fields_label_unique').on(sql`lower(${t.label})`)],
);

/**
 * Members' values, one row per member and field, in the column of the field's type, so each condition is an index
 * range on (field, value): a 20,000-row import writes them in a few statements, and no field needs its own DDL.
 */
export const memberFieldValues = pgTable(
  'member_field_values',
  {
    memberId: uuid('member_id')
      .notNull()
      .references(() => members.id, { onDelete: 'cascade' }),
    fieldId: uuid('field_id')
      .notNull()
      .references(() => customFields.id, { onDelete: 'cascade' }),
    textValue: text('text_value'), // text and choice
    numberValue: numeric('number_value'),
    dateValue: date('date_value'),
    boolValue: boolean('bool_value'),
  },
  (t) => [
    primaryKey({ columns: [t.memberId, t.fieldId] }),
    index('member_field_values_text_idx').on(t.fieldId, sql`lower(${t.textValue})`),
    index('member_field_values_number_idx')
      .on(t.fieldId, t.numberValue)
      .where(sql`${t.numberValue} is not null`),
    index('member_field_values_date_idx')
      .on(t.fieldId, t.dateValue)
      .where(sql`${t.dateValue} is not null`),
    index('member_field_values_bool_idx')
      .on(t.fieldId, t.boolValue)
      .where(sql`${t.boolValue} is not null`),
  ],
);

/** A named audience ("Youth parents, Main campus"): its conditions, evaluated afresh whenever it is used. */
export const segments = pgTable(
  'segments',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    name: text('name').notNull(),
    filter: jsonb('filter').$type<AudienceFilter>().notNull(),
    createdBy: uuid('created_by'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('segments_name_unique').on(sql`lower(${t.name})`)],
);

// ---------------------------------------------------------------------------------------------
// Carrier registration: what the church told US carriers, and what they answered.
// ---------------------------------------------------------------------------------------------

export const REGISTRATION_KINDS = ['10dlc', 'toll_free'] as const;
export const REGISTRATION_STATES = ['submitted', 'approved', 'rejected'] as const;

/** One per path: a 10DLC brand and campaign (local numbers), a toll-free verification (toll-free numbers). */
export const carrierRegistrations = pgTable('carrier_registrations', {
  kind: text('kind', { enum: REGISTRATION_KINDS }).primaryKey(),
  status: text('status', { enum: REGISTRATION_STATES }).notNull(),
  /** The form as the church last saved it (the EIN included: it is the church's own, and never logged). */
  details: jsonb('details').$type<RegistrationDetails>().notNull(),
  /** The form as last sent to the carrier: an edit of fields a campaign cannot change needs a new campaign. */
  sent: jsonb('sent').$type<RegistrationDetails>(),
  brandId: text('brand_id'),
  campaignId: text('campaign_id'),
  verificationId: text('verification_id'),
  /** Toll-free: the numbers the verification request names (a number bought later needs a request of its own). */
  numbers: jsonb('numbers').$type<string[]>().notNull().default([]),
  /** Edited since the carrier's answer: the next check sends it again. */
  resubmit: boolean('resubmit').notNull().default(false),
  /** Why the carrier rejected it, in its words (they are about the church's own details). */
  reasons: jsonb('reasons').$type<string[]>().notNull().default([]),
  /** A check is taking the next step until then: a second one (a webhook's, during a poll's) waits its turn. */
  checkingUntil: timestamp('checking_until', { withTimezone: true }),
  submittedBy: uuid('submitted_by'),
  submittedAt: timestamp('submitted_at', { withTimezone: true }).notNull().defaultNow(),
  decidedAt: timestamp('decided_at', { withTimezone: true }),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

// ---------------------------------------------------------------------------------------------
// Sequences: follow-up that runs itself ("welcome today, a note from the pastor in two days").
// ---------------------------------------------------------------------------------------------

export const sequenceState = pgEnum('sequence_state', ['active', 'paused']);

/**
 * A named series of texts and what starts it: one trigger, its settings in the columns that trigger uses (a keyword,
 * a tag, first-time guests only for the connect card, a date field and the local time for a date every year).
 */
export const sequences = pgTable(
  'sequences',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    name: text('name').notNull(),
    trigger: text('trigger', { enum: SEQUENCE_TRIGGERS }).notNull(),
    keywordId: uuid('keyword_id').references(() => keywords.id, { onDelete: 'set null' }),
    tag: text('tag'),
    firstVisitOnly: boolean('first_visit_only').notNull().default(false),
    fieldId: uuid('field_id').references(() => customFields.id, { onDelete: 'set null' }),
    /** A date trigger's local time of day, minutes after midnight: the first step's wait counts from it. */
    atMinute: integer('at_minute'),
    state: sequenceState('state').notNull().default('active'),
    /** A reply from the member ends their enrollment: a person is talking to them now. */
    stopOnReply: boolean('stop_on_reply').notNull().default(true),
    /** Someone who finished (or was stopped) may be enrolled again by the trigger. */
    reenroll: boolean('reenroll').notNull().default(false),
    createdBy: uuid('created_by'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('sequences_name_unique').on(sql`lower(${t.name})`)],
);

/** "Wait `wait` hours or days (at `atMinute`, local, for days), then send `body`"; positions count from 0. */
export const sequenceSteps = pgTable(
  'sequence_steps',
  {
    sequenceId: uuid('sequence_id')
      .notNull()
      .references(() => sequences.id, { onDelete: 'cascade' }),
    position: integer('position').notNull(),
    wait: integer('wait').notNull(),
    unit: text('unit', { enum: STEP_UNITS }).notNull(),
    atMinute: integer('at_minute'),
    body: text('body').notNull(), // may hold merge fields, filled in when it is sent
  },
  (t) => [primaryKey({ columns: [t.sequenceId, t.position] })],
);

/**
 * One member going through one sequence. `nextStep` is the position to send next; `nextAt` when (null: the runner
 * has yet to work it out, from `anchorAt` and the step's wait). At most one active enrollment per member and
 * sequence; a date trigger's enrollments are once per `occurrence` (the year).
 */
export const sequenceEnrollments = pgTable(
  'sequence_enrollments',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    sequenceId: uuid('sequence_id')
      .notNull()
      .references(() => sequences.id, { onDelete: 'cascade' }),
    memberId: uuid('member_id').references(() => members.id, { onDelete: 'set null' }),
    state: text('state', { enum: ENROLLMENT_STATES }).notNull().default('active'),
    stopReason: text('stop_reason', { enum: STOP_REASONS }),
    source: text('source', { enum: SEQUENCE_TRIGGERS }).notNull(),
    occurrence: text('occurrence'),
    nextStep: integer('next_step').notNull().default(0),
    /** The previous step's send (or the enrollment): the next step's wait counts from here. */
    anchorAt: timestamp('anchor_at', { withTimezone: true }).notNull().defaultNow(),
    nextAt: timestamp('next_at', { withTimezone: true }),
    enrolledBy: uuid('enrolled_by'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    endedAt: timestamp('ended_at', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('sequence_enrollments_active_unique')
      .on(t.sequenceId, t.memberId)
      .where(sql`${t.state} = 'active'`),
    uniqueIndex('sequence_enrollments_occurrence_unique')
      .on(t.sequenceId, t.memberId, t.occurrence)
      .where(sql`${t.occurrence} is not null`),
    index('sequence_enrollments_due_idx')
      .on(t.nextAt)
      .where(sql`${t.state} = 'active'`),
    index('sequence_enrollments_member_idx').on(t.memberId),
  ],
);

/** Each step answered, once per enrollment: the replies per step on the automations page. */
export const sequenceReplies = pgTable(
  'sequence_replies',
  {
    enrollmentId: uuid('enrollment_id')
      .notNull()
      .references(() => sequenceEnrollments.id, { onDelete: 'cascade' }),
    position: integer('position').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.enrollmentId, t.position] })],
);

// ---------------------------------------------------------------------------------------------
// Staff notifications: what each person on the team hears about, by email and in the browser.
// ---------------------------------------------------------------------------------------------

/** One person's choices for one channel: new texts (none, all, assigned to them), connect cards, sequence replies. */
export const notificationPreferences = pgTable(
  'notification_preferences',
  {
    adminId: uuid('admin_id')
      .notNull()
      .references(() => admins.id, { onDelete: 'cascade' }),
    channel: text('channel', { enum: NOTIFY_CHANNELS }).notNull(),
    inbound: text('inbound', { enum: INBOUND_CHOICES }).notNull().default('off'),
    connectCard: boolean('connect_card').notNull().default(false),
    sequenceReply: boolean('sequence_reply').notNull().default(false),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.adminId, t.channel] })],
);

/**
 * Per person: the daily digest's local time (minutes after midnight in the church's timezone; null: none), the day it
 * last went (so a retry never sends a second), and when their last batched email went (the next waits a minute).
 */
export const notificationSettings = pgTable('notification_settings', {
  adminId: uuid('admin_id')
    .primaryKey()
    .references(() => admins.id, { onDelete: 'cascade' }),
  digestMinute: integer('digest_minute'),
  digestSentOn: date('digest_sent_on'),
  lastEmailAt: timestamp('last_email_at', { withTimezone: true }),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

/** A browser that agreed to notifications (Web Push): the push service's address and the keys to encrypt for it. */
export const pushSubscriptions = pgTable(
  'push_subscriptions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    adminId: uuid('admin_id')
      .notNull()
      .references(() => admins.id, { onDelete: 'cascade' }),
    endpoint: text('endpoint').notNull().unique(),
    p256dh: text('p256dh').notNull(),
    auth: text('auth').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('push_subscriptions_admin_idx').on(t.adminId)],
);

/**
 * Notifications owed, written with the event that causes them (in its statement or transaction), so none is lost to
 * a crash and a replayed event adds none (unique per person, channel and event). `sourceId` is the message or the
 * connect card. `excerpt`: the first 80 characters of what they wrote, no more. A send claims rows into `batchId`
 * (one email, or one run of pushes) before it goes and marks them `sentAt` after; sent rows are deleted a day on.
 */
export const notificationOutbox = pgTable(
  'notification_outbox',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    adminId: uuid('admin_id')
      .notNull()
      .references(() => admins.id, { onDelete: 'cascade' }),
    channel: text('channel', { enum: NOTIFY_CHANNELS }).notNull(),
    kind: text('kind', { enum: NOTIFY_KINDS }).notNull(),
    sourceId: uuid('source_id').notNull(),
    // Someone deleted takes what was said about them with them.
    memberId: uuid('member_id').references(() => members.id, { onDelete: 'cascade' }),
    conversationId: uuid('conversation_id').references(() => conversations.id, { onDelete: 'cascade' }),
    excerpt: text('excerpt').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    batchId: uuid('batch_id'),
    claimedAt: timestamp('claimed_at', { withTimezone: true }),
    sentAt: timestamp('sent_at', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('notification_outbox_once_idx').on(t.adminId, t.channel, t.sourceId),
    index('notification_outbox_pending_idx')
      .on(t.adminId, t.channel, t.createdAt)
      .where(sql`${t.sentAt} is null`),
    index('notification_outbox_source_idx').on(t.sourceId),
    index('notification_outbox_sent_idx')
      .on(t.sentAt)
      .where(sql`${t.sentAt} is not null`),
  ],
);

// ---------------------------------------------------------------------------------------------
// The activity log: who did what, when, and from where (server/activity/).
// ---------------------------------------------------------------------------------------------

/**
 * One row per thing done, written in the transaction of the change it records (server/activity/record.ts), kept a
 * year (the worker's sweep deletes older ones). `actorId` has no foreign key and `actorLabel` is the name as it was,
 * so a row outlives the person; both are null/"Stripe" for what the system did. `details`: a few small facts.
 */
export const activityLog = pgTable(
  'activity_log',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
    actorId: uuid('actor_id'),
    actorLabel: text('actor_label').notNull(),
    action: text('action', { enum: ACTIVITY_ACTION_NAMES }).notNull(),
    subject: text('subject').notNull().default(''),
    details: jsonb('details').$type<Record<string, string | number | boolean | null>>().notNull().default({}),
    clientAddress: text('client_address'),
  },
  (t) => [
    index('activity_log_at_idx').on(t.at.desc(), t.id.desc()),
    index('activity_log_action_idx').on(t.action, t.at.desc()),
    index('activity_log_actor_idx').on(t.actorId, t.at.desc()),
  ],
);

export type Member = typeof members.$inferSelect;
export type CustomField = typeof customFields.$inferSelect;
export type Segment = typeof segments.$inferSelect;
export type Subscription = (typeof subscription.enumValues)[number];
export type ConsentEvent = typeof consentEvents.$inferSelect;
export type Branch = typeof branches.$inferSelect;
export type Conversation = typeof conversations.$inferSelect;
export type Message = typeof messages.$inferSelect;
export type MessageStatus = (typeof messageStatus.enumValues)[number];
export type Broadcast = typeof broadcasts.$inferSelect;
export type BroadcastSeries = typeof broadcastSeries.$inferSelect;
export type ConversationNote = typeof conversationNotes.$inferSelect;
export type ChurchKeyword = typeof keywords.$inferSelect;
export type KeywordOutcome = (typeof keywordOutcome.enumValues)[number];
export type CarrierRegistration = typeof carrierRegistrations.$inferSelect;
export type Sequence = typeof sequences.$inferSelect;
export type SequenceStep = typeof sequenceSteps.$inferSelect;
export type Enrollment = typeof sequenceEnrollments.$inferSelect;
export type RegistrationKind = CarrierRegistration['kind'];
export type NotificationPreference = typeof notificationPreferences.$inferSelect;
export type PushSubscriptionRow = typeof pushSubscriptions.$inferSelect;
export type Media = typeof media.$inferSelect;
export type ActivityRow = typeof activityLog.$inferSelect;
