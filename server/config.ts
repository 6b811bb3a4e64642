import { createECDH } from 'node:crypto';
import { z } from 'zod';

/**
 * Every setting comes from the environment and is validated once, at startup.
 * A missing or bad value stops the process with one clear line per problem.
 */
const isBase64Url = (s: string) => /^[A-Za-z0-9_-]+={0,2}$/.test(s);
const vapidPublicKey = z
  .string()
  .refine(
    (k) => isBase64Url(k) && Buffer.from(k, 'base64url').length === 65 && k.startsWith('B'),
    'must be the public key from `npx web-push generate-vapid-keys` (65 bytes, URL-safe base64, starts with B)',
  );
const vapidPrivateKey = z
  .string()
  .refine(
    (k) => isBase64Url(k) && Buffer.from(k, 'base64url').length === 32,
    'must be the private key from `npx web-push generate-vapid-keys` (32 bytes, URL-safe base64)',
  );
const int = (def: number, min: number, max: number) => z.coerce.number().int().min(min).max(max).default(def);

const schema = z
  .object({
    DATABASE_URL: z
      .string({ error: 'is required (the registry database; `npm start` sets it for the embedded server)' })
      .url('must be a postgres:// URL')
      .refine((u) => /^postgres(ql)?:\/\//.test(u), 'must start with postgres:// or postgresql://'),
    STEEPLE_SECRET_KEY: z
      .string({ error: 'is required (32 random bytes, base64: `openssl rand -base64 32`)' })
      .refine((k) => Buffer.from(k, 'base64').length === 32, 'must be 32 bytes encoded as base64'),
    NEXTAUTH_SECRET: z
      .string({ error: 'is required (signs session cookies; `openssl rand -base64 32`)' })
      .min(32, 'must be at least 32 characters'),
    NEXTAUTH_URL: z.string().url('must be the public URL of the app, e.g. https://app.example.org').optional(),
    SESSION_MAX_AGE_HOURS: int(168, 1, 24 * 90),
    REDIS_URL: z
      .string()
      .refine((u) => /^rediss?:\/\//.test(u), 'must start with redis:// or rediss://')
      .optional(),
    SMTP_URL: z
      .string()
      .refine((u) => /^smtps?:\/\//.test(u), 'must start with smtp:// or smtps://')
      .optional(),
    MAIL_FROM: z.string().default('Steeple <no-reply@steeple.local>'),
    // Browser notifications (Web Push): the VAPID key pair that signs every push, and who to contact about them.
    // All three or none; without them browser notifications are off. `npx web-push generate-vapid-keys` makes a pair.
    VAPID_PUBLIC_KEY: vapidPublicKey.optional(),
    VAPID_PRIVATE_KEY: vapidPrivateKey.optional(),
    VAPID_SUBJECT: z
      .string()
      .refine(
        (s) => /^mailto:[^@\s]+@[^@\s]+$/.test(s) || /^https:\/\/\S+$/.test(s),
        'must be a mailto: address or an https:// URL where push services can reach you',
      )
      .optional(),
    /**
     * Proxies in front of the app whose X-Forwarded-For entries are trusted; 0: the socket's address is the
     * client's.
     */
    TRUST_PROXY_HOPS: int(0, 0, 10),
    SIGNUPS_PER_HOUR_PER_IP: int(10, 1, 1_000_000),
    SIGNIN_FAILURES_PER_EMAIL: int(5, 1, 1_000),
    SIGNIN_FAILURES_PER_ACCOUNT: int(20, 1, 10_000),
    SIGNIN_FAILURES_PER_IP: int(30, 1, 1_000_000),
    PASSWORD_CHANGES_PER_HOUR: int(10, 1, 1_000),
    INVITES_PER_HOUR_PER_CHURCH: int(20, 1, 10_000),
    CONNECT_CARDS_PER_HOUR_PER_IP: int(30, 1, 100_000),
    CONNECT_CARDS_PER_HOUR_PER_CHURCH: int(300, 1, 1_000_000),
    CONNECTION_BUDGET: int(50, 2, 10_000),
    TENANT_POOL_SIZE: int(2, 1, 50),
    TENANT_IDLE_SECONDS: int(60, 1, 86_400),
    CONNECTION_WAIT_MS: int(5_000, 10, 120_000),
    TENANT_STATEMENT_TIMEOUT_MS: int(30_000, 100, 3_600_000),
    REGISTRY_TIMEOUT_MS: int(2_000, 50, 60_000),
    REGISTRY_POOL_SIZE: int(10, 1, 200),
    WORKER_MODE: z.enum(['inline', 'external', 'off']).default('inline'),
    WORKER_CONCURRENCY: int(8, 1, 100),
    PROVISION_MAX_ATTEMPTS: int(5, 1, 25),
    LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
    // Texting. TELNYX_API_KEY is the one switch (localTexting below): without it messages go to the local outbox
    // (recorded as sent, replies simulated), numbers come from the simulated inventory and carrier review is simulated.
    TELNYX_API_KEY: z.string().min(10, 'looks too short for a Telnyx API key').optional(),
    TELNYX_PUBLIC_KEY: z
      .string()
      .refine(
        (k) => [32, 44].includes(Buffer.from(k, 'base64').length),
        'must be the base64 Ed25519 public key from the Telnyx portal',
      )
      .optional(),
    TELNYX_MESSAGING_PROFILE_ID: z.string().optional(),
    TELNYX_API_URL: z.string().url('must be a URL').default('https://api.telnyx.com'),
    /** Sending numbers a church may buy, unless an operator set its own limit (`tenants -- number-limit`). */
    NUMBERS_PER_CHURCH: int(1, 0, 1_000),
    /** Local mode only: how long the simulated carrier review takes before approving a registration. */
    SIMULATED_APPROVAL_SECONDS: int(5, 0, 3_600),
    SENDS_PER_SECOND_PER_CHURCH: int(5, 1, 1_000),
    // USD, for the broadcast cost preview.
    SMS_PRICE_PER_SEGMENT: z.coerce.number().min(0, 'must be 0 or more').max(10).default(0.004),
    // USD per picture message (MMS: one message, whatever the length of its words).
    MMS_PRICE_PER_MESSAGE: z.coerce.number().min(0, 'must be 0 or more').max(10).default(0.015),
    // Pictures (MMS): kept under MEDIA_DIR, unless MEDIA_S3_BUCKET names an S3-compatible bucket (AWS, R2, MinIO…).
    MEDIA_DIR: z.string().min(1).default('.data/media'),
    MEDIA_S3_BUCKET: z
      .string()
      .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'must be a bucket name (3-63 lowercase letters, digits, . or -)')
      .optional(),
    MEDIA_S3_REGION: z.string().min(1).default('us-east-1'),
    /** Another S3-compatible service than AWS (Cloudflare R2, MinIO, DigitalOcean Spaces…). */
    MEDIA_S3_ENDPOINT: z.string().url("must be the store's https:// endpoint").optional(),
    /** Both or neither; without them the AWS SDK's own chain is used (instance role, AWS_* variables). */
    MEDIA_S3_ACCESS_KEY_ID: z.string().min(1).optional(),
    MEDIA_S3_SECRET_ACCESS_KEY: z.string().min(1).optional(),
    /** Bucket in the path, not the host name (MinIO and most self-hosted stores want it). */
    MEDIA_S3_FORCE_PATH_STYLE: z
      .enum(['true', 'false'])
      .default('false')
      .transform((v) => v === 'true'),
    // Billing. Without STRIPE_SECRET_KEY billing is off: trials still count down, nothing is charged.
    STRIPE_SECRET_KEY: z
      .string()
      .regex(/^(sk|rk)_(test|live)_/, 'must be a Stripe secret key (sk_test_… or sk_live_…)')
      .optional(),
    STRIPE_WEBHOOK_SECRET: z
      .string()
      .startsWith('whsec_', 'must be the signing secret of the webhook endpoint (whsec_…)')
      .optional(),
    STRIPE_PRICE_ID: z.string().startsWith('price_', 'must be a Stripe price id (price_…)').optional(),
    STRIPE_PLAN_NAME: z.string().min(1).max(60).default('Steeple'),
    /** Tests and local stand-ins only: where the Stripe client sends API requests (default Stripe's own). */
    STRIPE_API_URL: z.string().url('must be a URL').optional(),
    TRIAL_DAYS: int(14, 0, 365),
    /** Text segments a church may send per day (its own midnight to midnight) while in its trial or read-only. */
    TRIAL_DAILY_SEGMENTS: int(500, 0, 1_000_000),
    // Operating the fleet.
    /** Bearer token for GET /api/metrics; without it the endpoint answers 404. */
    METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
    /** Errors are also reported to Sentry when set. */
    SENTRY_DSN: z.string().url('must be the Sentry DSN URL (https://<key>@<host>/<project>)').optional(),
    /** At start, bring churches behind the latest schema up to date (large fleets run `npm run tenants -- migrate`). */
    MIGRATE_TENANTS_ON_START: z
      .enum(['true', 'false'])
      .default('true')
      .transform((v) => v === 'true'),
    /** Church databases migrated at once; defaults to what the connection budget allows. */
    MIGRATION_CONCURRENCY: z.coerce.number().int().min(1).max(64).optional(),
    /** Days a deleted church is kept (suspended, restorable with `resume`) before its database is dropped. */
    DELETE_GRACE_DAYS: int(30, 0, 365),
    /** Names the database server new churches are placed on; otherwise the accepting server with the most room. */
    PLACEMENT_SERVER: z.string().min(1).optional(),
    /** Where `npm run tenants -- backup` writes dumps. */
    BACKUP_DIR: z.string().min(1).default('.data/backups'),
    /** Directory holding pg_dump and pg_restore; otherwise PATH and /usr/lib/postgresql/<version>/bin are searched. */
    PG_BIN_DIR: z.string().min(1).optional(),
    // Set by the runtime, not by operators: production mode, and whether `npm start` runs its embedded PostgreSQL.
    NODE_ENV: z.string().optional(),
    STEEPLE_EMBEDDED: z.enum(['1']).optional(),
  })
  .superRefine((c, ctx) => {
    if (c.STRIPE_SECRET_KEY) {
      for (const key of ['STRIPE_WEBHOOK_SECRET', 'STRIPE_PRICE_ID'] as const) {
        if (!c[key])
          ctx.addIssue({ code: 'custom', path: [key], message: 'is required when STRIPE_SECRET_KEY is set' });
      }
    }
    // Without the public key we could not tell Telnyx's webhooks from anyone else's.
    // Invite links and secure cookies need the public URL; only the embedded default may guess it (http://HOST:PORT).
    if (c.NODE_ENV === 'production' && !c.STEEPLE_EMBEDDED && !c.NEXTAUTH_URL)
      ctx.addIssue({
        code: 'custom',
        path: ['NEXTAUTH_URL'],
        message: 'is required in production (the public https:// URL of the app)',
      });
    if (c.TELNYX_API_KEY && !c.TELNYX_PUBLIC_KEY)
      ctx.addIssue({
        code: 'custom',
        path: ['TELNYX_PUBLIC_KEY'],
        message: 'is required when TELNYX_API_KEY is set (Telnyx portal → Keys & Credentials → Public Key)',
      });
    // Numbers are bought onto this profile, whose webhook URL brings their texts to Steeple.
    if (c.TELNYX_API_KEY && !c.TELNYX_MESSAGING_PROFILE_ID)
      ctx.addIssue({
        code: 'custom',
        path: ['TELNYX_MESSAGING_PROFILE_ID'],
        message: "is required when TELNYX_API_KEY is set (Telnyx portal → Messaging → your profile's id)",
      });
    vapid(c, ctx);
    mediaStore(c, ctx);
  });

type MediaSettings = Partial<
  Record<'MEDIA_S3_BUCKET' | 'MEDIA_S3_ENDPOINT' | 'MEDIA_S3_ACCESS_KEY_ID' | 'MEDIA_S3_SECRET_ACCESS_KEY', string>
>;

/** An S3 setting without a bucket would be silently ignored (pictures going to disk instead): say so. */
function mediaStore(c: MediaSettings, ctx: z.RefinementCtx) {
  const s3 = ['MEDIA_S3_ENDPOINT', 'MEDIA_S3_ACCESS_KEY_ID', 'MEDIA_S3_SECRET_ACCESS_KEY'] as const;
  const given = s3.find((k) => c[k]);
  if (given && !c.MEDIA_S3_BUCKET)
    ctx.addIssue({ code: 'custom', path: ['MEDIA_S3_BUCKET'], message: `is required when ${given} is set` });
  const [id, secret] = [c.MEDIA_S3_ACCESS_KEY_ID, c.MEDIA_S3_SECRET_ACCESS_KEY];
  if (!!id !== !!secret)
    ctx.addIssue({
      code: 'custom',
      path: [id ? 'MEDIA_S3_SECRET_ACCESS_KEY' : 'MEDIA_S3_ACCESS_KEY_ID'],
      message: "is required with the other MEDIA_S3 key (both, or neither to use the AWS SDK's own credentials)",
    });
}

type VapidSettings = { VAPID_PUBLIC_KEY?: string; VAPID_PRIVATE_KEY?: string; VAPID_SUBJECT?: string };

/** The VAPID keys come as a set: all three or none, and the private key must be the public key's own. */
function vapid(c: VapidSettings, ctx: z.RefinementCtx) {
  const keys = ['VAPID_PUBLIC_KEY', 'VAPID_PRIVATE_KEY', 'VAPID_SUBJECT'] as const;
  const given = keys.filter((k) => c[k]);
  if (given.length === 0) return;
  for (const key of keys)
    if (!c[key])
      ctx.addIssue({
        code: 'custom',
        path: [key],
        message: `is required when ${given[0]} is set (browser notifications need all three VAPID settings)`,
      });
  const { VAPID_PUBLIC_KEY: pub, VAPID_PRIVATE_KEY: priv } = c;
  // (Each key's own shape is checked above; only two well-formed keys are compared.)
  if (
    pub &&
    priv &&
    vapidPublicKey.safeParse(pub).success &&
    vapidPrivateKey.safeParse(priv).success &&
    !keysMatch(pub, priv)
  )
    ctx.addIssue({
      code: 'custom',
      path: ['VAPID_PRIVATE_KEY'],
      message: 'does not belong to VAPID_PUBLIC_KEY (set the pair printed by one `npx web-push generate-vapid-keys`)',
    });
}

function keysMatch(publicKey: string, privateKey: string) {
  try {
    const ecdh = createECDH('prime256v1');
    ecdh.setPrivateKey(Buffer.from(privateKey, 'base64url'));
    return ecdh.getPublicKey().equals(Buffer.from(publicKey, 'base64url'));
  } catch {
    return false; // not a valid P-256 private key
  }
}

export type Config = z.infer<typeof schema>;

/** The app's public address, as links sent out of it use it (emails, picture links for Telnyx). */
export const appUrl = (config: Pick<Config, 'NEXTAUTH_URL'>) => config.NEXTAUTH_URL ?? 'http://127.0.0.1:3000';

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  // Empty strings count as unset, so `FOO=` in a .env file falls back to the default.
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = schema.safeParse(cleaned);
  if (parsed.success) return parsed.data;
  throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.')} ${i.message}`));
}

/**
 * Whether texting stays on this machine (the local outbox, the simulated inventory and review, simulated replies):
 * decided here alone, by TELNYX_API_KEY, so no part can think it is live while another simulates. TELNYX_PUBLIC_KEY
 * without the API key changes nothing.
 */
export const localTexting = (config: Pick<Config, 'TELNYX_API_KEY'>) => telnyxKey(config) === null;

/** The Telnyx API key when texting is live (null when local): the parts that talk to Telnyx start from it. */
export const telnyxKey = (config: Pick<Config, 'TELNYX_API_KEY'>) => config.TELNYX_API_KEY ?? null;
