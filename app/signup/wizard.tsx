'use client';

import { useMutation } from '@tanstack/react-query';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useEffect, useRef, useState } from 'react';
// Imported directly, unlike other forms (_components/check.ts): once a step was tried, every keystroke re-checks it.
import { adminStep, churchStep } from '@/server/inputs';
import { errorCode, errorMessage, fieldErrors, firstIssues } from '../_components/errors';
import { useBrowserTimezone, useBrowserValue } from '../_components/use-browser';
import { Alert, Button } from '../_components/ui';
import { TICKET_KEY } from '../onboarding/ticket';
import { AdminStep, ChurchStep, ReviewStep, type Errors, type Field, type Form } from './wizard-steps';
import { useTRPC } from '../trpc';

const steps = [
  { title: 'Your church', short: 'Church', fields: ['churchName', 'timezone', 'size'] as Field[], schema: churchStep },
  { title: 'About you', short: 'You', fields: ['adminName', 'email', 'password'] as Field[], schema: adminStep },
  { title: 'Review and create', short: 'Review', fields: [] as Field[], schema: null },
] as const;

/** The colour of step `i`'s label in the progress bar while the wizard is on `step` (slate-500: AA contrast). */
const stepLabelTone = (i: number, step: number) =>
  i === step ? 'text-brand-700' : i < step ? 'text-slate-700' : 'text-slate-500';

/** Fields of one step as its schema sees them (an unset size is absent, not ""). */
const stepValues = (form: Form, step: number) =>
  step === 0
    ? { churchName: form.churchName, timezone: form.timezone, size: form.size || undefined }
    : { adminName: form.adminName, email: form.email, password: form.password };

const blank: Form = {
  churchName: '',
  timezone: '', // until chosen: the browser's own (below)
  size: '',
  adminName: '',
  email: '',
  password: '',
};

/** What was typed, kept in this tab's session storage across a refresh or Back: these fields, never the password. */
const DRAFT_KEY = 'steeple.signupDraft';
const KEPT = ['churchName', 'timezone', 'size', 'adminName', 'email'] as const;
type Draft = { step: number; form: Form };

const storedDraft = () => sessionStorage.getItem(DRAFT_KEY);

function saveDraft({ step, form }: Draft) {
  sessionStorage.setItem(DRAFT_KEY, JSON.stringify({ step, form: Object.fromEntries(KEPT.map((k) => [k, form[k]])) }));
}

function parseDraft(raw: string | null): { step?: unknown; form?: Record<string, unknown> } | null {
  try {
    return JSON.parse(raw ?? 'null');
  } catch {
    return null;
  }
}

/** A saved draft read back (anything else in it is dropped); a step past the password's reopens on it. */
function restoreDraft(raw: string | null): Draft {
  const saved = parseDraft(raw);
  const form = { ...blank };
  for (const key of KEPT) {
    const value = saved?.form?.[key];
    if (typeof value === 'string') Object.assign(form, { [key]: value });
  }
  return { step: typeof saved?.step === 'number' && saved.step > 0 ? 1 : 0, form };
}

/**
 * The wizard's step and fields: what this tab saved until the person changes something (read once hydrated, so the
 * server's render and hydration see an empty form), then their own, saved as they go.
 */
function useDraft() {
  const stored = useBrowserValue(storedDraft, null);
  const [changed, setChanged] = useState<Draft | null>(null);
  const draft = changed ?? restoreDraft(stored);
  useEffect(() => {
    if (changed) saveDraft(changed);
  }, [changed]);
  const update = (patch: Partial<Draft>) => setChanged((prev) => ({ ...(prev ?? draft), ...patch }));
  return [draft, update] as const;
}

function validate(form: Form, step: number): Errors {
  const schema = steps[step]?.schema;
  if (!schema) return {};
  const parsed = schema.safeParse(stepValues(form, step));
  return parsed.success ? {} : firstIssues(parsed.error.issues);
}

export function SignupWizard() {
  const trpc = useTRPC();
  const router = useRouter();
  const [{ step, form: chosen }, updateDraft] = useDraft();
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
    updateDraft({ step: next });
  }

  function set<K extends Field>(name: K, value: Form[K]) {
    const next = { ...form, [name]: value };
    updateDraft({ form: next });
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
        sessionStorage.removeItem(DRAFT_KEY); // created: nothing left to come back to
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
  const emailTaken = errorCode(signup.error) === 'CONFLICT' && !!errors.email;
  const busy = signup.isPending || signup.isSuccess;

  return (
    <section aria-labelledby="signup-title" className="rounded-2xl bg-white p-6 shadow-sm ring-1 ring-slate-200 sm:p-8">
      <h1 id="signup-title" className="text-2xl font-semibold tracking-tight">
        Create your workspace
      </h1>
      <p className="mt-1 text-sm text-slate-600">Your church gets a workspace of its own, ready in about a second.</p>

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
          {step === 0 && <ChurchStep form={form} errors={errors} set={set} />}
          {step === 1 && <AdminStep form={form} errors={errors} set={set} emailTaken={emailTaken} />}
          {step === 2 && <ReviewStep form={form} onEdit={(s, field) => goTo(s, {}, field)} />}
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
