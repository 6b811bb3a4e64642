import { telnyxKey, type Config } from '@/server/config';
import { errorKind } from '@/server/errors';
import type { RegistrationDetails } from './inputs';
import { createSimulatedRegistrar } from './simulated';
import { createTelnyxRegistrar } from './telnyx';

/**
 * Where a church's registration goes: Telnyx's 10DLC (brand, campaign, number assignment) and toll-free verification
 * APIs when TELNYX_API_KEY is set; otherwise a simulated registrar that approves after SIMULATED_APPROVAL_SECONDS, so
 * the journey runs offline. Every call is safe to repeat: the registration check (progress.ts) may run any step again.
 */
export type Verdict = { state: 'pending' | 'approved' | 'rejected'; reasons: string[] };

/** What a campaign can change after it is submitted (Telnyx's campaign update); anything else needs a new one. */
export const CAMPAIGN_UPDATABLE = [
  'samples',
  'messageFlow',
  'helpMessage',
] as const satisfies (keyof RegistrationDetails)[];
export type Attachment = 'attached' | 'pending' | 'failed';

export type Registrar = {
  name: 'telnyx' | 'simulated';
  createBrand(details: RegistrationDetails): Promise<string>;
  /** Send corrected details after a rejection, and ask for the brand to be vetted again. */
  updateBrand(brandId: string, details: RegistrationDetails): Promise<void>;
  brand(brandId: string): Promise<Verdict>;
  /** A campaign already submitted under `reference` (a check that died before recording it), if any. */
  findCampaign(brandId: string, reference: string): Promise<string | null>;
  createCampaign(brandId: string, details: RegistrationDetails, reference: string): Promise<string>;
  /**
   * Corrected samples, opt-in description and help reply (CAMPAIGN_UPDATABLE), with an appeal of the rejection;
   * RegistrationRefused when the campaign cannot be appealed (then it is replaced).
   */
  appealCampaign(campaignId: string, details: RegistrationDetails): Promise<void>;
  /** A rejected campaign replaced by a new one: the old one is deactivated, so it is not billed. */
  retireCampaign(campaignId: string): Promise<void>;
  campaign(campaignId: string): Promise<Verdict>;
  /**
   * Attach a number to the campaign (asks first: an attachment already made is not made twice). A refusal is the
   * number's `failed`, tried again later: it never turns the church's approved registration into a rejected one.
   */
  attach(e164: string, campaignId: string): Promise<Attachment>;
  createVerification(details: RegistrationDetails, numbers: string[]): Promise<string>;
  updateVerification(id: string, details: RegistrationDetails, numbers: string[]): Promise<void>;
  verification(id: string): Promise<Verdict>;
};

/** The carrier refused what was sent (a field it will not take): the church corrects it and sends it again. */
export class RegistrationRefused extends errorKind('RegistrationRefused') {
  constructor(readonly reasons: string[]) {
    super(reasons.join(' '));
  }
}

export function createRegistrar(config: Config): Registrar {
  const apiKey = telnyxKey(config);
  return apiKey
    ? createTelnyxRegistrar({
        apiKey,
        baseUrl: config.TELNYX_API_URL,
        // Status webhooks come to the same signed route as texts; without a public URL the slow poll finds them.
        webhookUrl: config.NEXTAUTH_URL ? new URL('/api/webhooks/telnyx', config.NEXTAUTH_URL).toString() : undefined,
      })
    : createSimulatedRegistrar(config.SIMULATED_APPROVAL_SECONDS * 1000);
}
