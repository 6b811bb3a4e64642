import { APIConnectionError, APIError, NotFoundError } from 'telnyx';
import type { CampaignBuilderSubmitParams } from 'telnyx/resources/messaging-10dlc/campaign-builder';
import type { RequestCreateParams } from 'telnyx/resources/messaging-tollfree/verification/requests';
import { log } from '@/server/log';
import { detailOf, telnyxClient } from '@/server/numbers/telnyx';
import { US_STATES, type RegistrationDetails } from './inputs';
import { RegistrationRefused, type Attachment, type Registrar, type Verdict } from './registrar';

/**
 * Telnyx's 10DLC API (brand → campaign → number assignment) and toll-free verification API, through its official
 * library. A campaign is ready to send only once the carriers have provisioned it (MNO_PROVISIONED).
 */
const CAMPAIGN_REJECTED = new Set([
  'TCR_FAILED',
  'TELNYX_FAILED',
  'MNO_REJECTED',
  'MNO_PROVISIONING_FAILED',
  'TCR_SUSPENDED',
  'TCR_EXPIRED',
]);
// MIXED needs two to five sub-use cases; these are what a church's texts are.
const CHURCH_SUB_USECASES = ['ACCOUNT_NOTIFICATION', 'CUSTOMER_CARE', 'MARKETING'];

export function createTelnyxRegistrar(opts: { apiKey: string; baseUrl: string; webhookUrl?: string }): Registrar {
  const client = telnyxClient(opts);
  const tenDlc = client.messaging10dlc;
  const requests = client.messagingTollfree.verification.requests;
  // Creations are never retried by the library: a lost answer must not register (and bill) twice. The next check
  // finds a campaign by its reference; a lost brand or verification answer is the one case left (see the README).
  const once = { maxRetries: 0 };
  const brandBody = (d: RegistrationDetails) => ({
    entityType: 'NON_PROFIT' as const,
    vertical: 'NGO' as const,
    displayName: d.legalName,
    companyName: d.legalName,
    ein: d.ein,
    country: 'US',
    street: d.street,
    city: d.city,
    state: d.state,
    postalCode: d.postalCode,
    website: d.website,
    email: d.contactEmail,
    phone: d.contactPhone,
    firstName: d.contactFirstName,
    lastName: d.contactLastName,
    webhookURL: opts.webhookUrl,
  });
  const verificationBody = (d: RegistrationDetails, numbers: string[]): RequestCreateParams => ({
    businessName: d.legalName,
    corporateWebsite: d.website,
    businessAddr1: d.street,
    businessCity: d.city,
    businessState: US_STATES[d.state] ?? d.state, // toll-free review wants the state's name
    businessZip: d.postalCode,
    businessContactFirstName: d.contactFirstName,
    businessContactLastName: d.contactLastName,
    businessContactEmail: d.contactEmail,
    businessContactPhone: d.contactPhone,
    businessRegistrationNumber: d.ein,
    businessRegistrationType: 'EIN',
    businessRegistrationCountry: 'US',
    entityType: 'NON_PROFIT',
    messageVolume: d.monthlyVolume,
    phoneNumbers: numbers.map((phoneNumber) => ({ phoneNumber })),
    useCase: 'Religious Services',
    useCaseSummary: d.description,
    productionMessageContent: d.samples.join('\n\n'),
    optInWorkflow: d.messageFlow,
    optInWorkflowImageURLs: [],
    optInKeywords: d.optinKeywords,
    optInConfirmationResponse: d.optinMessage,
    helpMessageResponse: d.helpMessage,
    additionalInformation: `Opt-out keywords: ${d.optoutKeywords}. Opt-out reply: ${d.optoutMessage}`,
    isvReseller: 'No',
    webhookUrl: opts.webhookUrl,
  });

  return {
    name: 'telnyx',
    async createBrand(details) {
      const brand = await call('registering the brand', () => tenDlc.brand.create(brandBody(details), once));
      if (!brand.brandId) throw new Error('telnyx: a brand without an id');
      return brand.brandId;
    },
    async updateBrand(brandId, details) {
      await call('correcting the brand', () => tenDlc.brand.update(brandId, brandBody(details)));
      await call('asking for the brand to be vetted again', () => tenDlc.brand.revet(brandId));
    },
    async brand(brandId) {
      const brand = await call('reading the brand', () => tenDlc.brand.retrieve(brandId));
      // Registered but UNVERIFIED: the legal name and EIN did not match, and no campaign would be accepted for it.
      const failed = brand.status === 'REGISTRATION_FAILED' || brand.identityStatus === 'UNVERIFIED';
      if (brand.status === 'OK' && !failed) return { state: 'approved', reasons: [] };
      if (!failed) return { state: 'pending', reasons: [] };
      // The feedback names what failed (the EIN, the non-profit status) in words meant for the brand's owner.
      const feedback = await call('reading the brand feedback', () => tenDlc.brand.getFeedback(brandId)).catch(
        () => null,
      );
      const named = (feedback?.category ?? []).map((c) => c.description || c.displayName).filter(Boolean);
      const unverified = brand.identityStatus === 'UNVERIFIED' ? UNVERIFIED : null;
      return rejected([brand.failureReasons, unverified, ...named]);
    },
    async findCampaign(brandId, reference) {
      return call('looking for a campaign already submitted', async () => {
        for await (const campaign of tenDlc.campaign.list({ brandId })) {
          if (campaign.referenceId === reference && campaign.campaignId) return campaign.campaignId;
        }
        return null;
      });
    },
    async createCampaign(brandId, details, reference) {
      const body: CampaignBuilderSubmitParams = {
        brandId,
        usecase: details.useCase,
        subUsecases: details.useCase === 'MIXED' ? CHURCH_SUB_USECASES : [],
        description: details.description,
        ...samplesOf(details),
        messageFlow: details.messageFlow,
        optinKeywords: details.optinKeywords,
        optinMessage: details.optinMessage,
        optoutKeywords: details.optoutKeywords,
        optoutMessage: details.optoutMessage,
        helpKeywords: details.helpKeywords,
        helpMessage: details.helpMessage,
        subscriberOptin: true,
        subscriberOptout: true,
        subscriberHelp: true,
        embeddedLink: details.samples.some((s) => /https?:\/\/|www\./i.test(s)),
        embeddedPhone: details.samples.some((s) => /\(?\d{3}\)?[\s.-]?\d{3}[\s.-]?\d{4}/.test(s)),
        numberPool: false,
        ageGated: false,
        directLending: false,
        termsAndConditions: true,
        autoRenewal: true,
        referenceId: reference,
        webhookURL: opts.webhookUrl,
      };
      const campaign = await call('submitting the campaign', () => tenDlc.campaignBuilder.submit(body, once));
      return campaign.campaignId;
    },
    async appealCampaign(campaignId, details) {
      const changes = { ...samplesOf(details), messageFlow: details.messageFlow, helpMessage: details.helpMessage };
      await call('correcting the campaign', () => tenDlc.campaign.update(campaignId, changes));
      // A campaign Telnyx rejected goes back to review with the update; one the carriers rejected needs the appeal.
      if ((await this.campaign(campaignId)).state !== 'rejected') return;
      await call('appealing the campaign', () =>
        tenDlc.campaign.submitAppeal(campaignId, {
          appeal_reason: 'The sample messages, opt-in description and help reply were corrected as the review asked.',
        }),
      );
    },
    async retireCampaign(campaignId) {
      await call('deactivating the replaced campaign', () => tenDlc.campaign.deactivate(campaignId)).catch((err) => {
        if (!RegistrationRefused.is(err)) throw err; // already deactivated, or never accepted
      });
    },
    async campaign(campaignId) {
      const c = await call('reading the campaign', () => tenDlc.campaign.retrieve(campaignId));
      if (c.campaignStatus === 'MNO_PROVISIONED') return { state: 'approved', reasons: [] };
      if (CAMPAIGN_REJECTED.has(c.campaignStatus ?? '')) return rejected([c.failureReasons]);
      return { state: 'pending', reasons: [] };
    },
    async attach(e164, campaignId): Promise<Attachment> {
      const current = await call('reading the number’s campaign', () =>
        tenDlc.phoneNumberCampaigns
          .retrieve(e164)
          .catch((err) => (err instanceof NotFoundError ? null : Promise.reject(err))),
      );
      const same = current?.campaignId === campaignId;
      if (same && current?.assignmentStatus === 'ASSIGNED') return 'attached';
      if (same && current?.assignmentStatus === 'PENDING_ASSIGNMENT') return 'pending';
      // On another campaign (a replaced one), it moves; otherwise it is attached afresh.
      const body = { phoneNumber: e164, campaignId };
      const made = await call('attaching the number to the campaign', () =>
        current ? tenDlc.phoneNumberCampaigns.update(e164, body) : tenDlc.phoneNumberCampaigns.create(body),
      ).catch((err) => {
        if (!RegistrationRefused.is(err)) throw err;
        log.error('telnyx refused to attach a number to its approved campaign', { e164, reasons: err.reasons });
        return null;
      });
      if (made?.assignmentStatus === 'ASSIGNED') return 'attached';
      return !made || made.assignmentStatus === 'FAILED_ASSIGNMENT' ? 'failed' : 'pending';
    },
    async createVerification(details, numbers) {
      const made = await call('requesting toll-free verification', () =>
        requests.create(verificationBody(details, numbers), once),
      );
      return made.id;
    },
    async updateVerification(id, details, numbers) {
      await call('correcting the toll-free verification', () =>
        requests.update(id, verificationBody(details, numbers)),
      );
    },
    async verification(id) {
      const request = await call('reading the toll-free verification', () => requests.retrieve(id));
      if (request.verificationStatus === 'Verified') return { state: 'approved', reasons: [] };
      // Rejected, or waiting for the church to say more: either way the church edits and sends it again.
      if (request.verificationStatus === 'Rejected' || request.verificationStatus === 'Waiting For Customer')
        return rejected([request.reason ?? 'The toll-free reviewers need more information.']);
      return { state: 'pending', reasons: [] };
    },
  };
}

const UNVERIFIED = 'Carriers could not match the legal name and EIN (they must be exactly as the IRS has them).';

function samplesOf(d: RegistrationDetails) {
  const [sample1, sample2, sample3, sample4, sample5] = d.samples;
  return { sample1, sample2, sample3, sample4, sample5 };
}

function rejected(reasons: (string | null | undefined)[]): Verdict {
  const said = reasons.flatMap((r) => (r ? r.split(/\s*;\s*/) : [])).filter(Boolean);
  return { state: 'rejected', reasons: said.length ? [...new Set(said)] : ['The carrier did not give a reason.'] };
}

/**
 * Telnyx's refusal of what we sent (400, 409, 422) is about the church's own details: the reasons go back to the
 * church. Anything else (outages, timeouts, our account refused) is thrown for the check's next run; the log has it.
 */
async function call<T>(what: string, request: () => Promise<T>): Promise<T> {
  try {
    return await request();
  } catch (err) {
    if (!(err instanceof APIError) || err instanceof APIConnectionError) {
      log.warn(`telnyx: failed while ${what}`, { err }); // no answer: nothing of ours in it
      throw err;
    }
    // Telnyx's answer may repeat what we sent: the log gets its status and detail, with any EIN masked.
    const fields = { status: err.status, detail: withoutEin(detailOf(err) ?? '') };
    if ([400, 409, 422].includes(err.status ?? 0)) {
      log.warn(`telnyx: refused while ${what}`, fields);
      throw new RegistrationRefused(refusalReasons(err));
    }
    if ([401, 403].includes(err.status ?? 0))
      log.error(`telnyx: our account was refused while ${what} (check TELNYX_API_KEY)`, fields);
    else log.warn(`telnyx: failed while ${what}`, fields);
    throw new Error(`telnyx answered ${err.status} while ${what}`);
  }
}

const withoutEin = (s: string) => s.replace(/\d{2}-?\d{7}/g, '[ein]');

/** Each of Telnyx's errors, with the field it names (its words are about the details the church entered). */
function refusalReasons(err: APIError): string[] {
  const errors = (err.error as { errors?: { title?: string; detail?: string; source?: { pointer?: string } }[] })
    ?.errors;
  const reasons = (errors ?? []).map((e) => e.detail ?? e.title).filter((r): r is string => !!r);
  return reasons.length ? reasons : ['Telnyx did not accept these details.'];
}
