'use client';

import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useId } from 'react';
import type { AudienceInput } from '@/server/messaging/inputs';
import { SelectField } from '../../_components/fields';
import { Button } from '../../_components/ui';
import { useTRPC } from '../../trpc';
import { AudienceBuilder } from '../segments/audience-builder';
import { emptyDraft, filterOf, type AudienceDraft } from '../segments/audience-draft';

/** Every kind's own choice is kept, so switching kinds and back loses nothing (a half-built audience above all). */
export type AudienceChoice = {
  type: AudienceInput['type'];
  branchId: string;
  tag: string;
  segmentId: string;
  draft: AudienceDraft;
};
export const everyone: AudienceChoice = { type: 'all', branchId: '', tag: '', segmentId: '', draft: emptyDraft };

/** The API's audience, or null while a branch, tag or segment is still to be chosen. */
export function toAudience(c: AudienceChoice): AudienceInput | null {
  if (c.type === 'branch') return c.branchId ? { type: 'branch', branchId: c.branchId } : null;
  if (c.type === 'tag') return c.tag ? { type: 'tag', tag: c.tag } : null;
  if (c.type === 'segment') return c.segmentId ? { type: 'segment', segmentId: c.segmentId } : null;
  if (c.type === 'filter') return { type: 'filter', filter: filterOf(c.draft) };
  return { type: 'all' };
}

/** What to say when the kind is chosen but not its branch, tag or segment. */
export const choose = { branch: 'Choose a branch', tag: 'Choose a tag', segment: 'Choose a segment' } as const;

const options = [
  { type: 'all', label: 'Everyone' },
  { type: 'branch', label: 'A branch' },
  { type: 'tag', label: 'Members with a tag' },
  { type: 'segment', label: 'A saved segment' },
  { type: 'filter', label: 'Build an audience' },
] as const;

/**
 * Who gets the broadcast: radios for the kind, then a select for the branch, tag or segment (from the church's own
 * lists), or the audience builder, which an admin can save as a segment (`onSaveSegment`).
 */
export function AudiencePicker({
  value,
  onChange,
  error,
  checked,
  onSaveSegment,
}: {
  value: AudienceChoice;
  onChange: (c: AudienceChoice) => void;
  error?: string;
  /** Show the builder's unfinished conditions (after an attempt to send). */
  checked?: boolean;
  onSaveSegment?: () => void;
}) {
  const id = useId();
  return (
    <fieldset className="space-y-3">
      <legend className="text-sm font-medium text-slate-800">Who gets it</legend>
      <div className="flex flex-wrap gap-x-5 gap-y-2">
        {options.map((o) => (
          <label key={o.type} className="flex items-center gap-2 text-sm text-slate-800">
            <input
              type="radio"
              name={`${id}-audience`}
              value={o.type}
              checked={value.type === o.type}
              onChange={() => onChange({ ...value, type: o.type })}
              className="size-4 border-slate-300"
            />
            {o.label}
          </label>
        ))}
      </div>
      <div className="max-w-md">
        {value.type === 'branch' && (
          <BranchSelect
            id={`${id}-branch`}
            value={value.branchId}
            error={error}
            onChange={(branchId) => onChange({ ...value, branchId })}
          />
        )}
        {value.type === 'tag' && (
          <TagSelect id={`${id}-tag`} value={value.tag} error={error} onChange={(tag) => onChange({ ...value, tag })} />
        )}
        {value.type === 'segment' && (
          <SegmentSelect
            id={`${id}-segment`}
            value={value.segmentId}
            error={error}
            onChange={(segmentId) => onChange({ ...value, segmentId })}
          />
        )}
      </div>
      {value.type === 'filter' && (
        <div className="space-y-3 rounded-xl p-4 ring-1 ring-slate-200">
          <AudienceBuilder
            value={value.draft}
            count={false}
            checked={checked}
            onChange={(draft) => onChange({ ...value, draft })}
          />
          {error && <p className="text-sm font-medium text-red-700">{error}</p>}
          {onSaveSegment && (
            <Button variant="secondary" size="sm" onClick={onSaveSegment}>
              Save as segment…
            </Button>
          )}
        </div>
      )}
    </fieldset>
  );
}

type SelectProps = { id: string; value: string; error?: string; onChange: (value: string) => void };

const linkClass = 'font-medium text-brand-600 underline-offset-2 hover:underline';

/** A select over one of the church's lists, saying what to do when the list is empty. */
function ListSelect<T>({
  label,
  plural,
  list,
  option,
  empty,
  ...props
}: SelectProps & {
  label: string;
  plural: string;
  list: { data?: T[]; isPending: boolean; error: unknown };
  option: (item: T) => { value: string; text: string };
  empty: React.ReactNode;
}) {
  if (list.data?.length === 0) return <p className="text-sm text-slate-600">{empty}</p>;
  const status = list.isPending
    ? `Loading ${plural}…`
    : list.error
      ? `Could not load ${plural}`
      : `Choose a ${label.toLowerCase()}`;
  return (
    <SelectField
      id={props.id}
      label={label}
      value={props.value}
      error={props.error}
      disabled={!list.data}
      onChange={(e) => props.onChange(e.target.value)}
    >
      <option value="">{status}</option>
      {list.data?.map(option).map((o) => (
        <option key={o.value} value={o.value}>
          {o.text}
        </option>
      ))}
    </SelectField>
  );
}

function BranchSelect(props: SelectProps) {
  const trpc = useTRPC();
  return (
    <ListSelect
      {...props}
      label="Branch"
      plural="branches"
      list={useQuery(trpc.branches.list.queryOptions())}
      option={(b) => ({
        value: b.id,
        text: `${b.name} (${b.memberCount} ${b.memberCount === 1 ? 'member' : 'members'})`,
      })}
      empty={
        <>
          No branches yet.{' '}
          <Link href="/branches" className={linkClass}>
            Add a branch
          </Link>{' '}
          and put members in it first.
        </>
      }
    />
  );
}

function TagSelect(props: SelectProps) {
  const trpc = useTRPC();
  return (
    <ListSelect
      {...props}
      label="Tag"
      plural="tags"
      list={useQuery(trpc.members.tags.queryOptions())}
      option={(t) => ({ value: t, text: t })}
      empty={
        <>
          No member has a tag yet. Add tags on the{' '}
          <Link href="/members" className={linkClass}>
            Members
          </Link>{' '}
          page.
        </>
      }
    />
  );
}

function SegmentSelect(props: SelectProps) {
  const trpc = useTRPC();
  return (
    <ListSelect
      {...props}
      label="Segment"
      plural="segments"
      list={useQuery(trpc.segments.list.queryOptions())}
      option={(s) => ({ value: s.id, text: s.name })}
      empty={
        <>
          No saved segments yet. Choose “Build an audience” and save it, or add one on the{' '}
          <Link href="/segments" className={linkClass}>
            Segments
          </Link>{' '}
          page.
        </>
      }
    />
  );
}
