'use client';

import { useEffect, useState } from 'react';
import { SelectField } from '../../_components/ui';

/** The browser's timezones grouped by region; read after mount so the server and first client render agree. */
export function TimezoneSelect({ id, value, onChange, error, allowDefault }: { id: string; value: string; onChange: (tz: string) => void; error?: string; allowDefault: boolean }) {
  const [zones, setZones] = useState<string[]>([]);
  useEffect(() => setZones(typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : []), []);
  const all = value && !zones.includes(value) ? [value, ...zones] : zones;
  const groups = new Map<string, string[]>();
  for (const z of all) {
    const region = z.includes('/') ? z.split('/')[0]! : 'Other';
    groups.set(region, [...(groups.get(region) ?? []), z]);
  }
  return (
    <SelectField id={id} label="Timezone" value={value} error={error} hint="Used to schedule this branch’s texts." onChange={(e) => onChange(e.target.value)}>
      {allowDefault && <option value="">Same as the church</option>}
      {[...groups.entries()].map(([region, list]) => (
        <optgroup key={region} label={region}>
          {list.map((z) => (
            <option key={z} value={z}>
              {z.slice(z.indexOf('/') + 1).replace(/_/g, ' ').replace(/\//g, ' / ')}
            </option>
          ))}
        </optgroup>
      ))}
    </SelectField>
  );
}
