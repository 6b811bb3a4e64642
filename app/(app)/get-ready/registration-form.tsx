'use client';

import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Fragment, useEffect, useRef, useState, type ReactNode } from 'react';
import {
  BRAND_FIELDS,
  MONTHLY_VOLUMES,
  registrationDetails,
  US_STATES,
  USE_CASES,
  type RegistrationForm as Values,
} from '@/server/registration/inputs';
import { CheckedForm } from '../../_components/checked-form';
import { ErrorNotice } from '../../_components/error-notice';
import { fieldErrors } from '../../_components/errors';
import { SelectField, TextareaField, TextField } from '../../_components/fields';
import { Alert, Button } from '../../_components/ui';
import { useTRPC } from '../../trpc';

/**
 * How the form is shown: `first` (never sent), `again` (after a rejection), `newNumber` (toll-free approved, a number
 * bought since needs verifying): editable, each with its own button. `reviewing` and `sent`: what was sent, read-only.
 */
export type FormMode = 'first' | 'again' | 'newNumber' | 'reviewing' | 'sent';

type Kind = '10dlc' | 'toll_free';
type Key = keyof Values;
type Errors = Record<string, string | undefined>;

const SUBMIT_LABELS = { first: 'Submit registration', again: 'Submit again', newNumber: 'Verify the new number' };

/** Each field's explanation, in the words a church admin uses (the line under the field). */
const HINTS: Record<Exclude<Key, 'samples'>, string> = {
  legalName: 'Your church’s name exactly as the IRS has it (on your EIN letter). A different spelling is turned down.',
  ein:
    'Your church’s 9-digit federal tax id. Carriers check it against the legal name; Steeple keeps it for ' +
    'registration only and never logs it.',
  street: 'The church’s street address, as on its IRS records. Carriers often turn down a PO box.',
  city: 'The city of that address.',
  state: 'The state of that address.',
  postalCode: 'Five digits, like 37203.',
  website: 'Your church’s public website. Reviewers open it to check the church is real, so it must load.',
  contactFirstName: 'The person carriers may contact about this registration: usually you.',
  contactLastName: 'Their last name.',
  contactEmail: 'Where carriers send questions about the registration. Use an inbox someone reads.',
  contactPhone: 'A US phone number carriers can call about the registration, like (615) 555-0123.',
  useCase: 'What kind of texts you send. Most churches choose Mixed; Charity needs 501(c)(3) status.',
  monthlyVolume: 'Roughly how many texts you send in a month, counting each person a broadcast goes to.',
  description: 'Who you text and why, in a few sentences. Reviewers compare it with your sample messages.',
  messageFlow:
    'Carriers read this to see how people agree to your texts: where they sign up and what they are told. ' +
    'Filled in with your connect card’s link when it is on.',
  optinKeywords: 'Words people text to join your list, separated by commas, like START. Steeple answers them.',
  optinMessage: 'The reply to those words, as carriers will see it: your church’s name and how to stop.',
  optoutKeywords: 'Words people text to stop all texts, separated by commas. STOP must be one of them.',
  optoutMessage: 'The reply confirming they will get no more texts.',
  helpKeywords: 'Words people text to ask for help, separated by commas. HELP must be one of them.',
  helpMessage: 'The reply to HELP: your church’s name, how to reach you, and how to stop.',
};

const sampleHint = (i: number) =>
  i === 0
    ? 'A text you really send, naming your church. Prefilled from your templates.'
    : 'Another real example, naming your church too. Carriers want two to five.';

/** The fields in the order they are shown, for focusing the first one in error. */
const ORDER: Key[] = [
  ...BRAND_FIELDS, // the organisation and its contact, as the form shows them first
  'useCase',
  'monthlyVolume',
  'description',
  'samples',
  'messageFlow',
  'optinKeywords',
  'optinMessage',
  'optoutKeywords',
  'optoutMessage',
  'helpKeywords',
  'helpMessage',
];

/** The keyword fields, in pairs: the words Steeple answers, and its reply. */
const KEYWORD_KINDS = [
  ['optin', 'Opt-in'],
  ['optout', 'Opt-out'],
  ['help', 'Help'],
] as const;

const MIN_SAMPLES = 2;
const MAX_SAMPLES = 5;

/** An error's field: `samples.<i>` for one sample message, else the field's name. */
function issuesByField(issues: { path: PropertyKey[]; message: string }[]): Errors {
  const out: Errors = {};
  for (const issue of issues) {
    const [field, index] = issue.path;
    const key = field === 'samples' && typeof index === 'number' ? `samples.${index}` : String(field ?? '');
    if (key && !(key in out)) out[key] = issue.message;
  }
  return out;
}

/** The server's refusals beside their fields, whether it names them as `ein` or `details.ein`. */
function serverErrors(err: unknown): Errors {
  const out: Errors = {};
  for (const [path, message] of Object.entries(fieldErrors(err))) {
    const key = path.replace(/^details\./, '');
    if (message && ORDER.includes(key.split('.')[0] as Key)) out[key] = message;
  }
  return out;
}

const einShown = (ein: string) => {
  const digits = ein.replace(/\D/g, '');
  return digits.length === 9 ? `${digits.slice(0, 2)}-${digits.slice(2)}` : ein;
};

/** The values to start from: an EIN the server no longer gives in full is typed again. */
function startFrom(initial: Values): Values {
  const ein = /^[\d\s-]*$/.test(initial.ein) ? einShown(initial.ein) : '';
  return { ...initial, ein, samples: initial.samples.length ? [...initial.samples] : ['', ''] };
}

/**
 * The registration form for one path: checked with the server's own schema before it is sent, the server's
 * refusals shown beside their fields. Read-only while carriers review it and once approved.
 */
export function RegistrationForm({ kind, mode, initial }: { kind: Kind; mode: FormMode; initial: Values }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [values, setValues] = useState(() => startFrom(initial));
  const [errors, setErrors] = useState<Errors>({});
  const readOnly = mode === 'reviewing' || mode === 'sent';
  const focusAfter = useRef<string | null>(null);
  const id = (key: string) => `${kind}-${key.replace('.', '-')}`;

  const submit = useMutation(
    trpc.registration.submit.mutationOptions({
      onError: (err) => showErrors(serverErrors(err)),
      // Pending until the page has the new status, so the button does not come back in between.
      onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.registration.get.queryKey() }),
    }),
  );

  // After adding or removing a sample message, the cursor goes to the box it concerns.
  useEffect(() => {
    if (focusAfter.current) document.getElementById(focusAfter.current)?.focus();
    focusAfter.current = null;
  }, [values.samples.length]);

  function showErrors(found: Errors) {
    setErrors(found);
    const keys = Object.keys(found).filter((k) => found[k]);
    const first = ORDER.flatMap((f) => keys.filter((k) => k === f || k.startsWith(`${f}.`)))[0];
    if (first) document.getElementById(first === 'samples' ? id('samples.0') : id(first))?.focus();
  }

  const set = (key: string, value: string) => {
    setValues((v) => {
      if (!key.startsWith('samples.')) return { ...v, [key]: value } as Values;
      const i = Number(key.split('.')[1]);
      return { ...v, samples: v.samples.map((s, j) => (j === i ? value : s)) };
    });
    setErrors(({ [key]: _cleared, ...rest }) => rest);
  };

  const bind = (key: Exclude<Key, 'samples'>) => ({
    id: id(key),
    // Sent, the EIN comes back masked from the server (in full only while the form is open to correct it).
    value: key === 'ein' && readOnly ? maskEin(initial.ein) : values[key],
    error: errors[key],
    hint: HINTS[key],
    onChange: (e: { target: { value: string } }) => set(key, e.target.value),
  });

  const addSample = () => {
    focusAfter.current = id(`samples.${values.samples.length}`);
    setValues((v) => ({ ...v, samples: [...v.samples, ''] }));
  };
  const removeSample = (i: number) => {
    focusAfter.current = id(`samples.${Math.max(0, i - 1)}`);
    setValues((v) => ({ ...v, samples: v.samples.filter((_, j) => j !== i) }));
    // The boxes after it move up: their errors would now sit beside the wrong box.
    setErrors((e) => Object.fromEntries(Object.entries(e).filter(([k]) => !k.startsWith('samples'))));
  };

  const send = () => {
    const parsed = registrationDetails.safeParse(values);
    if (!parsed.success) return showErrors(issuesByField(parsed.error.issues));
    setErrors({});
    submit.mutate({ kind, details: values });
  };

  const placed = Object.keys(serverErrors(submit.error)).length > 0;
  const problems = Object.values(errors).some(Boolean);
  const formLevel = fieldErrors(submit.error).details;

  const form = (
    <CheckedForm onSubmit={send} aria-label={`${kind === '10dlc' ? '10DLC registration' : 'Toll-free verification'}`}>
      <fieldset disabled={readOnly} className="min-w-0 space-y-6">
        <legend className="sr-only">Your church’s details for carriers</legend>
        <Group title="Organisation">
          <Wide>
            <TextField {...bind('legalName')} label="Legal name" autoComplete="organization" />
          </Wide>
          <TextField {...bind('ein')} label="EIN" autoComplete="off" spellCheck={false} placeholder="12-3456789" />
          <Wide>
            <TextField {...bind('street')} label="Street address" autoComplete="address-line1" />
          </Wide>
          <TextField {...bind('city')} label="City" autoComplete="address-level2" />
          <SelectField {...bind('state')} label="State" autoComplete="address-level1">
            <option value="">Choose a state</option>
            {Object.entries(US_STATES).map(([code, name]) => (
              <option key={code} value={code}>
                {name}
              </option>
            ))}
          </SelectField>
          <TextField {...bind('postalCode')} label="ZIP code" inputMode="numeric" autoComplete="postal-code" />
          <TextField
            {...bind('website')}
            label="Website"
            inputMode="url"
            autoComplete="url"
            spellCheck={false}
            placeholder="gracechurch.org"
          />
        </Group>
        <Group title="Contact">
          <TextField {...bind('contactFirstName')} label="First name" autoComplete="given-name" />
          <TextField {...bind('contactLastName')} label="Last name" autoComplete="family-name" />
          <TextField {...bind('contactEmail')} label="Email" type="email" autoComplete="email" spellCheck={false} />
          <TextField {...bind('contactPhone')} label="Phone" type="tel" autoComplete="tel" />
        </Group>
        <Group title="Texts">
          {kind === '10dlc' ? (
            <SelectField {...bind('useCase')} label="Use case">
              {Object.entries(USE_CASES).map(([code, label]) => (
                <option key={code} value={code}>
                  {label}
                </option>
              ))}
            </SelectField>
          ) : (
            <SelectField {...bind('monthlyVolume')} label="Texts a month">
              {MONTHLY_VOLUMES.map((v) => (
                <option key={v} value={v}>
                  {v}
                </option>
              ))}
            </SelectField>
          )}
          <Wide>
            <TextareaField {...bind('description')} label="Description" rows={4} maxLength={4096} />
          </Wide>
          <div className="space-y-3 sm:col-span-2" role="group" aria-labelledby={id('samples-title')}>
            <p id={id('samples-title')} className="text-sm font-medium text-slate-800">
              Sample messages
            </p>
            {errors.samples && <p className="text-xs font-medium text-red-700">{errors.samples}</p>}
            {values.samples.map((sample, i) => (
              <div key={i} className="space-y-1">
                <TextareaField
                  id={id(`samples.${i}`)}
                  label={`Sample message ${i + 1}`}
                  rows={3}
                  maxLength={1024}
                  value={sample}
                  error={errors[`samples.${i}`]}
                  hint={sampleHint(i)}
                  onChange={(e) => set(`samples.${i}`, e.target.value)}
                />
                {!readOnly && values.samples.length > MIN_SAMPLES && (
                  <Button
                    size="sm"
                    variant="ghost"
                    onClick={() => removeSample(i)}
                    aria-label={`Remove sample ${i + 1}`}
                  >
                    Remove
                  </Button>
                )}
              </div>
            ))}
            {!readOnly && values.samples.length < MAX_SAMPLES && (
              <Button size="sm" variant="secondary" onClick={addSample}>
                Add a sample message
              </Button>
            )}
          </div>
          <Wide>
            <TextareaField {...bind('messageFlow')} label="How people opt in" rows={5} maxLength={2048} />
          </Wide>
        </Group>
        <Group title="Keywords">
          {KEYWORD_KINDS.map(([kind, label]) => (
            <Fragment key={kind}>
              <Wide>
                <TextField {...bind(`${kind}Keywords`)} label={`${label} keywords`} autoCapitalize="characters" />
              </Wide>
              <Wide>
                <TextareaField {...bind(`${kind}Message`)} label={`${label} reply`} rows={3} maxLength={320} />
              </Wide>
            </Fragment>
          ))}
        </Group>
      </fieldset>
      {!readOnly && (
        <div className="mt-6 flex flex-wrap items-center justify-end gap-3">
          <div aria-live="polite" className="mr-auto min-w-0 empty:hidden">
            {problems ? (
              <p className="text-sm font-medium text-red-700">Check the fields marked in red above.</p>
            ) : submit.error && !placed ? (
              formLevel ? (
                <Alert>{formLevel}</Alert>
              ) : (
                <ErrorNotice error={submit.error} />
              )
            ) : null}
          </div>
          <Button type="submit" disabled={submit.isPending}>
            {submit.isPending ? 'Submitting…' : SUBMIT_LABELS[mode]}
          </Button>
        </div>
      )}
    </CheckedForm>
  );

  if (!readOnly) return form;
  return (
    <details open={mode === 'reviewing'}>
      <summary className="cursor-pointer py-1 text-sm font-medium text-brand-600">What you sent to carriers</summary>
      <div className="mt-4">{form}</div>
    </details>
  );
}

/** Once sent, the EIN is shown by its last four digits only. */
const maskEin = (ein: string) => {
  const digits = ein.replace(/\D/g, '');
  return digits.length >= 4 ? `••-•••${digits.slice(-4)}` : '';
};

/** A field across both columns. */
const Wide = ({ children }: { children: ReactNode }) => <div className="sm:col-span-2">{children}</div>;

/** A titled group of fields: one column on a phone, two from the small breakpoint up. */
function Group({ title, children }: { title: string; children: ReactNode }) {
  return (
    <fieldset className="min-w-0">
      <legend className="text-sm font-semibold uppercase tracking-wide text-slate-500">{title}</legend>
      <div className="mt-3 grid grid-cols-1 gap-4 sm:grid-cols-2">{children}</div>
    </fieldset>
  );
}
