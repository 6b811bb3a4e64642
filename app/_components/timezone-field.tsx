'use client';

import { useMemo } from 'react';
import { useBrowserValue } from './use-browser';
import { SelectField } from './fields';

/**
 * A timezone select grouped by region. The list comes from the browser after mount (so the server render and the
 * first client render agree); until then, and always, the current value is an option. `emptyOption` labels a
 * first option with the value "" (e.g. "Same as the church").
 */
export function TimezoneField({
  id,
  label,
  value,
  onChange,
  error,
  hint,
  disabled,
  emptyOption,
}: {
  id: string;
  label: string;
  value: string;
  onChange: (tz: string) => void;
  error?: string;
  hint?: string;
  disabled?: boolean;
  emptyOption?: string;
}) {
  const zones = useBrowserValue(browserZones, NO_ZONES);
  const groups = useMemo(() => groupZones(zones, value), [zones, value]);
  const options = (group: string, list: string[]) =>
    list.map((z) => (
      <option key={z} value={z}>
        {zoneLabel(z, group)}
      </option>
    ));
  return (
    <SelectField
      id={id}
      label={label}
      value={value}
      onChange={(e) => onChange(e.target.value)}
      error={error}
      hint={hint}
      disabled={disabled}
    >
      {emptyOption !== undefined && <option value="">{emptyOption}</option>}
      {groups.map(([group, list]) =>
        group ? (
          <optgroup key={group} label={group}>
            {options(group, list)}
          </optgroup>
        ) : (
          options(group, list)
        ),
      )}
    </SelectField>
  );
}

const NO_ZONES: string[] = [];
let zoneList: string[] | undefined;
/** The browser's timezones, read once (useBrowserValue needs the same array on every read). */
function browserZones(): string[] {
  zoneList ??= typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : NO_ZONES;
  return zoneList;
}

/** Timezones grouped by region ("" first: zones without one, like UTC); the current value is always an option. */
function groupZones(zones: string[], current: string): [string, string[]][] {
  const all = !current || zones.includes(current) ? zones : [current, ...zones];
  const groups = new Map<string, string[]>();
  for (const z of all) {
    const group = z.includes('/') ? z.split('/')[0]! : '';
    groups.set(group, [...(groups.get(group) ?? []), z]);
  }
  return [...groups.entries()].sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a.localeCompare(b)));
}

/**
 * "America/Argentina/Buenos_Aires" in the America group reads "Argentina / Buenos Aires"; with no group, the whole
 * name.
 */
export const zoneLabel = (zone: string, group = '') =>
  (group ? zone.slice(group.length + 1) : zone).replace(/_/g, ' ').replace(/\//g, ' / ');
