'use client';

import { useEffect, useMemo, useState } from 'react';
import { SelectField } from './ui';

/**
 * A timezone select grouped by region. The list comes from the browser after mount (so the server render and the
 * first client render agree); until then, and always, the current value is an option.
 */
export function TimezoneField({ id, label, value, onChange, error, hint, disabled }: { id: string; label: string; value: string; onChange: (tz: string) => void; error?: string; hint?: string; disabled?: boolean }) {
  const [zones, setZones] = useState<string[]>([]);
  useEffect(() => {
    setZones(typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : []);
  }, []);
  const groups = useMemo(() => groupZones(zones, value), [zones, value]);
  return (
    <SelectField id={id} label={label} value={value} onChange={(e) => onChange(e.target.value)} error={error} hint={hint} disabled={disabled}>
      {groups.map(([group, list]) =>
        group ? (
          <optgroup key={group} label={group}>
            {list.map((z) => (
              <option key={z} value={z}>
                {zoneLabel(z, group)}
              </option>
            ))}
          </optgroup>
        ) : (
          list.map((z) => (
            <option key={z} value={z}>
              {z}
            </option>
          ))
        ),
      )}
    </SelectField>
  );
}

function groupZones(zones: string[], current: string): [string, string[]][] {
  const all = !current || zones.includes(current) ? zones : [current, ...zones];
  const groups = new Map<string, string[]>();
  for (const z of all) {
    const group = z.includes('/') ? z.split('/')[0]! : '';
    groups.set(group, [...(groups.get(group) ?? []), z]);
  }
  return [...groups.entries()].sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a.localeCompare(b)));
}

const zoneLabel = (zone: string, group: string) => (group ? zone.slice(group.length + 1) : zone).replace(/_/g, ' ').replace(/\//g, ' / ');
