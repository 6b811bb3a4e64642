'use client';

import { useMutation } from '@tanstack/react-query';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useEffect, useRef, useState } from 'react';
import { adminStep, churchStep } from '@/server/inputs';
import { errorCode, errorMessage, fieldErrors, firstIssues } from '../_components/errors';
import { NewPasswordField } from '../_components/password-field';
import { TimezoneField, zoneLabel } from '../_components/timezone-field';
import { useBrowserTimezone } from '../_components/use-browser';
import { Alert, Button, SelectField, TextField } from '../_components/ui';
import { TICKET_KEY } from '../onboarding/ticket';
import { useTRPC } from '../trpc';

type Form = {
  churchName: string;
  timezone: string;
  size: '' | 'under-100' | '100-499' | '500-1999' | '2000-plus';
  adminName: string;
  email: string;
  password: string;
};
type Field = keyof Form;
type Errors = Partial<Record<Field, string>>;

const steps = [
  { title: 'Your church', short: 'Church', fields: ['churchName', 'timezone', 'size'] as Field[], schema: churchStep },
  { title: 'About you', short: 'You', fields: ['adminName', 'email', 'password'] as Field[], schema: adminStep },
  { title: 'Review and create', short: 'Review', fields: [] as Field[], schema: null },
] as const;

const sizes = [
  { value: 'under-100', label: 'Under 100 people' },
  { value: '100-499', label: '100–499 people' },
  { value: '500-1999', label: '500–1,999 people' },
  { value: '2000-plus', label: '2,000 or more' },
] as const;

/** The colour of step `i`'s label in the progress bar while the wizard is on `step`. */
const stepLabelTone = (i: number, step: number) =>
  i === step ? 'text-brand-700' : i < step ? 'text-slate-700' : 'text-slate-400';

/** Fields of one step as its schema sees them (an unset size is absent, not ""). */
const stepValues = (form: Form, step: number) =>
  step === 0
    ? { churchName: form.churchName, timezone: form.timezone, size: form.size || undefined }
    : { adminName: form.adminName, email: form.email, password: form.password };

function validate(form: Form, step: number): Errors {
  const schema = steps[step]?.schema;
  if (!schema) return {};
  const parsed = schema.safeParse(stepValues(form, step));
  return parsed.success ? {} : firstIssues(parsed.error.issues);
}

export function SignupWizard() {
  const trpc = useTRPC();
  const router = useRouter();
  const [step, setStep] = useState(0);
  const [chosen, setForm] = useState<Form>({
    churchName: '',
    timezone: '', // until chosen: the browser's own (below)
    size: '',
    adminName: '',
    email: '',
    password: '',
  });
  const [errors, setErrors] = useState<Errors>({});
  // Errors show after the first try at leaving a step, then update as the person types.
  const [attempted, setAttempted] = useState<Record<number, boolean>>({});
  const focusNext = useRef<string | null>(null);
  const headingRef = useRef<HTMLHeadingElement>(null);

  // The browser's own timezone until one is chosen (UTC in the server render and while hydrating).
  const browserTimezone = useBrowserTimezone() || 'UTC';
  const form = { ...chosen, timezone: chosen.timezone || browserTimezone };

  // Move focus with the step: to the field that needs fixing, or to the new step's heading.
  useEffect(() => {
    const target = focusNext.current;
    focusNext.current = null;
    if (target === null) return;
    (document.getElementById(target) ?? headingRef.current)?.focus();
  }, [step, errors]);

  const signup = useMutation(trpc.onboarding.signup.mutationOptions());
  const serverError =
    signup.error && errorCode(signup.error) !== 'CONFLICT' && !Object.keys(fieldErrors(signup.error)).length
      ? errorMessage(signup.error)
      : '';

  function goTo(next: number, nextErrors: Errors = {}, focus: string = 'step-heading') {
    focusNext.current = focus;
    setErrors(nextErrors);
    if (Object.keys(nextErrors).length) setAttempted((a) => ({ ...a, [next]: true }));
    setStep(next);
  }

  function set<K extends Field>(name: K, value: Form[K]) {
    const next = { ...form, [name]: value };
    setForm(next);
    if (attempted[step]) setErrors(validate(next, step));
    else if (errors[name]) setErrors(({ [name]: _drop, ...rest }) => rest as Errors);
  }

  function next() {
    const found = validate(form, step);
    setAttempted((a) => ({ ...a, [step]: true }));
    if (Object.keys(found).length) {
      focusNext.current = steps[step]!.fields.find((f) => found[f]) ?? null;
      setErrors(found);
      return;
    }
    goTo(step + 1);
  }

  function create() {
    // Both steps again, in case something changed; then one request.
    for (const s of [0, 1]) {
      const found = validate(form, s);
      if (Object.keys(found).length)
        return goTo(
          s,
          found,
          steps[s]!.fields.find((f) => found[f]),
        );
    }
    signup.reset();
    // The outcome's handlers belong to this submit (an event), where moving focus through a ref is allowed.
    signup.mutate({ ...stepValues(form, 0), ...stepValues(form, 1) } as Parameters<typeof signup.mutate>[0], {
      onSuccess: ({ ticket }) => {
        sessionStorage.setItem(TICKET_KEY, ticket);
        router.push('/onboarding');
      },
      onError: (err) => {
        if (errorCode(err) === 'CONFLICT') {
          // The email is taken: back to the step where it was typed, with the message beside it.
          goTo(1, { email: err.message }, 'email');
          return;
        }
        const fields = fieldErrors(err) as Errors;
        const first = steps.findIndex((s) => s.fields.some((f) => fields[f]));
        if (first >= 0) {
          const field = steps[first]!.fields.find((f) => fields[f])!;
          goTo(first, fields, field);
        }
      },
    });
  }

  const current = steps[step]!;
  const busy = signup.isPending || signup.isSuccess;

  return (
    <section aria-labelledby="signup-title" className="rounded-2xl bg-white p-6 shadow-sm ring-1 ring-slate-200 sm:p-8">
      <h1 id="signup-title" className="text-2xl font-semibold tracking-tight">
        Create your workspace
      </h1>
      <p className="mt-1 text-sm text-slate-600">Your church gets its own private database, ready in about a second.</p>

      <ol aria-label="Signup steps" className="mt-6 grid grid-cols-3 gap-2">
        {steps.map((s, i) => (
          <li key={s.title} aria-current={i === step ? 'step' : undefined} className="min-w-0">
            <span className={`block h-1.5 rounded-full ${i <= step ? 'bg-brand-600' : 'bg-slate-200'}`} aria-hidden />
            <span className={`mt-2 block truncate text-xs font-medium ${stepLabelTone(i, step)}`}>
              <span className="sr-only">Step {i + 1}: </span>
              <span className="sm:hidden">{s.short}</span>
              <span className="hidden sm:inline">{s.title}</span>
              <span className="sr-only">{i < step ? ' (done)' : i === step ? ' (current)' : ''}</span>
            </span>
          </li>
        ))}
      </ol>

      <form
        noValidate
        className="mt-6"
        onSubmit={(e) => {
          e.preventDefault();
          if (step < 2) next();
          else if (!busy) create();
        }}
      >
        <h2
          id="step-heading"
          ref={headingRef}
          tabIndex={-1}
          className="text-lg font-semibold text-slate-900 focus:outline-none"
        >
          <span className="sr-only">Step {step + 1} of 3: </span>
          {current.title}
        </h2>

        <div className="mt-4 space-y-4">
          {step === 0 && (
            <>
              <TextField
                id="churchName"
                label="Church name"
                value={form.churchName}
                onChange={(e) => set('churchName', e.target.value)}
                error={errors.churchName}
                autoComplete="organization"
              />
              <TimezoneField
                id="timezone"
                label="Timezone"
                value={form.timezone}
                onChange={(tz) => set('timezone', tz)}
                error={errors.timezone}
                hint="Used for scheduled texts and reports."
              />
              <SelectField
                id="size"
                label="Size"
                value={form.size}
                onChange={(e) => set('size', e.target.value as Form['size'])}
                error={errors.size}
                hint="Optional. Roughly how many people attend."
              >
                <option value="">Prefer not to say</option>
                {sizes.map((s) => (
                  <option key={s.value} value={s.value}>
                    {s.label}
                  </option>
                ))}
              </SelectField>
            </>
          )}

          {step === 1 && (
            <>
              <TextField
                id="adminName"
                label="Full name"
                value={form.adminName}
                onChange={(e) => set('adminName', e.target.value)}
                error={errors.adminName}
                autoComplete="name"
              />
              <TextField
                id="email"
                label="Email"
                type="email"
                inputMode="email"
                value={form.email}
                onChange={(e) => set('email', e.target.value)}
                error={errors.email}
                autoComplete="email"
                hint="You sign in with this."
              />
              <NewPasswordField
                id="password"
                label="Password"
                value={form.password}
                onChange={(e) => set('password', e.target.value)}
                error={errors.password}
              />
              {errorCode(signup.error) === 'CONFLICT' && errors.email && (
                <p className="text-sm text-slate-600">
                  Already have an account?{' '}
                  <Link href="/login" className="font-medium text-brand-600 underline-offset-2 hover:underline">
                    Sign in
                  </Link>
                </p>
              )}
            </>
          )}

          {step === 2 && (
            <div className="space-y-4">
              <Review
                title="Church"
                onEdit={() => goTo(0, {}, 'churchName')}
                editLabel="Edit church details"
                rows={[
                  ['Church name', form.churchName.trim()],
                  ['Timezone', zoneLabel(form.timezone)],
                  ['Size', sizes.find((s) => s.value === form.size)?.label ?? 'Not given'],
                ]}
              />
              <Review
                title="You"
                onEdit={() => goTo(1, {}, 'adminName')}
                editLabel="Edit your details"
                rows={[
                  ['Full name', form.adminName.trim()],
                  ['Email', form.email.trim()],
                  ['Password', '•'.repeat(Math.min(form.password.length, 12))],
                ]}
              />
              <p className="text-sm text-slate-600">
                You will be the owner of this workspace. You can invite your team once it is ready.
              </p>
            </div>
          )}
        </div>

        <div aria-live="polite" className="mt-4 empty:hidden">
          {step === 2 && serverError && <Alert>{serverError}</Alert>}
        </div>

        <div className="mt-6 flex flex-col-reverse gap-3 sm:flex-row sm:justify-between">
          {step > 0 ? (
            <Button variant="secondary" onClick={() => goTo(step - 1)} disabled={busy}>
              Back
            </Button>
          ) : (
            <span className="hidden sm:block" />
          )}
          {step < 2 ? (
            <Button type="submit">Next</Button>
          ) : (
            <Button type="submit" disabled={busy}>
              {busy ? 'Creating…' : 'Create workspace'}
            </Button>
          )}
        </div>
      </form>

      <p className="mt-6 border-t border-slate-100 pt-4 text-center text-sm text-slate-600">
        Already have a workspace?{' '}
        <Link href="/login" className="font-medium text-brand-600 underline-offset-2 hover:underline">
          Sign in
        </Link>
      </p>
    </section>
  );
}

function Review({
  title,
  rows,
  onEdit,
  editLabel,
}: {
  title: string;
  rows: [string, string][];
  onEdit: () => void;
  editLabel: string;
}) {
  return (
    <div className="rounded-xl bg-slate-50 p-4 ring-1 ring-slate-200">
      <div className="flex items-center justify-between">
        <h3 className="text-sm font-semibold text-slate-900">{title}</h3>
        <Button variant="ghost" size="sm" onClick={onEdit} aria-label={editLabel}>
          Edit
        </Button>
      </div>
      <dl className="mt-2 grid grid-cols-[7rem_1fr] gap-x-3 gap-y-1.5 text-sm">
        {rows.map(([k, v]) => (
          <div key={k} className="contents">
            <dt className="text-slate-500">{k}</dt>
            <dd className="break-words font-medium text-slate-900">{v}</dd>
          </div>
        ))}
      </dl>
    </div>
  );
}
