import { createPublicKey, type KeyObject } from 'node:crypto';
import type { RateLimiterAbstract } from 'rate-limiter-flexible';
import { SessionRegistry } from './auth/revocation';
import { AccessCache } from './billing/access';
import { ChurchProfiles } from './church/profile';
import { createBilling, type Billing } from './billing/stripe';
import { buildLimiter, Throttle } from './auth/throttle';
import { loadConfig, localTexting, type Config } from './config';
import { createProvider, type MessagingProvider } from './messaging/provider';
import { createInventory, type NumberInventory } from './numbers/inventory';
import { createRegistrar, type Registrar } from './registration/registrar';
import { InboundQueue } from './messaging/inbound-queue';
import { NumberRouter } from './messaging/routing';
import { localSigningKey, publicKeyFromBase64 } from './messaging/signature';
import { signedUrl } from './media/signed-links';
import { createMediaStore, type MediaStore } from './media/store';
import { RedisLink } from './redis';
import { createRegistry, type Registry } from './registry';
import { ClusterAdmin } from './tenancy/cluster';
import { ConnectionManager } from './tenancy/connection-manager';
import { forInbound, forUsers, type Gate } from './tenancy/availability';
import { latestTenantVersion } from './tenancy/migrator';
import { namingFor, type Naming } from './tenancy/naming';
import { registryAppUrl } from './tenancy/registry-role';
import type { ProvisionDeps } from './tenancy/provisioner';
import { TenantResolver } from './tenancy/resolver';
import { databaseOf } from './tenancy/urls';

/**
 * The long-lived parts of one server process, wired once: registry connection, tenant resolver, the connection
 * manager that hands out tenant databases, and the privileged cluster access provisioning uses.
 */
export type Services = {
  config: Config;
  registry: Registry;
  naming: Naming;
  resolver: TenantResolver;
  connections: ConnectionManager;
  cluster: ClusterAdmin;
  provision: ProvisionDeps;
  redis: RedisLink;
  sessions: SessionRegistry;
  throttle: Throttle;
  messaging: Messaging;
  /** Where numbers are searched, bought and released: Telnyx, or the simulated inventory (numbers/inventory.ts). */
  inventory: NumberInventory;
  /** Where registrations with US carriers go: Telnyx's 10DLC and toll-free APIs, or the simulated review. */
  registrar: Registrar;
  /** Stripe, or null when billing is off. */
  billing: Billing | null;
  /** Where pictures (MMS) are kept: `.data/media`, or an S3-compatible bucket (media/store.ts). */
  media: MediaStore;
  /** Each church's access (full or read-only) from its subscription, cached briefly. */
  access: AccessCache;
  /** Each church's name, timezone, country and contact, from the registry, cached briefly. */
  profiles: ChurchProfiles;
  close: () => Promise<void>;
};

/** Texting: the provider, number routing, the per-church send rate, and the webhook keys. */
type Messaging = {
  provider: MessagingProvider;
  numbers: NumberRouter;
  sendRate: RateLimiterAbstract;
  verifyKey: KeyObject;
  /** Only with the local outbox: signs simulated replies, which then go through the real webhook route. */
  signingKey: KeyObject | null;
  /** Which churches texting may still reach: also suspended and closed ones (see availability.ts). */
  gate: Gate;
  /** Texting events kept in the registry until their church's database has them (inbound-queue.ts). */
  inbound: InboundQueue;
  /** A picture's link for Telnyx to fetch it from (signed, expiring: media/signed-links.ts). */
  pictureUrl: (key: string) => string;
};

type Overrides = Partial<Pick<ProvisionDeps, 'faults' | 'tenantSchemaVersion'>> & {
  provider?: MessagingProvider;
  inventory?: NumberInventory;
  registrar?: Registrar;
  media?: MediaStore;
};

export function createServices(config: Config, overrides: Overrides = {}): Services {
  const { provider: providerOverride, inventory, registrar, media, ...provisionOverrides } = overrides;
  const naming = namingFor(databaseOf(config.DATABASE_URL));
  // Requests use the registry's least-privileged role; DATABASE_URL's privileged user is for ClusterAdmin only.
  const registryUrl = registryAppUrl(config.DATABASE_URL, naming, config.STEEPLE_SECRET_KEY);
  const registry = createRegistry(registryUrl, config.REGISTRY_POOL_SIZE, config.REGISTRY_TIMEOUT_MS);
  const requiredVersion = overrides.tenantSchemaVersion ?? latestTenantVersion();
  const usersGate = forUsers(requiredVersion);
  const resolver = new TenantResolver(registry, {
    timeoutMs: config.REGISTRY_TIMEOUT_MS,
    ttlMs: 5_000,
    secretKey: config.STEEPLE_SECRET_KEY,
    cacheable: usersGate,
  });
  const connections = new ConnectionManager({
    budget: config.CONNECTION_BUDGET,
    poolSize: config.TENANT_POOL_SIZE,
    idleSeconds: config.TENANT_IDLE_SECONDS,
    waitMs: config.CONNECTION_WAIT_MS,
    statementTimeoutMs: config.TENANT_STATEMENT_TIMEOUT_MS,
    resolve: (id) => resolver.resolve(id),
    gate: usersGate,
  });
  const cluster = new ClusterAdmin(config.DATABASE_URL);
  const billing = createBilling(config);
  const provision: ProvisionDeps = {
    registry,
    cluster,
    connections,
    naming,
    secretKey: config.STEEPLE_SECRET_KEY,
    tenantSchemaVersion: requiredVersion,
    billing,
    trialDays: config.TRIAL_DAYS,
    ...provisionOverrides,
  };
  const redis = new RedisLink(config.REDIS_URL);
  // Local texting signs its simulated replies itself; live texting verifies Telnyx's key (required with the API key).
  const signingKey = localTexting(config) ? localSigningKey(config.STEEPLE_SECRET_KEY) : null;
  const messaging: Messaging = {
    provider: providerOverride ?? createProvider(config),
    numbers: new NumberRouter(registry),
    sendRate: buildLimiter(registry, redis, {
      keyPrefix: 'send_rate',
      points: config.SENDS_PER_SECOND_PER_CHURCH,
      duration: 1,
      blockDuration: 0,
    }),
    verifyKey: signingKey ? createPublicKey(signingKey) : publicKeyFromBase64(config.TELNYX_PUBLIC_KEY!),
    signingKey,
    gate: forInbound(requiredVersion),
    inbound: new InboundQueue(registry),
    pictureUrl: (key) => signedUrl(config, key),
  };
  const sessions = new SessionRegistry(registry, redis, {
    pollMs: 500,
    maxAgeSeconds: config.SESSION_MAX_AGE_HOURS * 3600,
  });
  return {
    config,
    registry,
    naming,
    resolver,
    connections,
    cluster,
    provision,
    redis,
    sessions,
    messaging,
    inventory: inventory ?? createInventory(config, registry),
    registrar: registrar ?? createRegistrar(config),
    billing,
    media: media ?? createMediaStore(config),
    access: new AccessCache(registry, !!billing),
    profiles: new ChurchProfiles(registry),
    throttle: new Throttle(registry, redis, {
      signupIp: { points: config.SIGNUPS_PER_HOUR_PER_IP },
      signinEmailIp: { points: config.SIGNIN_FAILURES_PER_EMAIL },
      signinEmail: { points: config.SIGNIN_FAILURES_PER_ACCOUNT },
      signinIp: { points: config.SIGNIN_FAILURES_PER_IP },
      passwordChange: { points: config.PASSWORD_CHANGES_PER_HOUR },
      invites: { points: config.INVITES_PER_HOUR_PER_CHURCH },
      connectCardIp: { points: config.CONNECT_CARDS_PER_HOUR_PER_IP },
      connectCardChurch: { points: config.CONNECT_CARDS_PER_HOUR_PER_CHURCH },
    }),
    async close() {
      sessions.stop();
      await messaging.inbound.flush(); // delivered marks still waiting to be written
      await redis.close();
      await connections.close();
      await cluster.close();
      await registry.sql.end({ timeout: 5 });
    },
  };
}

// One set per process, shared by instrumentation and route handlers (which Next.js may bundle separately).
const holder = globalThis as unknown as { __steeple?: Services };

export function getServices(): Services {
  holder.__steeple ??= createServices(loadConfig());
  return holder.__steeple;
}
