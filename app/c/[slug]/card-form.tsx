'use client';

import { useMutation } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { errorMessage, fieldErrors } from '../../_components/errors';
import { TextareaField, TextField } from '../../_components/fields';
import { Alert, Button } from '../../_components/ui';
import { useForm } from '../../_components/use-form';
import { useTRPC } from '../../trpc';

type Props = { slug: string; churchName: string; token: string; prayerField: boolean; privacyUrl: string };
type Fields = { firstName: string; lastName: string; phone: string; email: string; prayer: string; website: string };

const FIELDS = ['firstName', 'lastName', 'phone', 'email', 'firstVisit', 'prayer'] as const;

/**
 * The card itself. Required fields are marked for the browser too; the server's checks (its zod schema, the phone
 * number read against the church's country) come back beside each field. The "Website" field is hidden from people
 * and left empty by them: bots fill it in. After "Send" the form is replaced by a thank-you.
 */
export function CardForm({ slug, churchName, token, prayerField, privacyUrl }: Props) {
  const trpc = useTRPC();
  const { values, errors, setErrors, bind } = useForm<Fields>(
    { firstName: '', lastName: '', phone: '', email: '', prayer: '', website: '' },
    'card-',
  );
  const [firstVisit, setFirstVisit] = useState<'yes' | 'no' | ''>('');
  const [consent, setConsent] = useState(false);
  const thanks = useRef<HTMLHeadingElement>(null);
  const send = useMutation(
    trpc.connectCard.submit.mutationOptions({
      onError: (err) => {
        const found = fieldErrors(err);
        setErrors(found);
        const first = FIELDS.find((f) => found[f]);
        if (first) document.getElementById(first === 'firstVisit' ? 'card-first-visit-yes' : `card-${first}`)?.focus();
      },
    }),
  );

  // The form (and its focused button) gives way to the thank-you: focus moves there, so it is read out.
  useEffect(() => {
    if (send.isSuccess) thanks.current?.focus();
  }, [send.isSuccess]);

  if (send.isSuccess)
    return (
      <section className="mt-6 rounded-2xl bg-white p-6 shadow-sm ring-1 ring-slate-200" aria-live="polite">
        <h2 ref={thanks} tabIndex={-1} className="text-xl font-semibold text-slate-900 focus:outline-none">
          Thank you, {send.data.firstName}!
        </h2>
        <p className="mt-2 text-slate-700">
          {churchName} has your card. {consent ? 'Watch for a text from us soon.' : 'We’re glad you came.'}
        </p>
        {consent && (
          <p className="mt-3 text-sm text-slate-500">
            If you once replied STOP to our texts, reply START to our number to get them again.
          </p>
        )}
      </section>
    );

  const fieldError = Object.values(errors).some(Boolean);
  return (
    <form
      className="mt-6 space-y-4 rounded-2xl bg-white p-4 shadow-sm ring-1 ring-slate-200 sm:p-6"
      aria-label={`Connect card for ${churchName}`}
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        if (!firstVisit) return setErrors({ ...errors, firstVisit: 'Tell us whether this is your first visit' });
        send.mutate({ slug, token, ...values, firstVisit, consent, prayer: prayerField ? values.prayer : undefined });
      }}
    >
      <div className="grid gap-4 sm:grid-cols-2">
        <TextField {...bind('firstName')} label="First name" autoComplete="given-name" required maxLength={100} />
        <TextField {...bind('lastName')} label="Last name" autoComplete="family-name" required maxLength={100} />
      </div>
      <TextField {...bind('phone')} label="Mobile number" type="tel" autoComplete="tel" required maxLength={40} />
      <TextField {...bind('email')} label="Email (optional)" type="email" autoComplete="email" maxLength={200} />
      <fieldset aria-describedby={errors.firstVisit ? 'card-first-visit-error' : undefined}>
        <legend className="text-sm font-medium text-slate-800">Is this your first visit?</legend>
        <div className="mt-2 flex gap-6">
          {(['yes', 'no'] as const).map((v) => (
            <label key={v} className="flex items-center gap-2 text-slate-800">
              <input
                type="radio"
                id={`card-first-visit-${v}`}
                name="firstVisit"
                value={v}
                checked={firstVisit === v}
                onChange={() => {
                  setFirstVisit(v);
                  setErrors({ ...errors, firstVisit: undefined });
                }}
                className="size-5 border-slate-300"
              />
              {v === 'yes' ? 'Yes' : 'No'}
            </label>
          ))}
        </div>
        {errors.firstVisit && (
          <p id="card-first-visit-error" className="mt-1 text-sm font-medium text-red-700">
            {errors.firstVisit}
          </p>
        )}
      </fieldset>
      {prayerField && (
        <TextareaField {...bind('prayer')} label="How can we pray for you? (optional)" rows={3} maxLength={2000} />
      )}
      <div className="absolute -left-[10000px] h-px w-px overflow-hidden" aria-hidden="true">
        <TextField {...bind('website')} label="Website" tabIndex={-1} autoComplete="off" />
      </div>
      <div className="rounded-xl bg-slate-50 p-3 ring-1 ring-slate-200">
        <label className="flex items-start gap-3 text-slate-900">
          <input
            type="checkbox"
            checked={consent}
            onChange={(e) => setConsent(e.target.checked)}
            aria-describedby="card-consent-terms"
            className="mt-0.5 size-5 shrink-0 rounded border-slate-300"
          />
          <span className="font-medium">Yes, text me updates from {churchName}</span>
        </label>
        <p id="card-consent-terms" className="mt-2 text-xs text-slate-600">
          Message frequency varies. Message and data rates may apply. Reply STOP to stop, HELP for help.{' '}
          <a href={privacyUrl} target="_blank" rel="noopener" className="font-medium text-brand-700 underline">
            Privacy note<span className="sr-only"> (opens in a new tab)</span>
          </a>
        </p>
      </div>
      {send.error && !fieldError && <Alert>{errorMessage(send.error)}</Alert>}
      <Button type="submit" disabled={send.isPending} block>
        {send.isPending ? 'Sending…' : 'Send'}
      </Button>
    </form>
  );
}
