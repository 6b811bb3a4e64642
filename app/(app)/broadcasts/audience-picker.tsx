'use client';

import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useId } from 'react';
import type { AudienceInput } from '@/server/messaging/inputs';
import { SelectField } from '../../_components/fields';
import { useTRPC } from '../../trpc';

export type AudienceChoice = { type: AudienceInput['type']; branchId: string; tag: string };
export const everyone: AudienceChoice = { type: 'all', branchId: '', tag: '' };

/** The API's audience, or null while a branch or tag is still to be chosen. */
export function toAudience(c: AudienceChoice): AudienceInput | null {
  if (c.type === 'branch') return c.branchId ? { type: 'branch', branchId: c.branchId } : null;
  if (c.type === 'tag') return c.tag ? { type: 'tag', tag: c.tag } : null;
  return { type: 'all' };
}

const options = [
  { type: 'all', label: 'Everyone' },
  { type: 'branch', label: 'A branch' },
  { type: 'tag', label: 'Members with a tag' },
] as const;

/** Who gets the broadcast: radios for the kind, then a select for the branch or tag (from the church's own lists). */
export function AudiencePicker({
  value,
  onChange,
  error,
}: {
  value: AudienceChoice;
  onChange: (c: AudienceChoice) => void;
  error?: string;
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
      </div>
    </fieldset>
  );
}

type SelectProps = { id: string; value: string; error?: string; onChange: (value: string) => void };

function BranchSelect({ id, value, error, onChange }: SelectProps) {
  const trpc = useTRPC();
  const branches = useQuery(trpc.branches.list.queryOptions());
  if (branches.data?.length === 0) {
    return (
      <p className="text-sm text-slate-600">
        No branches yet.{' '}
        <Link href="/branches" className="font-medium text-brand-600 underline-offset-2 hover:underline">
          Add a branch
        </Link>{' '}
        and put members in it first.
      </p>
    );
  }
  return (
    <SelectField
      id={id}
      label="Branch"
      value={value}
      error={error}
      disabled={!branches.data}
      onChange={(e) => onChange(e.target.value)}
    >
      <option value="">
        {branches.isPending ? 'Loading branches…' : branches.error ? 'Could not load branches' : 'Choose a branch'}
      </option>
      {branches.data?.map((b) => (
        <option key={b.id} value={b.id}>
          {b.name} ({b.memberCount} {b.memberCount === 1 ? 'member' : 'members'})
        </option>
      ))}
    </SelectField>
  );
}

function TagSelect({ id, value, error, onChange }: SelectProps) {
  const trpc = useTRPC();
  const tags = useQuery(trpc.members.tags.queryOptions());
  if (tags.data?.length === 0) {
    return (
      <p className="text-sm text-slate-600">
        No member has a tag yet. Add tags on the{' '}
        <Link href="/members" className="font-medium text-brand-600 underline-offset-2 hover:underline">
          Members
        </Link>{' '}
        page.
      </p>
    );
  }
  return (
    <SelectField
      id={id}
      label="Tag"
      value={value}
      error={error}
      disabled={!tags.data}
      onChange={(e) => onChange(e.target.value)}
    >
      <option value="">{tags.isPending ? 'Loading tags…' : tags.error ? 'Could not load tags' : 'Choose a tag'}</option>
      {tags.data?.map((t) => (
        <option key={t} value={t}>
          {t}
        </option>
      ))}
    </SelectField>
  );
}
