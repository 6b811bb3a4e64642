'use client';

import { useMutation } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { SUBSCRIPTION_LABELS } from '@/db/tenant/enums';
import { errorMessage, fieldErrors } from '../../_components/errors';
import { FormDialog } from '../../_components/form-dialog';
import { TextField } from '../../_components/fields';
import { ToneBadge } from '../../_components/tone-badge';
import { Loading } from '../../_components/ui';
import { useCustomFields } from '../../_components/use-merge-check';
import { useTRPC } from '../../trpc';
import { useMemberSearch } from '../members/use-member-search';
import { AudiencePicker, choose, everyone, toAudience, type AudienceChoice } from '../broadcasts/audience-picker';
import { draftIncomplete } from '../segments/audience-draft';
import type { SequenceDetail } from './labels';

type Chosen = { id: string; name: string };
type Mode = 'members' | 'audience';

const CHIP =
  'inline-flex items-center gap-1 rounded-full bg-brand-50 px-3 py-1.5 text-sm text-brand-700 ring-1 ring-brand-100 ' +
  'hover:bg-brand-100';

const UNFINISHED = 'Finish or remove the unfinished conditions above.';

/** "3 enrolled, 1 skipped (…)": what an enrollment did, in the words the status line says. */
function enrolledMessage({ enrolled, skipped }: { enrolled: number; skipped: number }) {
  const first = `${enrolled.toLocaleString()} enrolled`;
  if (skipped === 0) return `${first}.`;
  return `${first}, ${skipped.toLocaleString()} skipped (not subscribed, or already in it or been through it).`;
}

const memberName = (m: { firstName: string; lastName: string }) => `${m.firstName} ${m.lastName}`.trim();

/**
 * Enroll people by hand: members found by name, phone or email, or an audience as a broadcast chooses one (a tag,
 * a branch, a segment, conditions). Only subscribed members join, and only those not in it (or through it) already;
 * the status line says how many joined and how many were skipped.
 */
export function EnrollDialog({
  open,
  sequence,
  onClose,
  onEnrolled,
}: {
  open: boolean;
  sequence: SequenceDetail;
  onClose: () => void;
  onEnrolled: (message: string) => void;
}) {
  const trpc = useTRPC();
  const id = useId();
  const [mode, setMode] = useState<Mode>('members');
  const [chosen, setChosen] = useState<Chosen[]>([]);
  const [choice, setChoice] = useState<AudienceChoice>(everyone);
  const [error, setError] = useState<string>();
  const fields = useCustomFields();
  const enroll = useMutation(
    trpc.sequences.enroll.mutationOptions({
      onSuccess: (counts) => onEnrolled(`${sequence.name}: ${enrolledMessage(counts)}`),
      onError: (err) => {
        const f = fieldErrors(err);
        setError(f.who ?? f.audience);
      },
    }),
  );

  const submit = () => {
    if (mode === 'members') {
      if (chosen.length === 0) return setError('Choose someone');
      return enroll.mutate({ id: sequence.id, who: { type: 'members', memberIds: chosen.map((c) => c.id) } });
    }
    const audience = toAudience(choice);
    const typeOf = (fieldId: string) => fields.data?.find((f) => f.id === fieldId)?.type;
    if (!audience) return setError(choose[choice.type as keyof typeof choose]);
    if (choice.type === 'filter' && draftIncomplete(choice.draft, typeOf)) return setError(UNFINISHED);
    enroll.mutate({ id: sequence.id, who: { type: 'audience', audience } });
  };

  return (
    <FormDialog
      open={open}
      title={`Enroll people in ${sequence.name}`}
      description="Only members who agreed to texts join, and only those not in it already (or through it before)."
      submitLabel="Enroll"
      pending={enroll.isPending}
      error={enroll.error && !error ? errorMessage(enroll.error) : ''}
      onSubmit={submit}
      onClose={onClose}
    >
      <fieldset className="space-y-2">
        <legend className="text-sm font-medium text-slate-800">Enroll</legend>
        <div className="flex flex-wrap gap-x-5 gap-y-2">
          {(['members', 'audience'] as const).map((m) => (
            <label key={m} className="flex items-center gap-2 text-sm text-slate-800">
              <input
                type="radio"
                name={`${id}-mode`}
                checked={mode === m}
                onChange={() => {
                  setMode(m);
                  setError(undefined);
                }}
                className="size-4 border-slate-300"
              />
              {m === 'members' ? 'Members I choose' : 'An audience'}
            </label>
          ))}
        </div>
      </fieldset>
      {mode === 'members' ? (
        <MemberChooser
          chosen={chosen}
          error={error}
          onChange={(next) => {
            setChosen(next);
            setError(undefined);
          }}
        />
      ) : (
        <AudiencePicker
          value={choice}
          error={error}
          checked={!!error}
          onChange={(c) => {
            setChoice(c);
            setError(undefined);
          }}
        />
      )}
    </FormDialog>
  );
}

/** Find members by name, phone or email and tick them; those ticked stay listed (to untick) as the search changes. */
function MemberChooser({
  chosen,
  error,
  onChange,
}: {
  chosen: Chosen[];
  error?: string;
  onChange: (chosen: Chosen[]) => void;
}) {
  const id = useId();
  const { search, setSearch, query, results, items } = useMemberSearch();
  const isChosen = (memberId: string) => chosen.some((c) => c.id === memberId);
  const toggle = (c: Chosen, on: boolean) => onChange(on ? [...chosen, c] : chosen.filter((x) => x.id !== c.id));
  return (
    <div className="space-y-3">
      <TextField
        id={`${id}-search`}
        label="Find members"
        type="search"
        placeholder="Name, phone or email"
        autoComplete="off"
        value={search}
        error={error}
        onChange={(e) => setSearch(e.target.value)}
        // Enter searches (as it does as you type) rather than sending the form.
        onKeyDown={(e) => e.key === 'Enter' && e.preventDefault()}
      />
      <div aria-live="polite">
        {results.isPending ? (
          <Loading label="Searching…" />
        ) : results.error ? (
          <p className="text-sm text-red-700">{errorMessage(results.error)}</p>
        ) : items.length === 0 ? (
          <p className="text-sm text-slate-600">{query ? `No member matches “${query}”.` : 'No members yet.'}</p>
        ) : (
          <fieldset>
            <legend className="sr-only">Matching members</legend>
            <ul className="max-h-60 divide-y divide-slate-100 overflow-y-auto rounded-lg ring-1 ring-slate-200">
              {items.map((m) => (
                <li key={m.id}>
                  <label className="flex items-center gap-3 px-3 py-2.5 text-sm text-slate-800 hover:bg-slate-50">
                    <input
                      type="checkbox"
                      checked={isChosen(m.id)}
                      onChange={(e) => toggle({ id: m.id, name: memberName(m) }, e.target.checked)}
                      className="size-5 shrink-0 rounded border-slate-300"
                    />
                    <span className="min-w-0 flex-1">
                      <span className="block truncate font-medium">{memberName(m)}</span>
                      <span className="block text-xs text-slate-500">{m.phoneDisplay}</span>
                    </span>
                    {m.subscription !== 'subscribed' && (
                      <ToneBadge tone={m.subscription === 'unsubscribed' ? 'red' : 'slate'}>
                        {SUBSCRIPTION_LABELS[m.subscription]}
                      </ToneBadge>
                    )}
                  </label>
                </li>
              ))}
            </ul>
          </fieldset>
        )}
      </div>
      {chosen.length > 0 && (
        <div className="space-y-1">
          <p className="text-sm font-medium text-slate-800" id={`${id}-chosen`}>
            Chosen: {chosen.length}
          </p>
          <ul className="flex flex-wrap gap-2" aria-labelledby={`${id}-chosen`}>
            {chosen.map((c) => (
              <li key={c.id}>
                <button
                  type="button"
                  onClick={() => toggle(c, false)}
                  aria-label={`Unchoose ${c.name}`}
                  className={CHIP}
                >
                  {c.name} <span aria-hidden>×</span>
                </button>
              </li>
            ))}
          </ul>
        </div>
      )}
    </div>
  );
}
