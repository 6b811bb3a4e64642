'use client';

import { useState } from 'react';

const SUMMARY =
  'flex cursor-pointer list-none items-start justify-between gap-2 rounded-lg px-3 py-2 text-sm hover:bg-slate-50 ' +
  '[&::-webkit-details-marker]:hidden';

/**
 * Several tags chosen from the church's own (members.tags): a native disclosure (<details>, so Enter and Space open it
 * and nothing floats over a phone's screen) holding a checkbox per tag. The summary says what is chosen while closed.
 */
export function TagPicker({
  label,
  tags,
  value,
  onChange,
}: {
  /** "Has any of these tags": the summary and the group's name. */
  label: string;
  tags: string[];
  value: string[];
  onChange: (tags: string[]) => void;
}) {
  // A chosen tag no member has any more stays listed, so it can be unticked.
  const shown = [...tags, ...value.filter((t) => !tags.includes(t))];
  const toggle = (tag: string, on: boolean) => onChange(on ? [...value, tag] : value.filter((t) => t !== tag));
  const [startOpen] = useState(value.length > 0); // open at first when it has tags; the person decides after
  return (
    <details className="group rounded-lg ring-1 ring-inset ring-slate-300" open={startOpen}>
      <summary className={SUMMARY}>
        <span className="min-w-0">
          <span className="font-medium text-slate-800">{label}</span>
          <span className="block break-words text-slate-600" data-testid="tag-summary">
            {value.length ? value.join(', ') : 'None chosen'}
          </span>
        </span>
        <span aria-hidden className="mt-0.5 text-slate-500 transition-transform group-open:rotate-180">
          ▾
        </span>
      </summary>
      {/* Named by aria-label, not a legend: the summary already shows the words. */}
      <fieldset aria-label={label} className="border-t border-slate-200 px-3 py-2">
        {shown.length === 0 ? (
          <p className="text-sm text-slate-600">No member has a tag yet.</p>
        ) : (
          <ul className="grid max-h-56 grid-cols-1 gap-x-4 gap-y-1 overflow-y-auto @md:grid-cols-2 @3xl:grid-cols-1">
            {shown.map((tag) => (
              <li key={tag}>
                <label className="flex min-w-0 items-center gap-2 py-1 text-sm text-slate-800">
                  <input
                    type="checkbox"
                    checked={value.includes(tag)}
                    onChange={(e) => toggle(tag, e.target.checked)}
                    className="size-4 shrink-0 rounded border-slate-300"
                  />
                  <span className="break-all">{tag}</span>
                </label>
              </li>
            ))}
          </ul>
        )}
      </fieldset>
    </details>
  );
}
