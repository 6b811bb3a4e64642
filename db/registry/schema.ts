import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  index,
  integer,
  jsonb,
  pgEnum,
  pgTable,
  serial,
  text,
  timestamp,
  uuid,
  varchar,
} from 'drizzle-orm/pg-core';

/**
 * The registry: routing and identity only. No church data lives here — that is in each church's own database.
 */

/**
 * active: served. suspended: maintenance page, webhooks still stored. moving: maintenance page, webhooks answered 503
 * (retried by the sender) while the database is copied. closed: deleted by an operator, kept until `purge_after`.
 */
export const tenantStatus = pgEnum('tenant_status', [
  'provisioning',
  'active',
  'suspended',
  'failed',
  'deleting',
  'deleted',
  'closed',
  'moving',
]);
export const provisioningState = pgEnum('provisioning_state', ['queued', 'provisioning', 'ready', 'failed']);

/** PostgreSQL servers that tenant databases are placed on. The privileged URL is read from the env var named here. */
export const dbServers = pgTable('db_servers', {
  id: serial('id').primaryKey(),
  name: text('name').notNull().unique(),
  host: text('host').notNull(),
  port: integer('port').notNull(),
  adminUrlEnv: text('admin_url_env').notNull().default('DATABASE_URL'),
  accepting: boolean('accepting').notNull().default(true),
  /** How many churches it should hold; new churches go to the accepting server with the most room. */
  capacity: integer('capacity').notNull().default(1000),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

export const tenants = pgTable('tenants', {
  id: uuid('id').primaryKey(),
  slug: text('slug').notNull().unique(),
  status: tenantStatus('status').notNull().default('provisioning'),
  dbServerId: integer('db_server_id')
    .notNull()
    .references(() => dbServers.id),
  dbName: text('db_name').notNull().unique(),
  dbRole: text('db_role').notNull().unique(),
  /** The login role's password, AES-256-GCM encrypted with STEEPLE_SECRET_KEY. */
  dbSecret: text('db_secret').notNull(),
  /** Tenant migrations applied to its database; the app refuses to serve a church behind the version it needs. */
  schemaVersion: integer('schema_version').notNull().default(0),
  migratedAt: timestamp('migrated_at', { withTimezone: true }),
  /** The last migration failure, for `tenants show`; cleared when a migration succeeds. */
  migrationError: text('migration_error'),
  /** A closed church's database is dropped after this (the deletion grace period). */
  purgeAfter: timestamp('purge_after', { withTimezone: true }),
  /** Why it is suspended or closed, in the operator's words (shown by `tenants show`, never to users). */
  statusReason: text('status_reason'),
  /** Sending numbers it may hold; null: NUMBERS_PER_CHURCH. Set by an operator (`tenants -- number-limit`). */
  numberLimit: integer('number_limit'),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  activatedAt: timestamp('activated_at', { withTimezone: true }),
});

export const churches = pgTable('churches', {
  tenantId: uuid('tenant_id')
    .primaryKey()
    .references(() => tenants.id, { onDelete: 'cascade' }),
  name: text('name').notNull(),
  timezone: text('timezone').notNull(),
  size: text('size'), // the signup wizard's optional attendance band
  country: text('country').notNull().default('US'), // ISO 3166 code: members' phone numbers are read against it
  contactPhone: text('contact_phone'), // given in HELP replies
  contactEmail: text('contact_email'),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

/** Sign-in looks an email up here to find the church; the admin row itself lives in the church's database. */
export const adminEmailIndex = pgTable(
  'admin_email_index',
  {
    email: text('email').primaryKey(), // normalised: trimmed, lower-case
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    adminId: uuid('admin_id').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('admin_email_index_tenant_idx').on(t.tenantId)],
);

/**
 * Numbers the platform holds for each church. Inbound messages route by the receiving number, and a church sends only
 * from its own: the primary key makes a number one church's. Only an `active` number ordered through Steeple
 * (provider `telnyx` or `simulated`) routes or sends; `claimed` rows are numbers typed in before ordering existed.
 */
export const numberProviders = ['telnyx', 'simulated', 'claimed'] as const;
/** ordering: reserved while the provider is asked. pending: the provider accepted, its order not yet complete. */
export const numberStatuses = ['ordering', 'pending', 'active'] as const;
export const phoneNumberIndex = pgTable(
  'phone_number_index',
  {
    e164: text('e164').primaryKey(),
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    provider: text('provider', { enum: numberProviders }).notNull(),
    status: text('status', { enum: numberStatuses }).notNull().default('active'),
    /** The provider's order, to follow a pending one. */
    orderId: text('order_id'),
    monthlyCostCents: integer('monthly_cost_cents'),
    currency: text('currency'),
    /** The admin who bought it (their id in the church's database). */
    orderedBy: uuid('ordered_by'),
    /** When US carriers accepted it (attached to the church's approved 10DLC campaign, or verified toll-free). */
    registeredAt: timestamp('registered_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('phone_number_index_tenant_idx').on(t.tenantId)],
);
export type NumberRow = typeof phoneNumberIndex.$inferSelect;

/**
 * The carrier's ids of a church's registration (10DLC brand and campaign, toll-free verification request): Telnyx's
 * status webhooks name only these, and this says whose they are. The registration itself is in the church's database.
 */
export const registrationRefs = pgTable(
  'registration_refs',
  {
    ref: text('ref').primaryKey(),
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    kind: text('kind', { enum: ['10dlc', 'toll_free'] }).notNull(),
    /** What the id names: a purged church's campaigns are deactivated, so they stop costing money. */
    what: text('what', { enum: ['brand', 'campaign', 'verification'] }).notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('registration_refs_tenant_idx').on(t.tenantId)],
);
export type RegistrationRef = typeof registrationRefs.$inferSelect;

export type StepState = 'pending' | 'running' | 'done' | 'failed';
export type StepProgress = { name: string; state: StepState; attempts: number };

/** One signup's provisioning: the ticket the browser polls with, and each step's progress. */
export const provisioningJobs = pgTable(
  'provisioning_jobs',
  {
    id: uuid('id').primaryKey(),
    tenantId: uuid('tenant_id')
      .notNull()
      .unique()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    // sha256 of the opaque ticket; the ticket itself is never stored.
    ticketHash: text('ticket_hash').notNull().unique(),
    state: provisioningState('state').notNull().default('queued'),
    steps: jsonb('steps').$type<StepProgress[]>().notNull(),
    adminId: uuid('admin_id').notNull(),
    adminName: text('admin_name').notNull(),
    adminEmail: text('admin_email').notNull(),
    /** argon2id hash, cleared once the admin row exists in the church's database. */
    adminPasswordHash: text('admin_password_hash'),
    attempts: integer('attempts').notNull().default(0),
    lastError: text('last_error'), // operator detail; never sent to the browser
    heartbeatAt: timestamp('heartbeat_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true })
      .notNull()
      .default(sql`now()`),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
    /** The ticket doubles as a one-time sign-in for the new owner, shortly after the workspace is ready. */
    signinUsedAt: timestamp('signin_used_at', { withTimezone: true }),
  },
  (t) => [index('provisioning_jobs_state_idx').on(t.state, t.heartbeatAt)],
);

export type Tenant = typeof tenants.$inferSelect;
export type DbServer = typeof dbServers.$inferSelect;
export type ProvisioningJob = typeof provisioningJobs.$inferSelect;

/** Queue workers announce themselves here; a worker silent for 30 s is presumed dead and its jobs are unlocked. */
export const queueWorkers = pgTable('queue_workers', {
  workerId: text('worker_id').primaryKey(),
  host: text('host').notNull(),
  seenAt: timestamp('seen_at', { withTimezone: true }).notNull().defaultNow(),
});

/** Every signed-in session; revoking sets revoked_at, and each server instance learns of it within a second. */
export const authSessions = pgTable(
  'auth_sessions',
  {
    id: text('id').primaryKey(),
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    adminId: uuid('admin_id').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
  },
  (t) => [
    index('auth_sessions_admin_idx').on(t.tenantId, t.adminId),
    index('auth_sessions_revoked_idx').on(t.revokedAt),
  ],
);

/** Routes an invite link to its church; the invite itself (email, role) lives in the church's database. */
export const inviteIndex = pgTable('invite_index', {
  tokenHash: text('token_hash').primaryKey(),
  tenantId: uuid('tenant_id')
    .notNull()
    .references(() => tenants.id, { onDelete: 'cascade' }),
  expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
});

/**
 * Single-use links emailed to an admin (a password reset, an email check), stored hashed. The registry holds them
 * because the person following one may not be signed in: the link alone must lead to the church.
 */
export const accountLinkPurposes = ['password_reset', 'verify_email'] as const;
export const accountLinks = pgTable(
  'account_links',
  {
    tokenHash: text('token_hash').primaryKey(),
    purpose: text('purpose', { enum: accountLinkPurposes }).notNull(),
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    adminId: uuid('admin_id').notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    usedAt: timestamp('used_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('account_links_admin_idx').on(t.tenantId, t.adminId),
    index('account_links_expiry_idx').on(t.expiresAt),
  ],
);

/** Sign-in and signup throttling counters (rate-limiter-flexible's PostgreSQL store) when Redis is absent or down. */
export const rateLimits = pgTable(
  'rate_limits',
  {
    key: varchar('key', { length: 255 }).primaryKey(),
    points: integer('points').notNull().default(0),
    expire: bigint('expire', { mode: 'number' }), // ms since the epoch; the worker deletes rows past it
  },
  (t) => [index('rate_limits_expire_idx').on(t.expire)],
);

/**
 * Texting events from the provider, kept here from the moment their signature checks out until the church's own
 * database has them: a church that is being moved, upgraded or is down still loses nothing. A delivered event is
 * deleted; one set aside after failing again and again (a bug, not an outage) stays 30 days with its words, for an
 * operator to look at and deliver (`update inbound_events set delivered_at = null, failures = 0 where …`).
 */
export const inboundEvents = pgTable(
  'inbound_events',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(), // arrival order
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    kind: text('kind').$type<'received' | 'status'>().notNull(),
    /** `<kind>:<the provider's message id>`: one row per event however often it is delivered to us. */
    eventKey: text('event_key').notNull().unique(),
    /** Who texted (E.164), for in-order delivery per sender; null for delivery reports. */
    sender: text('sender'),
    /** An opt-out word: a send to this sender waits for nothing and goes nowhere while it is pending. */
    optOut: boolean('opt_out').notNull().default(false),
    payload: jsonb('payload'),
    receivedAt: timestamp('received_at', { withTimezone: true }).notNull().defaultNow(),
    deliveredAt: timestamp('delivered_at', { withTimezone: true }),
    /** 'failed': set aside after repeated failures that were not outages (see the log). */
    outcome: text('outcome'),
    /** Every try that did not deliver it (the drain's backoff)… */
    attempts: integer('attempts').notNull().default(0),
    /** …and those that were not the church being unreachable: after 20 of these it is set aside, words kept. */
    failures: integer('failures').notNull().default(0),
    lastError: text('last_error'),
  },
  (t) => [
    // One small index for everything that asks what still waits: a church's events, a sender's, a STOP among them.
    index('inbound_events_pending_idx')
      .on(t.tenantId, t.sender, t.id)
      .where(sql`${t.deliveredAt} is null`),
  ],
);

export type InboundEvent = typeof inboundEvents.$inferSelect;

// ---------------------------------------------------------------------------------------------
// Billing: one account per church (Stripe customer and subscription), and every Stripe event applied.
// ---------------------------------------------------------------------------------------------

/** Stripe's subscription statuses; a church with no subscription yet is `trialing` until its trial ends. */
export const billingStatus = pgEnum('billing_status', [
  'trialing',
  'active',
  'past_due',
  'canceled',
  'unpaid',
  'incomplete',
  'incomplete_expired',
  'paused',
]);

export const billingAccounts = pgTable('billing_accounts', {
  tenantId: uuid('tenant_id')
    .primaryKey()
    .references(() => tenants.id, { onDelete: 'cascade' }),
  stripeCustomerId: text('stripe_customer_id').unique(),
  subscriptionId: text('subscription_id').unique(),
  status: billingStatus('status').notNull().default('trialing'),
  priceId: text('price_id'),
  trialEndsAt: timestamp('trial_ends_at', { withTimezone: true }).notNull(),
  currentPeriodEnd: timestamp('current_period_end', { withTimezone: true }), // the next invoice date
  cancelAtPeriodEnd: boolean('cancel_at_period_end').notNull().default(false),
  trialEndingNoticeAt: timestamp('trial_ending_notice_at', { withTimezone: true }),
  paymentFailedAt: timestamp('payment_failed_at', { withTimezone: true }),
  /** When Stripe created the event whose subscription state we hold: an older event never overwrites it. */
  stateAt: timestamp('state_at', { withTimezone: true }),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

/**
 * Stripe event ids, recorded in the same transaction as their effect: a replay or a concurrent duplicate does nothing.
 */
export const stripeEvents = pgTable('stripe_events', {
  id: text('id').primaryKey(),
  type: text('type').notNull(),
  tenantId: uuid('tenant_id'),
  receivedAt: timestamp('received_at', { withTimezone: true }).notNull().defaultNow(),
});

export type BillingAccount = typeof billingAccounts.$inferSelect;
