'use client';

import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { SEQUENCE_TRIGGER_LABELS, SEQUENCE_TRIGGERS, type SequenceTrigger } from '@/db/tenant/enums';
import { SelectField, TextField } from '../../_components/fields';
import { useCustomFields } from '../../_components/use-merge-check';
import { useTRPC } from '../../trpc';
import { textLink } from './labels';
import type { Draft, Errors } from './sequence-draft';

type Props = {
  draft: Draft;
  errors: Errors;
  set: <K extends keyof Draft>(key: K, value: Draft[K], errorKeys?: string[]) => void;
};

/** What starts the sequence: the kind, then what that kind needs (a keyword, a tag, a date field and a time). */
export function TriggerFields({ draft, errors, set }: Props) {
  const general = errors.trigger;
  return (
    <div className="space-y-4">
      <SelectField
        id="sequence-kind"
        label="What starts it"
        value={draft.kind}
        error={draft.kind === 'keyword' || draft.kind === 'date' ? undefined : general}
        onChange={(e) => set('kind', e.target.value as SequenceTrigger, ['trigger'])}
      >
        {SEQUENCE_TRIGGERS.map((k) => (
          <option key={k} value={k}>
            {SEQUENCE_TRIGGER_LABELS[k]}
          </option>
        ))}
      </SelectField>
      {draft.kind === 'keyword' && <KeywordSelect draft={draft} errors={errors} set={set} />}
      {draft.kind === 'connect_card' && (
        <label className="flex items-start gap-3 text-sm text-slate-800">
          <input
            type="checkbox"
            checked={draft.firstVisitOnly}
            onChange={(e) => set('firstVisitOnly', e.target.checked)}
            className="mt-0.5 size-5 shrink-0 rounded border-slate-300"
          />
          <span>
            First-time guests only
            <span className="block text-xs text-slate-500">
              Those who say on the card that it is their first visit.
            </span>
          </span>
        </label>
      )}
      {draft.kind === 'tag' && <TagField draft={draft} errors={errors} set={set} />}
      {draft.kind === 'date' && <DateFields draft={draft} errors={errors} set={set} />}
      {draft.kind === 'manual' && (
        <p className="text-sm text-slate-600">
          Nobody joins by themselves: an admin enrolls people from the sequence’s page, chosen by name or as an audience
          (a tag, a branch, a segment).
        </p>
      )}
      <p className="text-xs text-slate-500">
        Only members who agreed to texts are enrolled, and each person goes through it once unless you allow it again
        below.
      </p>
    </div>
  );
}

function KeywordSelect({ draft, errors, set }: Props) {
  const trpc = useTRPC();
  const keywords = useQuery(trpc.keywords.list.queryOptions());
  if (keywords.data?.length === 0)
    return (
      <p className="text-sm text-slate-600" id="sequence-keyword" tabIndex={-1}>
        No keywords yet.{' '}
        <Link href="/keywords" className={textLink}>
          Add a keyword
        </Link>{' '}
        like WELCOME first, then choose it here.
      </p>
    );
  return (
    <SelectField
      id="sequence-keyword"
      label="Keyword"
      value={draft.keywordId}
      disabled={!keywords.data}
      error={errors['trigger.keywordId'] ?? errors.trigger}
      hint="When someone texts it to your number (and is subscribed), they start this sequence."
      onChange={(e) => set('keywordId', e.target.value, ['trigger.keywordId', 'trigger'])}
    >
      <option value="">{keywords.data ? 'Choose a keyword' : 'Loading keywords…'}</option>
      {keywords.data?.map((k) => (
        <option key={k.id} value={k.id}>
          {k.word}
        </option>
      ))}
    </SelectField>
  );
}

function TagField({ draft, errors, set }: Props) {
  const trpc = useTRPC();
  const tags = useQuery(trpc.members.tags.queryOptions());
  return (
    <>
      <TextField
        id="sequence-tag"
        label="Tag"
        value={draft.tag}
        autoComplete="off"
        maxLength={40}
        list="sequence-tag-suggestions"
        error={errors['trigger.tag'] ?? errors.trigger}
        hint="When a member is given this tag (by a keyword, the connect card, an import or by hand)."
        onChange={(e) => set('tag', e.target.value, ['trigger.tag', 'trigger'])}
      />
      <datalist id="sequence-tag-suggestions">
        {tags.data?.map((t) => (
          <option key={t} value={t} />
        ))}
      </datalist>
    </>
  );
}

function DateFields({ draft, errors, set }: Props) {
  const fields = useCustomFields();
  const dates = fields.data?.filter((f) => f.type === 'date');
  if (dates?.length === 0)
    return (
      <p className="text-sm text-slate-600" id="sequence-field" tabIndex={-1}>
        Add a date field such as Birthday under{' '}
        <Link href="/settings#member-fields" className={textLink}>
          Settings → Member fields
        </Link>{' '}
        first, and fill it in on your members.
      </p>
    );
  return (
    <div className="grid gap-4 sm:grid-cols-2">
      <SelectField
        id="sequence-field"
        label="Date field"
        value={draft.fieldId}
        disabled={!dates}
        error={errors['trigger.fieldId'] ?? errors.trigger}
        hint="Every year on a member’s date (the year itself does not matter)."
        onChange={(e) => set('fieldId', e.target.value, ['trigger.fieldId', 'trigger'])}
      >
        <option value="">{dates ? 'Choose a date field' : 'Loading fields…'}</option>
        {dates?.map((f) => (
          <option key={f.id} value={f.id}>
            {f.label}
          </option>
        ))}
      </SelectField>
      <TextField
        id="sequence-at"
        label="At"
        type="time"
        value={draft.at}
        error={errors['trigger.atMinute']}
        hint="Their own time: their branch’s timezone, else your church’s. The first step’s wait counts from it."
        onChange={(e) => set('at', e.target.value, ['trigger.atMinute'])}
      />
    </div>
  );
}
