'use client';

import type { SubscriptionState } from '@/db/tenant/enums';
import { TextField } from '../../_components/fields';

/**
 * A member's consent in the add/edit dialog. It is not a free choice: someone who opted out is shown as locked, with
 * why and how it changes (only their own START); otherwise an admin may record that they agreed (saying how) or that
 * they asked to stop. The server applies the same rules (server/members/consent.ts).
 */
export type ConsentChoice = { state: SubscriptionState; note: string };

const OPTIONS: { state: SubscriptionState; label: string; hint: string }[] = [
  {
    state: 'not_opted_in',
    label: 'Not opted in yet',
    hint:
      'They can be texted one to one, but get no broadcasts until they opt in (by texting START) ' +
      'or you record how they agreed.',
  },
  {
    state: 'subscribed',
    label: 'They agreed to receive texts',
    hint: 'They get broadcasts. Say how they agreed: it is kept in their consent history.',
  },
  {
    state: 'unsubscribed',
    label: 'They asked not to be texted',
    hint: 'Nobody on your team can text them. Only they can opt back in, by texting START.',
  },
];

export function ConsentField({
  current,
  value,
  error,
  onChange,
}: {
  current: SubscriptionState | null;
  value: ConsentChoice;
  error?: string;
  onChange: (v: ConsentChoice) => void;
}) {
  if (current === 'unsubscribed') {
    return (
      <fieldset className="rounded-lg bg-amber-50 p-3 ring-1 ring-amber-200" data-testid="consent-locked">
        <legend className="sr-only">Texts</legend>
        <p className="text-sm font-medium text-amber-900">Unsubscribed: texts are off for this person</p>
        <p className="mt-1 text-sm text-amber-900">
          They opted out (by texting STOP or asking your team). Their consent is theirs: only they can opt back in, by
          texting START to your number.
        </p>
      </fieldset>
    );
  }
  // Someone already subscribed can only be recorded as having asked to stop.
  const options = current === 'subscribed' ? OPTIONS.filter((o) => o.state !== 'not_opted_in') : OPTIONS;
  const needsNote = value.state === 'subscribed' && current !== 'subscribed';
  return (
    <fieldset className="space-y-2">
      <legend className="text-sm font-medium text-slate-900">Texts</legend>
      {options.map((o) => (
        <label key={o.state} className="flex items-start gap-2 text-sm text-slate-800">
          <input
            type="radio"
            name="member-consent"
            className="mt-1"
            checked={value.state === o.state}
            onChange={() => onChange({ ...value, state: o.state })}
            aria-describedby={`consent-${o.state}-hint`}
          />
          <span>
            {o.state === 'subscribed' && current === 'subscribed' ? 'Subscribed' : o.label}
            <span id={`consent-${o.state}-hint`} className="block text-xs text-slate-500">
              {o.hint}
            </span>
          </span>
        </label>
      ))}
      {(needsNote || value.state === 'unsubscribed') && (
        <TextField
          id="member-consentNote"
          label={needsNote ? 'How did they agree?' : 'Note (optional)'}
          hint={
            needsNote
              ? 'For example: paper connect card, 6 Dec; told us at the welcome desk'
              : 'For example: asked in person after the service'
          }
          maxLength={200}
          value={value.note}
          error={error}
          onChange={(e) => onChange({ ...value, note: e.target.value })}
        />
      )}
    </fieldset>
  );
}
