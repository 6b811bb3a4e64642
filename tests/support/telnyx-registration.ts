import type { BrandGetFeedbackResponse, TelnyxBrand } from 'telnyx/resources/messaging-10dlc/brand/brand';
import type { TelnyxCampaignCsp } from 'telnyx/resources/messaging-10dlc/campaign/campaign';
import type { PhoneNumberCampaign } from 'telnyx/resources/messaging-10dlc/phone-number-campaigns';
import type { RequestRetrieveResponse } from 'telnyx/resources/messaging-tollfree/verification/requests';
import type { ScriptedAnswer } from './messaging';

export type FakeBrand = Omit<TelnyxBrand, 'failureReasons'> & { brandId: string; failureReasons: string | null };
export type FakeCampaign = Omit<TelnyxCampaignCsp, 'failureReasons'> & { failureReasons: string | null };
export type FakeAssignment = PhoneNumberCampaign;
export type FakeTollFree = Omit<RequestRetrieveResponse, 'reason'> & {
  verificationRequestId: string;
  reason: string | null;
};
type CampaignStatus = NonNullable<TelnyxCampaignCsp['campaignStatus']>;
type Body = Record<string, unknown>;

const list = (words: string) => words.split(/\s+/);
/** Path words of the 10DLC and toll-free APIs; every other path segment is an id. */
const WORDS = new Set(
  list(`10dlc brand feedback revet smsOtp 2faEmail externalVetting campaign campaignBuilder appeal acceptSharing sharing
    mnoMetadata operationStatus osr usecase phone_number_campaigns messaging_tollfree verification requests
    status_history`),
);
const BRAND_FIELDS = list(
  'entityType displayName companyName ein country email vertical phone street city state postalCode website',
);
const CAMPAIGN_FIELDS = list('usecase description sample1 sample2 messageFlow');
/** What PUT 10dlc/campaign/{id} may change; anything else in its body is ignored. */
const CAMPAIGN_EDITABLE = list(
  'sample1 sample2 sample3 sample4 sample5 messageFlow helpMessage autoRenewal webhookURL webhookFailoverURL',
);
const TOLL_FREE_FIELDS = list(`businessName corporateWebsite businessAddr1 businessCity businessState businessZip
  businessContactFirstName businessContactLastName businessContactEmail businessContactPhone messageVolume useCase
  useCaseSummary productionMessageContent optInWorkflow additionalInformation isvReseller`);
// As Telnyx documents them: an update sends a campaign Telnyx rejected back to review; the carriers' rejection
// needs an appeal; one The Campaign Registry refused can be neither (a new campaign is the way).
const APPEALABLE: readonly string[] = ['TELNYX_FAILED', 'MNO_REJECTED'];
const CSP_ID = 'CSPFAKE';

const ok = (body: unknown): ScriptedAnswer => ({ status: 200, body });
const notFound = (): ScriptedAnswer => ({ status: 404, body: { errors: [{ title: 'Not found' }] } });
/** Telnyx's 400: one error per field at fault. */
const invalid = (problems: [field: string, detail: string][]): ScriptedAnswer => ({
  status: 400,
  body: {
    errors: problems.map(([field, detail]) => ({
      code: '10002',
      title: 'Invalid parameter',
      detail,
      source: { pointer: `/${field}` },
    })),
  },
});
const str = (v: unknown) => (typeof v === 'string' ? v : '');
const required = (b: Body, fields: string[]) =>
  fields.filter((f) => !str(b[f]).trim()).map((f): [string, string] => [f, `${f} is required`]);
const now = () => new Date().toISOString();
const pad = (n: number) => String(n).padStart(6, '0');
const lookup = <T>(map: Map<string, T>, kind: string, id: string): T => {
  const found = map.get(id);
  if (!found) throw new Error(`the fake Telnyx has no ${kind} ${id}`);
  return found;
};
const only = <T>(map: Map<string, T>, kind: string): T => {
  if (map.size !== 1) throw new Error(`expected exactly one ${kind} at the fake Telnyx, found ${map.size}`);
  return [...map.values()][0]!;
};

/**
 * Telnyx's 10DLC (brands, campaigns, number assignments) and toll-free verification APIs as the stand-in answers
 * them, shaped as the `telnyx` library (v7) types them: plain objects, not wrapped in `data`. Submissions pass at
 * once with the `…OnSubmit`/`…OnCreate` statuses; tests then play Telnyx's and the carriers' reviewers with
 * `approveBrand`, `failBrand`, `rejectCampaign`, `verifyTollFree`, ….
 */
export class FakeTelnyxRegistration {
  readonly brands = new Map<string, FakeBrand>();
  readonly campaigns = new Map<string, FakeCampaign>();
  /** Number → campaign assignments, by E.164 number. */
  readonly assignments = new Map<string, FakeAssignment>();
  readonly tollFree = new Map<string, FakeTollFree>();
  /** Feedback categories from `failBrand`, by brand id; cleared when the brand is submitted again. */
  readonly feedback = new Map<string, BrandGetFeedbackResponse.Category[]>();
  /** Campaign appeals filed through the API, in order. */
  readonly appeals: { campaignId: string; reason: string; at: string }[] = [];
  /**
   * Scripted answers used before the state above, by "METHOD pattern": the endpoint with each id segment replaced by
   * `{id}` and the API's own words (feedback, revet, appeal, …) kept, e.g. "GET 10dlc/brand/{id}",
   * "GET 10dlc/brand/feedback/{id}", "PUT 10dlc/brand/{id}/revet", "POST messaging_tollfree/verification/requests".
   */
  readonly script = new Map<string, ScriptedAnswer[]>();
  brandStatusOnSubmit: 'OK' | 'REGISTRATION_PENDING' = 'OK';
  campaignStatusOnSubmit: CampaignStatus = 'TCR_PENDING';
  assignmentStatusOnCreate: 'ASSIGNED' | 'PENDING_ASSIGNMENT' = 'ASSIGNED';

  answer(method: string, endpoint: string, url: URL, body: unknown): ScriptedAnswer {
    const parts = endpoint.split('/').filter(Boolean);
    const key = `${method} ${parts.map((p) => (WORDS.has(p) ? p : '{id}')).join('/')}`;
    const scripted = this.script.get(key)?.shift();
    if (scripted) return scripted;
    const id = decodeURIComponent(parts.find((p) => !WORDS.has(p)) ?? '');
    const b: Body = typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Body) : {};
    const brand = this.brands.get(id);
    const campaign = this.campaigns.get(id);
    const at = now();
    switch (key) {
      case 'POST 10dlc/brand':
        return this.putBrand(`brand-${this.brands.size + 1}`, b);
      case 'GET 10dlc/brand/{id}': {
        if (!brand) return notFound();
        const assignedCampaignsCount = [...this.campaigns.values()].filter((c) => c.brandId === id).length;
        return ok({ ...brand, assignedCampaignsCount });
      }
      case 'PUT 10dlc/brand/{id}':
        return brand ? this.putBrand(id, b) : notFound();
      case 'PUT 10dlc/brand/{id}/revet':
        if (!brand) return notFound();
        this.feedback.delete(id);
        return ok(Object.assign(brand, this.vetted(), { updatedAt: at }));
      case 'GET 10dlc/brand/feedback/{id}':
        return brand ? ok({ brandId: id, category: this.feedback.get(id) ?? [] }) : notFound();
      case 'POST 10dlc/campaignBuilder':
        return this.submitCampaign(b);
      case 'GET 10dlc/campaign': {
        const brandId = url.searchParams.get('brandId');
        if (!brandId) return invalid([['brandId', 'brandId is required']]);
        const page = Math.max(1, Number(url.searchParams.get('page')) || 1);
        const per = Number(url.searchParams.get('recordsPerPage')) || 10;
        const all = [...this.campaigns.values()].filter((c) => c.brandId === brandId).reverse();
        return ok({ records: all.slice((page - 1) * per, page * per), page, totalRecords: all.length });
      }
      case 'GET 10dlc/campaign/{id}':
        return campaign ? ok(campaign) : notFound();
      case 'PUT 10dlc/campaign/{id}':
        if (!campaign) return notFound();
        Object.assign(campaign, Object.fromEntries(CAMPAIGN_EDITABLE.filter((f) => f in b).map((f) => [f, b[f]])));
        if (campaign.campaignStatus === 'TCR_FAILED')
          return invalid([['campaignId', 'a campaign in TCR_FAILED cannot be updated']]);
        if (campaign.campaignStatus === 'TELNYX_FAILED')
          Object.assign(campaign, { campaignStatus: 'TCR_ACCEPTED', failureReasons: null } as const);
        return ok(Object.assign(campaign, { updatedAt: at }));
      case 'POST 10dlc/campaign/{id}/appeal':
        if (!campaign) return notFound();
        if (!APPEALABLE.includes(campaign.campaignStatus ?? ''))
          return invalid([['campaignId', `a campaign in ${campaign.campaignStatus} cannot be appealed`]]);
        if (!str(b.appeal_reason)) return invalid([['appeal_reason', 'appeal_reason is required']]);
        this.appeals.push({ campaignId: id, reason: str(b.appeal_reason), at });
        Object.assign(campaign, { campaignStatus: 'TCR_ACCEPTED', failureReasons: null, updatedAt: at } as const);
        return ok({ appealed_at: at });
      case 'DELETE 10dlc/campaign/{id}':
        if (!campaign) return notFound();
        Object.assign(campaign, { status: 'EXPIRED', updatedAt: at });
        return ok({ time: 0, record_type: 'campaign', message: 'Campaign deactivated' });
      case 'POST 10dlc/phone_number_campaigns': {
        const phoneNumber = str(b.phoneNumber);
        const target = this.campaigns.get(str(b.campaignId));
        if (!phoneNumber) return invalid([['phoneNumber', 'phoneNumber is required']]);
        if (!target)
          return invalid([['campaignId', str(b.campaignId) ? 'campaignId is unknown' : 'campaignId is required']]);
        const assignment: FakeAssignment = {
          phoneNumber,
          campaignId: target.campaignId,
          brandId: target.brandId,
          tcrBrandId: target.tcrBrandId,
          tcrCampaignId: target.tcrCampaignId,
          assignmentStatus: this.assignmentStatusOnCreate,
          createdAt: this.assignments.get(phoneNumber)?.createdAt ?? at,
          updatedAt: at,
        };
        this.assignments.set(phoneNumber, assignment);
        return ok(assignment);
      }
      case 'GET 10dlc/phone_number_campaigns/{id}': {
        const assignment = this.assignments.get(id);
        return assignment ? ok(assignment) : notFound();
      }
      case 'POST messaging_tollfree/verification/requests':
        return this.putTollFree(`tfv-${this.tollFree.size + 1}`, b);
      case 'GET messaging_tollfree/verification/requests/{id}': {
        const request = this.tollFree.get(id);
        return request ? ok(request) : notFound();
      }
      case 'PATCH messaging_tollfree/verification/requests/{id}':
        return this.tollFree.has(id) ? this.putTollFree(id, b) : notFound();
    }
    return { status: 404, body: { errors: [{ title: `no fake for ${method} ${endpoint}` }] } };
  }

  /** Telnyx's vetting finishes well. */
  approveBrand(id: string) {
    const brand = lookup(this.brands, 'brand', id);
    Object.assign(brand, { status: 'OK', identityStatus: 'VERIFIED', failureReasons: null, updatedAt: now() } as const);
  }
  failBrand(id: string, failureReasons: string, feedback: BrandGetFeedbackResponse.Category[] = []) {
    const brand = lookup(this.brands, 'brand', id);
    const failed = { status: 'REGISTRATION_FAILED', identityStatus: 'UNVERIFIED', failureReasons } as const;
    Object.assign(brand, failed, { updatedAt: now() });
    this.feedback.set(id, feedback);
  }
  /** The carriers accept the campaign. */
  approveCampaign(id: string) {
    const campaign = lookup(this.campaigns, 'campaign', id);
    Object.assign(campaign, { campaignStatus: 'MNO_PROVISIONED', failureReasons: null, updatedAt: now() } as const);
  }
  rejectCampaign(
    id: string,
    failureReasons: string,
    status: 'TELNYX_FAILED' | 'MNO_REJECTED' | 'TCR_FAILED' = 'TELNYX_FAILED',
  ) {
    const campaign = lookup(this.campaigns, 'campaign', id);
    Object.assign(campaign, { campaignStatus: status, failureReasons, updatedAt: now() });
  }
  /** A pending assignment finishes. */
  completeAssignment(phone: string, status: 'ASSIGNED' | 'FAILED_ASSIGNMENT' = 'ASSIGNED') {
    Object.assign(lookup(this.assignments, 'assignment for', phone), { assignmentStatus: status, updatedAt: now() });
  }
  verifyTollFree(id: string) {
    const request = lookup(this.tollFree, 'toll-free verification', id);
    Object.assign(request, { verificationStatus: 'Verified', reason: null, updatedAt: now() } as const);
  }
  rejectTollFree(id: string, reason: string) {
    const request = lookup(this.tollFree, 'toll-free verification', id);
    Object.assign(request, { verificationStatus: 'Rejected', reason, updatedAt: now() } as const);
  }

  onlyBrand() {
    return only(this.brands, 'brand');
  }
  onlyCampaign() {
    return only(this.campaigns, 'campaign');
  }
  onlyTollFree() {
    return only(this.tollFree, 'toll-free verification');
  }

  /** What a (re)submitted brand becomes. */
  private vetted() {
    return { status: this.brandStatusOnSubmit, identityStatus: 'VERIFIED', failureReasons: null } as const;
  }

  /** Creates or replaces a brand from a full body. */
  private putBrand(brandId: string, b: Body): ScriptedAnswer {
    const problems = required(b, BRAND_FIELDS);
    if (str(b.ein) && !/^\d{9}$/.test(str(b.ein))) problems.push(['ein', 'ein must be 9 digits']);
    if (problems.length) return invalid(problems);
    const old = this.brands.get(brandId);
    const at = now();
    const brand = {
      ...b,
      brandId,
      tcrBrandId: old?.tcrBrandId ?? `B${pad(this.brands.size + 1)}`,
      cspId: CSP_ID,
      brandRelationship: 'BASIC_ACCOUNT',
      ...this.vetted(),
      createdAt: old?.createdAt ?? at,
      updatedAt: at,
    } as FakeBrand;
    this.brands.set(brandId, brand);
    this.feedback.delete(brandId);
    return ok(brand);
  }

  private submitCampaign(b: Body): ScriptedAnswer {
    const brand = this.brands.get(str(b.brandId));
    const problems = required(b, CAMPAIGN_FIELDS);
    if (!brand) problems.unshift(['brandId', str(b.brandId) ? 'brandId is unknown' : 'brandId is required']);
    const referenceId = b.referenceId;
    if (referenceId != null && [...this.campaigns.values()].some((c) => c.referenceId === referenceId))
      problems.push(['referenceId', 'referenceId must be unique']);
    if (problems.length || !brand) return invalid(problems);
    const n = this.campaigns.size + 1;
    const at = now();
    const campaign = {
      subUsecases: [],
      termsAndConditions: true,
      ...b,
      usecase: str(b.usecase),
      description: str(b.description),
      campaignId: `campaign-${n}`,
      tcrCampaignId: `C${pad(n)}`,
      brandId: brand.brandId,
      tcrBrandId: brand.tcrBrandId,
      brandDisplayName: brand.displayName,
      cspId: CSP_ID,
      mock: false,
      campaignStatus: this.campaignStatusOnSubmit,
      status: 'ACTIVE',
      submissionStatus: 'CREATED',
      failureReasons: null,
      createdAt: at,
      updatedAt: at,
    } as FakeCampaign;
    this.campaigns.set(campaign.campaignId, campaign);
    return ok(campaign);
  }

  /** Creates or replaces a toll-free verification request from a full body. */
  private putTollFree(id: string, b: Body): ScriptedAnswer {
    const problems = required(b, TOLL_FREE_FIELDS);
    const numbers: unknown[] = Array.isArray(b.phoneNumbers) ? b.phoneNumbers : [];
    if (numbers.length === 0 || numbers.some((p) => !str((p as Body | null)?.phoneNumber)))
      problems.push(['phoneNumbers', 'phoneNumbers is required']);
    if (!Array.isArray(b.optInWorkflowImageURLs))
      problems.push(['optInWorkflowImageURLs', 'optInWorkflowImageURLs is required']);
    if (problems.length) return invalid(problems);
    const at = now();
    const request = {
      ...b,
      id,
      verificationRequestId: id,
      verificationStatus: 'Waiting For Vendor',
      reason: null,
      createdAt: this.tollFree.get(id)?.createdAt ?? at,
      updatedAt: at,
    } as FakeTollFree;
    this.tollFree.set(id, request);
    return ok(request);
  }
}
