'use client';

import { SelectField, TextField } from '../../_components/fields';
import type { Filters } from './list-input';
import type { BranchItem } from './types';

/** Search box and the segment, branch, tag and subscription filters above the members table. */
export function MemberFilters({
  value,
  onChange,
  branches,
  tags,
  segments,
}: {
  value: Filters;
  onChange: (f: Filters) => void;
  branches: BranchItem[];
  tags: string[];
  segments: { id: string; name: string }[];
}) {
  const set = <K extends keyof Filters>(key: K, v: Filters[K]) => onChange({ ...value, [key]: v });
  return (
    <div role="search" className="grid gap-3 sm:grid-cols-2 lg:grid-cols-[2fr_1fr_1fr_1fr_1fr]">
      <TextField
        id="member-search"
        label="Search members"
        type="search"
        placeholder="Name, phone or email"
        autoComplete="off"
        maxLength={100}
        value={value.search}
        onChange={(e) => set('search', e.target.value)}
      />
      <SelectField
        id="filter-segment"
        label="Segment"
        value={value.segmentId}
        onChange={(e) => set('segmentId', e.target.value)}
      >
        <option value="">All members</option>
        {/* A segment in the URL shows as chosen while the list loads (and if it was deleted, the table says so). */}
        {value.segmentId && !segments.some((s) => s.id === value.segmentId) && (
          <option value={value.segmentId}>A saved segment</option>
        )}
        {segments.map((s) => (
          <option key={s.id} value={s.id}>
            {s.name}
          </option>
        ))}
      </SelectField>
      <SelectField
        id="filter-branch"
        label="Branch"
        value={value.branchId}
        onChange={(e) => set('branchId', e.target.value)}
      >
        <option value="">All branches</option>
        <option value="none">No branch</option>
        {branches.map((b) => (
          <option key={b.id} value={b.id}>
            {b.name}
          </option>
        ))}
      </SelectField>
      <SelectField id="filter-tag" label="Tag" value={value.tag} onChange={(e) => set('tag', e.target.value)}>
        <option value="">All tags</option>
        {tags.map((t) => (
          <option key={t} value={t}>
            {t}
          </option>
        ))}
      </SelectField>
      <SelectField
        id="filter-subscription"
        label="Texts"
        value={value.subscription}
        onChange={(e) => set('subscription', e.target.value as Filters['subscription'])}
      >
        <option value="">Everyone</option>
        <option value="subscribed">Subscribed</option>
        <option value="unsubscribed">Unsubscribed</option>
        <option value="not_opted_in">Not opted in</option>
      </SelectField>
    </div>
  );
}
