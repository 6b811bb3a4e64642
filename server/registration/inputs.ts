import { z } from 'zod';

/**
 * What a church tells US carriers about itself and its texts: one form for both paths (a 10DLC brand and campaign for
 * local numbers, a toll-free verification for toll-free ones). Checked here before anything reaches Telnyx, with the
 * limits Telnyx and The Campaign Registry apply, so a church learns of a typo now and not after weeks of review.
 * Pure, so the page checks the same rules before sending.
 */
const line = (label: string, max: number, min = 1) =>
  z
    .string()
    .trim()
    .min(min, min === 1 ? `Enter ${label}` : `Write at least ${min} characters for ${label}`)
    .max(max, `Keep ${label} under ${max} characters`);

/** A church's text that must say who is texting and how to stop (carriers reject keyword replies without them). */
const reply = (label: string, mustSay: RegExp, hint: string) =>
  line(label, 320, 20).refine((s) => mustSay.test(s), hint);

const keywords = (label: string) =>
  z
    .string()
    .trim()
    .min(1, `Enter at least one ${label} keyword`)
    .max(255)
    .transform((s) =>
      s
        .split(/[\s,]+/)
        .filter(Boolean)
        .map((w) => w.toUpperCase())
        .join(','),
    )
    .refine((s) => /^[A-Z0-9]+(,[A-Z0-9]+)*$/.test(s), 'Keywords are single words of letters and digits, like STOP');

export const USE_CASES = {
  MIXED: 'Mixed: announcements, reminders and care texts',
  CHARITY: 'Charity: a registered 501(c)(3) texting its members and donors',
} as const;

/** Texts a month, as Telnyx's toll-free verification asks for them. */
export const MONTHLY_VOLUMES = ['10', '100', '1,000', '10,000', '100,000'] as const;

export const registrationDetails = z.object({
  // The organisation, as the IRS knows it.
  legalName: line('the legal name', 255, 2),
  ein: z
    .string()
    .trim()
    .transform((s) => s.replace(/[\s-]/g, ''))
    .refine((s) => /^\d{9}$/.test(s), 'An EIN is nine digits, like 12-3456789'),
  street: line('the street address', 100),
  city: line('the city', 100),
  state: z
    .string()
    .trim()
    .toUpperCase()
    .refine((s) => s in US_STATES, 'Use the two-letter state code, like TN'),
  postalCode: z
    .string()
    .trim()
    .refine((s) => /^\d{5}(-\d{4})?$/.test(s), 'A ZIP code is five digits, like 37203')
    .transform((s) => s.slice(0, 5)),
  website: z
    .string()
    .trim()
    .max(255)
    .transform((s) => (/^https?:\/\//i.test(s) ? s : `https://${s}`))
    .refine((s) => URL.canParse(s) && new URL(s).hostname.includes('.'), 'Enter your website, like gracechurch.org'),
  // Who carriers may contact about it.
  contactFirstName: line('a first name', 100),
  contactLastName: line('a last name', 100),
  contactEmail: z.string().trim().toLowerCase().email('Enter an email address, like pastor@gracechurch.org').max(255),
  contactPhone: z
    .string()
    .trim()
    .transform((s) => s.replace(/[^\d+]/g, ''))
    .transform((s) => (s.startsWith('+') ? s : s.length === 10 ? `+1${s}` : `+${s}`))
    .refine((s) => /^\+1[2-9]\d{2}[2-9]\d{6}$/.test(s), 'Enter a US phone number, like (615) 555-0123'),
  // The texts themselves.
  useCase: z.enum(Object.keys(USE_CASES) as [keyof typeof USE_CASES, ...(keyof typeof USE_CASES)[]]),
  description: line('the description', 4096, 40),
  samples: z
    .array(line('a sample message', 1024, 20))
    .min(2, 'Give at least two sample messages')
    .max(5, 'Give at most five sample messages'),
  messageFlow: line('how people opt in', 2048, 40),
  monthlyVolume: z.enum(MONTHLY_VOLUMES),
  optinKeywords: keywords('opt-in'),
  optinMessage: reply('the opt-in reply', /STOP/i, 'Say how to stop, like “Reply STOP to unsubscribe”'),
  optoutKeywords: keywords('opt-out').refine((s) => s.split(',').includes('STOP'), 'STOP must be an opt-out keyword'),
  optoutMessage: line('the opt-out reply', 320, 20),
  helpKeywords: keywords('help').refine((s) => s.split(',').includes('HELP'), 'HELP must be a help keyword'),
  helpMessage: reply('the help reply', /STOP/i, 'Say how to stop, like “Reply STOP to unsubscribe”'),
});

export type RegistrationDetails = z.output<typeof registrationDetails>;

/** The fields that describe the organisation (the 10DLC brand); the rest describe its texts (the campaign). */
export const BRAND_FIELDS = [
  'legalName',
  'ein',
  'street',
  'city',
  'state',
  'postalCode',
  'website',
  'contactFirstName',
  'contactLastName',
  'contactEmail',
  'contactPhone',
] as const satisfies (keyof RegistrationDetails)[];
export type RegistrationForm = z.input<typeof registrationDetails>;

/** Registration is for US carriers: states and territories by code, with the full names toll-free review wants. */
// prettier-ignore
export const US_STATES: Record<string, string> = {
  AL: 'Alabama', AK: 'Alaska', AZ: 'Arizona', AR: 'Arkansas', CA: 'California', CO: 'Colorado', CT: 'Connecticut',
  DE: 'Delaware', DC: 'District of Columbia', FL: 'Florida', GA: 'Georgia', HI: 'Hawaii', ID: 'Idaho',
  IL: 'Illinois', IN: 'Indiana', IA: 'Iowa', KS: 'Kansas', KY: 'Kentucky', LA: 'Louisiana', ME: 'Maine',
  MD: 'Maryland', MA: 'Massachusetts', MI: 'Michigan', MN: 'Minnesota', MS: 'Mississippi', MO: 'Missouri',
  MT: 'Montana', NE: 'Nebraska', NV: 'Nevada', NH: 'New Hampshire', NJ: 'New Jersey', NM: 'New Mexico',
  NY: 'New York', NC: 'North Carolina', ND: 'North Dakota', OH: 'Ohio', OK: 'Oklahoma', OR: 'Oregon',
  PA: 'Pennsylvania', RI: 'Rhode Island', SC: 'South Carolina', SD: 'South Dakota', TN: 'Tennessee', TX: 'Texas',
  UT: 'Utah', VT: 'Vermont', VA: 'Virginia', WA: 'Washington', WV: 'West Virginia', WI: 'Wisconsin', WY: 'Wyoming',
  PR: 'Puerto Rico', GU: 'Guam', VI: 'U.S. Virgin Islands', AS: 'American Samoa', MP: 'Northern Mariana Islands',
};
