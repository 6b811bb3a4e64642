'use client';

import { useQuery } from '@tanstack/react-query';
import { useId } from 'react';
import { SUBSCRIPTION_LABELS, SUBSCRIPTION_STATES, type SubscriptionState } from '@/db/tenant/enums';
import { SelectField, TextField } from '../../_components/fields';
import { Alert } from '../../_components/ui';
import { useTRPC } from '../../trpc';
import { AudienceCount } from './audience-count';
import { MAX_FIRST_VISIT_DAYS } from '@/server/audiences/rules';
import { daysProblem, draftIncomplete, filterOf, type AudienceDraft, type TagList } from './audience-draft';
import { FieldConditions } from './field-conditions';
import { TagPicker } from './tag-picker';

const TAG_LISTS: { key: TagList; label: string }[] = [
  { key: 'tagsAny', label: 'Has any of these tags' },
  { key: 'tagsAll', label: 'Has all of these tags' },
  { key: 'tagsNone', label: 'Does not have these tags' },
];

/**
 * Who is in an audience, as conditions a member must all meet: branch, tags, a recent first visit, subscription and
 * custom-field conditions, with the live count under them (`count`). The lists come from the church's own branches,
 * tags and fields. Used by the segments page (in a dialog) and the broadcast composer, so it is laid out by the room it
 * has (container queries), not the screen's width.
 */
export function AudienceBuilder({
  value,
  onChange,
  checked = false,
  problem,
  count = true,
}: {
  value: AudienceDraft;
  onChange: (draft: AudienceDraft) => void;
  /** Show what is unfinished beside it (after an attempt to save or send). */
  checked?: boolean;
  /** The server's refusal of the conditions (a value of the wrong kind), shown under them. */
  problem?: string;
  /** The composer shows its own count (recipients and cost), so it leaves this one out. */
  count?: boolean;
}) {
  const id = useId();
  const trpc = useTRPC();
  const branches = useQuery(trpc.branches.list.queryOptions());
  const tags = useQuery(trpc.members.tags.queryOptions());
  const fields = useQuery(trpc.customFields.list.queryOptions());
  const set = <K extends keyof AudienceDraft>(key: K, v: AudienceDraft[K]) => onChange({ ...value, [key]: v });
  const typeOf = (fieldId: string) => fields.data?.find((f) => f.id === fieldId)?.type;
  const unfinished = draftIncomplete(value, typeOf);

  return (
    <div className="@container space-y-5" data-testid="audience-builder">
      <div className="grid gap-4 @md:grid-cols-2 @3xl:grid-cols-3">
        <SelectField
          id={`${id}-branch`}
          label="Branch"
          value={value.branchId}
          onChange={(e) => set('branchId', e.target.value)}
        >
          <option value="">Any branch</option>
          <option value="none">No branch</option>
          {branches.data?.map((b) => (
            <option key={b.id} value={b.id}>
              {b.name}
            </option>
          ))}
        </SelectField>
        <SelectField
          id={`${id}-subscription`}
          label="Subscription"
          value={value.subscription}
          onChange={(e) => set('subscription', e.target.value as '' | SubscriptionState)}
        >
          <option value="">Any</option>
          {SUBSCRIPTION_STATES.map((s) => (
            <option key={s} value={s}>
              {SUBSCRIPTION_LABELS[s]}
            </option>
          ))}
        </SelectField>
        <TextField
          id={`${id}-days`}
          label="First visit in the last (days)"
          type="number"
          inputMode="numeric"
          min={1}
          max={MAX_FIRST_VISIT_DAYS}
          step={1}
          placeholder="Any time"
          value={value.firstVisitDays}
          error={daysProblem(value.firstVisitDays)}
          hint="First-time guests: 30 means a first visit in the last 30 days."
          onChange={(e) => set('firstVisitDays', e.target.value)}
        />
      </div>

      <fieldset className="space-y-2">
        <legend className="text-sm font-medium text-slate-800">Tags</legend>
        <div className="grid items-start gap-3 @3xl:grid-cols-3">
          {TAG_LISTS.map((t) => (
            <TagPicker
              key={t.key}
              label={t.label}
              tags={tags.data ?? []}
              value={value[t.key]}
              onChange={(v) => set(t.key, v)}
            />
          ))}
        </div>
      </fieldset>

      <fieldset className="space-y-2">
        <legend className="text-sm font-medium text-slate-800">Custom fields</legend>
        <FieldConditions
          idBase={`${id}-condition`}
          fields={fields.data ?? []}
          value={value.fields}
          checked={checked}
          onChange={(v) => set('fields', v)}
        />
      </fieldset>

      {problem && <Alert>{problem}</Alert>}
      {count && (
        <div className="space-y-1">
          <AudienceCount filter={filterOf(value)} />
          {unfinished && !checked && (
            <p className="text-xs text-slate-500">Unfinished conditions are not counted until they are complete.</p>
          )}
        </div>
      )}
    </div>
  );
}
