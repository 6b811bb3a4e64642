import { createHash } from 'node:crypto';
import type { Task } from 'graphile-worker';
import { and, eq, isNull, lt, or, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { RegistryDb } from '@/db/registry';
import {
  carrierRegistrations,
  REGISTRATION_KINDS,
  type CarrierRegistration,
  type RegistrationKind,
} from '@/db/tenant/schema';
import { addJobInTransaction } from '@/server/jobs/queue';
import { log } from '@/server/log';
import type { Services } from '@/server/services';
import { unavailableReason } from '@/server/tenancy/availability';
import { attachNumbers, markRegistered } from './attachment';
import { remember } from './refs';
import { BRAND_FIELDS } from './inputs';
import { CAMPAIGN_UPDATABLE, RegistrationRefused, type Verdict } from './registrar';

/**
 * Following a registration to its end: one job per church and path, run now when something happened (a submission,
 * a Telnyx status webhook, a number switched on) and otherwise every 15 minutes while carriers review it — the slow
 * poll that finds what a lost webhook would have said. Each run reads where the registration is and takes the next
 * step; every step is safe to repeat, and one check runs at a time (a lease on the row). 10DLC: brand → campaign →
 * approved → each local number attached. Toll-free: verification request → verified (its numbers registered).
 */
export const REGISTRATION_TASK = 'check_registration';
type Deps = Pick<Services, 'config' | 'connections' | 'messaging' | 'registrar' | 'registry'>;
/** `busy`: another check holds the registration; this one looks again shortly. */
type Step = 'done' | 'wait' | 'busy';

const payload = z.object({ tenantId: z.string().uuid(), kind: z.enum(REGISTRATION_KINDS) });
/** Carrier review takes days: a look every 15 minutes is plenty. Local mode's review takes seconds. */
const POLL_MS = 15 * 60_000;
const LOCAL_POLL_MS = 250;
const BUSY_RETRY_MS = 30_000;
/** Longer than any check takes (a few Telnyx calls of at most 20 s each); a crashed check's lease runs out. */
const LEASE = sql`now() + interval '5 minutes'`;
/** Failures past this many tries (Telnyx down for hours, a bug) are logged as errors, and the poll goes on. */
const LOUD_AFTER_ATTEMPTS = 5;

/**
 * Check the registration at `runAt` (now by default). `later`: the slow poll, which never puts off a check already
 * due sooner (a webhook's).
 */
export function enqueueRegistrationCheck(
  db: Pick<RegistryDb, 'execute'>,
  tenantId: string,
  kind: RegistrationKind,
  runAt = new Date(),
  later = false,
) {
  return addJobInTransaction(
    db,
    REGISTRATION_TASK,
    { tenantId, kind },
    { jobKey: `registration:${tenantId}:${kind}`, maxAttempts: 25, runAt, mode: later ? 'preserve_run_at' : 'replace' },
  );
}

export function registrationTask(deps: Deps): Task {
  const again = (tenantId: string, kind: RegistrationKind, inMs: number) =>
    enqueueRegistrationCheck(deps.registry.db, tenantId, kind, new Date(Date.now() + inMs), true);
  const pollMs = () => (deps.registrar.name === 'simulated' ? LOCAL_POLL_MS : POLL_MS);
  return async (raw, helpers) => {
    const { tenantId, kind } = payload.parse(raw);
    let step: Step;
    try {
      step = await checkRegistration(deps, tenantId, kind);
    } catch (err) {
      const reason = unavailableReason(err);
      if (reason === 'closed' || reason === 'gone') return; // nothing left to register for
      if (reason !== 'maintenance' && reason !== 'upgrading') {
        if ((helpers?.job?.attempts ?? 1) < LOUD_AFTER_ATTEMPTS) throw err; // the queue retries with its backoff
        log.error('registration check keeps failing; the slow poll goes on', { tenantId, kind, err });
      }
      step = 'wait';
    }
    if (step !== 'done') await again(tenantId, kind, step === 'busy' ? BUSY_RETRY_MS : pollMs());
  };
}

/** One pass: the next step of the registration, and whether to look again later. */
export async function checkRegistration(deps: Deps, tenantId: string, kind: RegistrationKind): Promise<Step> {
  const inChurch = <T>(fn: Parameters<typeof deps.connections.withTenant<T>>[1]) =>
    deps.connections.withTenant(tenantId, fn);
  const ofKind = eq(carrierRegistrations.kind, kind);
  // Taking the lease reads the row: nothing submitted, waiting for the church's edit, or held by another check.
  const [reg] = await inChurch((db) =>
    db
      .update(carrierRegistrations)
      .set({ checkingUntil: LEASE })
      .where(
        and(
          ofKind,
          sql`${carrierRegistrations.status} <> 'rejected'`,
          or(isNull(carrierRegistrations.checkingUntil), lt(carrierRegistrations.checkingUntil, sql`now()`)),
        ),
      )
      .returning(),
  );
  if (!reg) {
    const [held] = await inChurch((db) =>
      db.select({ id: carrierRegistrations.kind }).from(carrierRegistrations).where(and(ofKind, leased)),
    );
    return held ? 'busy' : 'done';
  }
  const save = (changes: Partial<CarrierRegistration>) =>
    inChurch((db) =>
      db
        .update(carrierRegistrations)
        .set({ ...changes, updatedAt: new Date() })
        .where(ofKind),
    );
  try {
    return kind === '10dlc' ? await tenDlc(deps, tenantId, reg, save) : await tollFree(deps, tenantId, reg, save);
  } catch (err) {
    if (!RegistrationRefused.is(err)) throw err;
    await save(decided({ state: 'rejected', reasons: err.reasons }));
    return 'done';
  } finally {
    await inChurch((db) => db.update(carrierRegistrations).set({ checkingUntil: null }).where(ofKind));
  }
}

const leased = sql`${carrierRegistrations.checkingUntil} > now()`;

type Save = (changes: Partial<CarrierRegistration>) => Promise<unknown>;

async function tenDlc(deps: Deps, tenantId: string, reg: CarrierRegistration, save: Save): Promise<Step> {
  const { registrar } = deps;
  if (reg.status === 'approved') return attachNumbers(deps, tenantId, reg.campaignId!);
  const brandId = reg.brandId ?? (await remember(deps, tenantId, 'brand', await registrar.createBrand(reg.details)));
  if (!reg.brandId) await save({ brandId });
  let campaignId = reg.campaignId;
  if (reg.resubmit) {
    // After a rejection the church edited the form: send again whichever part was turned down, then give the
    // carrier time to look (read at once, the verdict would still be the old one).
    const brandRejected = (await registrar.brand(brandId)).state === 'rejected';
    // The organisation's details corrected too (say the address, while the campaign was the one turned down).
    const brandEdited = edits(reg).some((k) => (BRAND_FIELDS as readonly string[]).includes(k));
    if (brandRejected || brandEdited) await registrar.updateBrand(brandId, reg.details);
    const campaignRejected = !!campaignId && (await registrar.campaign(campaignId)).state === 'rejected';
    const resent = campaignRejected ? await resendCampaign(deps, tenantId, reg, campaignId!) : null;
    campaignId = resent?.campaignId ?? campaignId;
    await save({ resubmit: false, sent: reg.details, campaignId });
    if (resent?.retired) await registrar.retireCampaign(resent.retired); // once the new one is kept
    if (brandRejected || brandEdited || campaignRejected) return 'wait';
  }
  const brand = await registrar.brand(brandId);
  if (brand.state !== 'approved') return settle(save, brand);
  if (!campaignId) {
    campaignId = await submitCampaign(deps, tenantId, { ...reg, brandId }, null);
    await save({ campaignId, sent: reg.details });
  }
  const campaign = await registrar.campaign(campaignId);
  if (campaign.state !== 'approved') return settle(save, campaign);
  await save(decided(campaign));
  log.info('registration approved', { tenantId, kind: '10dlc' });
  return attachNumbers(deps, tenantId, campaignId);
}

/**
 * A rejected campaign, corrected: when only what a campaign can change was changed (samples, opt-in description,
 * help reply), those are sent with an appeal; any other change (use case, description, keywords), or a campaign that
 * cannot be appealed, needs a new campaign, and the old one is retired once the new one is kept.
 */
async function resendCampaign(deps: Deps, tenantId: string, reg: CarrierRegistration, campaignId: string) {
  // What the campaign says (the monthly volume is toll-free verification's, not a campaign's).
  const texts = edits(reg).filter((k) => !(BRAND_FIELDS as readonly string[]).includes(k) && k !== 'monthlyVolume');
  const updatable = texts.every((k) => (CAMPAIGN_UPDATABLE as readonly string[]).includes(k));
  if (updatable) {
    const appealed = await deps.registrar.appealCampaign(campaignId, reg.details).then(
      () => true,
      (err) => (RegistrationRefused.is(err) ? false : Promise.reject(err)),
    );
    if (appealed) return { campaignId, retired: null };
  }
  const brandId = reg.brandId!; // a campaign exists, so its brand does
  return { campaignId: await submitCampaign(deps, tenantId, { ...reg, brandId }, campaignId), retired: campaignId };
}

/** The form's fields the church changed since it was last sent to the carrier. */
function edits(reg: CarrierRegistration) {
  const before = reg.sent ?? reg.details;
  return (Object.keys(reg.details) as (keyof typeof reg.details)[]).filter(
    (k) => JSON.stringify(before[k]) !== JSON.stringify(reg.details[k]),
  );
}

/** A campaign for the brand, found by its reference when a check died after submitting it, or submitted now. */
async function submitCampaign(
  deps: Deps,
  tenantId: string,
  reg: CarrierRegistration & { brandId: string },
  replacing: string | null,
) {
  const reference = campaignReference(tenantId, replacing);
  const campaignId =
    (await deps.registrar.findCampaign(reg.brandId, reference)) ??
    (await deps.registrar.createCampaign(reg.brandId, reg.details, reference));
  return remember(deps, tenantId, 'campaign', campaignId);
}

async function tollFree(deps: Deps, tenantId: string, reg: CarrierRegistration, save: Save): Promise<Step> {
  const { registrar } = deps;
  if (reg.status === 'approved') return 'done';
  let id = reg.verificationId;
  if (!id) {
    id = await remember(deps, tenantId, 'verification', await registrar.createVerification(reg.details, reg.numbers));
    await save({ verificationId: id, sent: reg.details });
  } else if (reg.resubmit) {
    await registrar.updateVerification(id, reg.details, reg.numbers);
    await save({ resubmit: false, sent: reg.details });
    return 'wait'; // back in review: the verdict read now would be the old one
  }
  const verdict = await registrar.verification(id);
  if (verdict.state !== 'approved') return settle(save, verdict);
  await markRegistered(deps, tenantId, reg.numbers);
  await save(decided(verdict));
  log.info('registration approved', { tenantId, kind: 'toll_free' });
  return 'done';
}

const decided = (verdict: Verdict): Partial<CarrierRegistration> => ({
  status: verdict.state === 'approved' ? 'approved' : 'rejected',
  reasons: verdict.reasons,
  decidedAt: new Date(),
});

/** Still under review: look again later. Rejected: keep the reasons, and wait for the church. */
async function settle(save: Save, verdict: Verdict): Promise<Step> {
  if (verdict.state === 'pending') return 'wait';
  await save(decided(verdict));
  return 'done';
}

/** The campaign's idempotency key: the same for a retried submission, new for each replacement. */
function campaignReference(tenantId: string, replacing: string | null) {
  return `steeple-${createHash('sha256')
    .update(`${tenantId}:${replacing ?? 'first'}`)
    .digest('hex')
    .slice(0, 24)}`;
}
