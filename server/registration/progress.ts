import { createHash } from 'node:crypto';
import type { Task } from 'graphile-worker';
import { and, eq, inArray, isNull, ne } from 'drizzle-orm';
import { z } from 'zod';
import type { RegistryDb } from '@/db/registry';
import { phoneNumberIndex, registrationRefs, type RegistrationRef } from '@/db/registry/schema';
import { carrierRegistrations, type CarrierRegistration, type RegistrationKind } from '@/db/tenant/schema';
import { addJobInTransaction } from '@/server/jobs/queue';
import { log } from '@/server/log';
import { withDeadline } from '@/server/registry';
import type { Services } from '@/server/services';
import { unavailableReason } from '@/server/tenancy/availability';
import { isTollFree } from '@/server/numbers/regions';
import { RegistrationRefused, type Verdict } from './registrar';

/**
 * Following a registration to its end: one job per church and path, run now when something happened (a submission,
 * a Telnyx status webhook, a number switched on) and otherwise every few minutes while carriers review it — the slow
 * poll that finds what a lost webhook would have said. Each run reads where the registration is and takes the next
 * step; every step is safe to repeat. 10DLC: brand → campaign → approved → each local number attached. Toll-free:
 * verification request → verified (its numbers registered).
 */
export const REGISTRATION_TASK = 'check_registration';
type Deps = Pick<Services, 'config' | 'connections' | 'messaging' | 'registrar' | 'registry'>;
type Step = 'done' | 'wait';

const payload = z.object({ tenantId: z.string().uuid(), kind: z.enum(['10dlc', 'toll_free']) });
/** Carrier review takes days: a look every 15 minutes is plenty. Local mode's review takes seconds. */
const POLL_MS = 15 * 60_000;
const LOCAL_POLL_MS = 1_000;

/** Check the registration at `runAt` (now by default); one job per church and path, moved to the earliest ask. */
export function enqueueRegistrationCheck(
  db: Pick<RegistryDb, 'execute'>,
  tenantId: string,
  kind: RegistrationKind,
  runAt = new Date(),
) {
  return addJobInTransaction(
    db,
    REGISTRATION_TASK,
    { tenantId, kind },
    { jobKey: `registration:${tenantId}:${kind}`, maxAttempts: 20, runAt },
  );
}

export function registrationTask(deps: Deps): Task {
  return async (raw) => {
    const { tenantId, kind } = payload.parse(raw);
    let step: Step;
    try {
      step = await checkRegistration(deps, tenantId, kind);
    } catch (err) {
      const reason = unavailableReason(err);
      if (reason === 'closed' || reason === 'gone') return; // nothing left to register for
      if (reason !== 'maintenance' && reason !== 'upgrading') throw err; // the queue retries with its backoff
      step = 'wait';
    }
    if (step === 'wait') {
      const inMs = deps.registrar.name === 'simulated' ? LOCAL_POLL_MS : POLL_MS;
      await enqueueRegistrationCheck(deps.registry.db, tenantId, kind, new Date(Date.now() + inMs));
    }
  };
}

/** One pass: the next step of the registration, and whether to look again later. */
export async function checkRegistration(deps: Deps, tenantId: string, kind: RegistrationKind): Promise<Step> {
  const row = await deps.connections.withTenant(tenantId, (db) =>
    db.select().from(carrierRegistrations).where(eq(carrierRegistrations.kind, kind)),
  );
  const reg = row[0];
  if (!reg || reg.status === 'rejected') return 'done'; // nothing submitted, or waiting for the church's edit
  const save = (changes: Partial<CarrierRegistration>) => saveRegistration(deps, tenantId, kind, changes);
  try {
    return kind === '10dlc' ? await tenDlc(deps, tenantId, reg, save) : await tollFree(deps, tenantId, reg, save);
  } catch (err) {
    if (!RegistrationRefused.is(err)) throw err;
    await save(decided({ state: 'rejected', reasons: err.reasons }));
    return 'done';
  }
}

type Save = (changes: Partial<CarrierRegistration>) => Promise<void>;

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
    if (brandRejected) await registrar.updateBrand(brandId, reg.details);
    const campaignRejected = !!campaignId && (await registrar.campaign(campaignId)).state === 'rejected';
    if (campaignRejected) campaignId = await resendCampaign(deps, tenantId, reg, campaignId!);
    await save({ resubmit: false, sent: reg.details, campaignId });
    if (brandRejected || campaignRejected) return 'wait';
  }
  const brand = await registrar.brand(brandId);
  if (brand.state !== 'approved') return settle(save, brand);
  if (!campaignId) {
    const reference = campaignReference(tenantId, null);
    campaignId =
      (await registrar.findCampaign(brandId, reference)) ??
      (await registrar.createCampaign(brandId, reg.details, reference));
    await remember(deps, tenantId, 'campaign', campaignId);
    await save({ campaignId, sent: reg.details });
  }
  const campaign = await registrar.campaign(campaignId);
  if (campaign.state !== 'approved') return settle(save, campaign);
  await save(decided(campaign));
  log.info('registration approved', { tenantId, kind: '10dlc' });
  return attachNumbers(deps, tenantId, campaignId);
}

/**
 * A rejected campaign, corrected: the fields a campaign can change (samples, opt-in description, help reply) are
 * sent with an appeal; any other change (use case, description, keywords) needs a new campaign, and the old one goes.
 */
async function resendCampaign(deps: Deps, tenantId: string, reg: CarrierRegistration, campaignId: string) {
  const before = reg.sent ?? reg.details;
  const fixed = ['useCase', 'description', 'optinKeywords', 'optinMessage', 'optoutKeywords', 'optoutMessage'].concat(
    'helpKeywords',
  );
  const sameCampaign = fixed.every((k) => before[k as keyof typeof before] === reg.details[k as keyof typeof before]);
  if (sameCampaign) {
    await deps.registrar.appealCampaign(campaignId, reg.details);
    return campaignId;
  }
  const reference = campaignReference(tenantId, campaignId);
  const next =
    (await deps.registrar.findCampaign(reg.brandId!, reference)) ??
    (await deps.registrar.createCampaign(reg.brandId!, reg.details, reference));
  await remember(deps, tenantId, 'campaign', next);
  await deps.registrar.retireCampaign(campaignId);
  return next;
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

/** Each of the church's local numbers onto the approved campaign; registered once the carrier has it. */
async function attachNumbers(deps: Deps, tenantId: string, campaignId: string): Promise<Step> {
  const waiting = await withDeadline(
    deps.registry.db
      .select({ e164: phoneNumberIndex.e164 })
      .from(phoneNumberIndex)
      .where(
        and(
          eq(phoneNumberIndex.tenantId, tenantId),
          eq(phoneNumberIndex.status, 'active'),
          ne(phoneNumberIndex.provider, 'claimed'),
          isNull(phoneNumberIndex.registeredAt),
        ),
      ),
    deps.registry.timeoutMs,
  );
  const local = waiting.map((n) => n.e164).filter((n) => !isTollFree(n));
  const attached: string[] = [];
  for (const e164 of local) {
    const outcome = await deps.registrar.attach(e164, campaignId);
    if (outcome === 'attached') attached.push(e164);
    if (outcome === 'failed') log.warn('number not attached to the campaign; trying again later', { tenantId, e164 });
  }
  await markRegistered(deps, tenantId, attached);
  return attached.length === local.length ? 'done' : 'wait';
}

async function markRegistered(deps: Deps, tenantId: string, numbers: string[]) {
  if (numbers.length === 0) return;
  await withDeadline(
    deps.registry.db
      .update(phoneNumberIndex)
      .set({ registeredAt: new Date() })
      .where(and(eq(phoneNumberIndex.tenantId, tenantId), inArray(phoneNumberIndex.e164, numbers))),
    deps.registry.timeoutMs,
  );
  for (const e164 of numbers) deps.messaging.numbers.forget(e164, tenantId);
  log.info('numbers registered with carriers', { tenantId, count: numbers.length });
}

/** Whose a carrier id is, for its status webhooks; recorded before the id is kept in the church's database. */
async function remember(deps: Deps, tenantId: string, what: RegistrationRef['what'], ref: string) {
  const kind = what === 'verification' ? 'toll_free' : '10dlc';
  await withDeadline(
    deps.registry.db.insert(registrationRefs).values({ ref, tenantId, kind, what }).onConflictDoNothing(),
    deps.registry.timeoutMs,
  );
  return ref;
}

/** A purged church's campaigns are deactivated, so Telnyx stops billing them, and its ids are forgotten. */
export async function retireRegistrations(deps: Pick<Deps, 'registrar' | 'registry'>, tenantId: string) {
  const campaigns = await deps.registry.db
    .select({ ref: registrationRefs.ref })
    .from(registrationRefs)
    .where(and(eq(registrationRefs.tenantId, tenantId), eq(registrationRefs.what, 'campaign')));
  for (const { ref } of campaigns) await deps.registrar.retireCampaign(ref);
  await deps.registry.db.delete(registrationRefs).where(eq(registrationRefs.tenantId, tenantId));
  if (campaigns.length) log.info('campaigns deactivated with their church', { tenantId, count: campaigns.length });
}

function saveRegistration(deps: Deps, tenantId: string, kind: RegistrationKind, changes: Partial<CarrierRegistration>) {
  return deps.connections.withTenant(tenantId, async (db) => {
    await db
      .update(carrierRegistrations)
      .set({ ...changes, updatedAt: new Date() })
      .where(eq(carrierRegistrations.kind, kind));
  });
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
