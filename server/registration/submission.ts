import { record } from '@/server/activity/record';
import { asc, eq } from 'drizzle-orm';
import type { ChurchScope, TenantDb } from '@/db/tenant';
import { carrierRegistrations, connectCard, templates, type RegistrationKind } from '@/db/tenant/schema';
import { cardUrl } from '@/server/connect-card/church';
import { Conflict, Precondition } from '@/server/domain-errors';
import { log } from '@/server/log';
import { KEYWORD_WORDS, keywordReply } from '@/server/messaging/keywords';
import { mergeFields, mergeValuesOf } from '@/server/messaging/merge-fields';
import { writeThenRun } from '@/server/messaging/jobs';
import { formatPhone } from '@/server/messaging/phone';
import { churchNumberRows } from '@/server/numbers/ownership';
import { registrationKindOf } from '@/server/numbers/regions';
import { withDeadline } from '@/server/registry';
import type { Services } from '@/server/services';
import type { RegistrationDetails, RegistrationForm } from './inputs';
import { enqueueRegistrationCheck } from './progress';

/**
 * The "Get ready to text" checklist: the church's numbers and the registration each needs (10DLC for local numbers,
 * toll-free verification for toll-free ones), what was sent and what carriers answered; and the form, prefilled with
 * what Steeple knows. Submitting stores the form and queues the check that takes it to the carrier (progress.ts).
 */
type Deps = Pick<Services, 'config' | 'profiles' | 'registrar' | 'registry'>;
/** Who fills the form in: the church's owner, its contact unless the church gave another. */
type Owner = { name: string; email: string };

export async function registrationOverview(deps: Deps, { db, tenantId }: ChurchScope, owner: Owner) {
  const [numbers, rows, country] = await Promise.all([
    numbersOf(deps, tenantId),
    db.select().from(carrierRegistrations),
    deps.profiles.country(tenantId),
  ]);
  const kinds = [...new Set(numbers.filter((n) => n.active).map((n) => registrationKindOf(n.number)))];
  return {
    numbers: numbers.map((n) => ({
      ...n,
      display: formatPhone(n.number, country),
      kind: registrationKindOf(n.number),
    })),
    paths: kinds.map((kind) => {
      const row = rows.find((r) => r.kind === kind);
      return {
        kind,
        registration: row
          ? {
              status: row.status,
              reasons: row.reasons,
              // The EIN leaves the server in full only while the form is open to correct it.
              details:
                row.status === 'rejected' ? row.details : { ...row.details, ein: `•••••${row.details.ein.slice(-4)}` },
              submittedAt: row.submittedAt,
              decidedAt: row.decidedAt,
            }
          : null,
      };
    }),
    draft: await prefill(deps, db, tenantId, owner),
    simulated: deps.registrar.name === 'simulated',
  };
}

/** Send the form to the carriers: a first submission, or a corrected one after a rejection. */
export async function submitRegistration(
  deps: Deps,
  { db, tenantId }: ChurchScope,
  input: { kind: RegistrationKind; details: RegistrationDetails },
  adminId: string,
) {
  const { kind, details } = input;
  const numbers = (await numbersOf(deps, tenantId)).filter((n) => n.active && registrationKindOf(n.number) === kind);
  if (numbers.length === 0)
    throw new Precondition(
      kind === '10dlc'
        ? 'Buy a local number first: registration is for the number you text from.'
        : 'Buy a toll-free number first: verification is for the number you text from.',
      '/settings#phone-numbers',
    );
  const [existing] = await db.select().from(carrierRegistrations).where(eq(carrierRegistrations.kind, kind));
  // A toll-free number bought after the verification needs one of its own; everything else waits for an answer.
  const unverified = numbers.filter((n) => !n.registered).map((n) => n.number);
  const again = existing?.status === 'approved' && kind === 'toll_free' && unverified.length > 0;
  if (existing?.status === 'submitted')
    throw new Conflict('Carriers are reviewing your registration. You can edit it if they turn it down.');
  if (existing?.status === 'approved' && !again) throw new Conflict('Your registration is approved already.');
  // A corrected request names the numbers it named; a new one, every number it is for.
  const tollFreeNumbers = () => {
    if (kind !== 'toll_free') return [];
    if (again) return unverified;
    return existing?.status === 'rejected' ? existing.numbers : numbers.map((n) => n.number);
  };
  const values = {
    kind,
    status: 'submitted' as const,
    details,
    numbers: tollFreeNumbers(),
    reasons: [],
    resubmit: existing?.status === 'rejected',
    ...(again && { verificationId: null, sent: null }),
    submittedBy: adminId,
    submittedAt: new Date(),
    decidedAt: null,
    updatedAt: new Date(),
  };
  const enqueue = (runAt: Date) =>
    withDeadline(enqueueRegistrationCheck(deps.registry.db, tenantId, kind, runAt), deps.registry.timeoutMs);
  await writeThenRun(enqueue, new Date(), () =>
    db.transaction(async (tx) => {
      await tx
        .insert(carrierRegistrations)
        .values(values)
        .onConflictDoUpdate({ target: carrierRegistrations.kind, set: values });
      await record(tx, {
        action: 'registration.submitted',
        by: { adminId },
        subject: kind === '10dlc' ? 'Local numbers (10DLC)' : 'Toll-free numbers',
        details: { resubmission: values.resubmit },
      });
    }),
  );
  log.info('registration submitted', { tenantId, kind, resubmission: values.resubmit });
  return { kind, status: values.status };
}

/** The church's bought numbers (not ones typed in before buying existed), with whether each is registered. */
async function numbersOf(deps: Pick<Deps, 'registry'>, tenantId: string) {
  const rows = await churchNumberRows(deps.registry, tenantId);
  return rows
    .filter((r) => r.provider !== 'claimed')
    .map((r) => ({ number: r.number, active: r.status === 'active', registered: r.registered }));
}

/**
 * The form as Steeple can fill it in: the church's name and contact, sample messages from its templates, how people
 * opt in (its connect card, when it has one), and the keywords and replies Steeple itself answers with.
 */
async function prefill(deps: Deps, db: TenantDb, tenantId: string, owner: Owner): Promise<RegistrationForm> {
  const [church, saved, card] = await Promise.all([
    deps.profiles.get(tenantId),
    db.select({ body: templates.body }).from(templates).orderBy(asc(templates.createdAt)).limit(5),
    db.select({ enabled: connectCard.enabled }).from(connectCard),
  ]);
  const [firstName = '', ...rest] = owner.name.trim().split(/\s+/);
  const sampleValues = mergeValuesOf({ firstName: 'Sam', lastName: 'Lee', branchName: null, churchName: church.name });
  const fromTemplates = saved.map((t) => mergeFields(t.body, sampleValues).trim()).filter((s) => s.length >= 20);
  const samples = [...fromTemplates, ...defaultSamples(church.name)].slice(0, Math.max(2, fromTemplates.length));
  const cardLink = card[0]?.enabled !== false ? cardUrl(deps, church.slug) : null;
  return {
    legalName: church.name,
    ein: '',
    street: '',
    city: '',
    state: '',
    postalCode: '',
    website: '',
    contactFirstName: firstName,
    contactLastName: rest.join(' '),
    contactEmail: church.contactEmail ?? owner.email,
    contactPhone: church.contactPhone ?? '',
    useCase: 'MIXED',
    description:
      `${church.name} texts its members and guests: service times and events, prayer and care follow-up, and ` +
      'answers to people who text the church. Texts go only to people who agreed to receive them.',
    samples,
    messageFlow: messageFlow(cardLink),
    monthlyVolume: '1,000',
    optinKeywords: KEYWORD_WORDS.start.join(','),
    optinMessage: keywordReply('start', church),
    optoutKeywords: KEYWORD_WORDS.stop.join(','),
    optoutMessage: keywordReply('stop', church),
    helpKeywords: KEYWORD_WORDS.help.join(','),
    helpMessage: keywordReply('help', church),
  };
}

function defaultSamples(church: string) {
  return [
    `${church}: Hi Sam, thanks for visiting on Sunday! Reply with any prayer requests. Reply STOP to opt out.`,
    `${church}: Reminder, our community dinner is Wednesday at 6pm in the fellowship hall. See you there!`,
  ];
}

function messageFlow(cardLink: string | null) {
  const card = cardLink
    ? `by filling in our connect card at ${cardLink}, where a box (not ticked in advance) asks to receive texts; `
    : '';
  return (
    `People opt in ${card}by texting START to our number; or in person at church, where staff record their ` +
    'consent. They are told how often we text, that message and data rates may apply, and that they can reply ' +
    'STOP to opt out or HELP for help.'
  );
}
