'use client';

import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { MAX_SERIES_DAYS, WEEKDAYS, weekdayNames, type Weekday } from '@/server/messaging/series-days';
import { errorMessage, fieldErrors } from '../../_components/errors';
import { SelectField, TextField } from '../../_components/fields';
import { useDebounced } from '../../_components/use-debounced';
import type { RouterInputs } from '../../_lib/router-types';
import { useTRPC } from '../../trpc';

/**
 * The compose form's "Repeat" choice: weekly on chosen days or monthly on a day, at a time, from a first date to an
 * end date, all in the church's own time. Before anything is saved the server says the repeat in words and lists its
 * next dates (`broadcasts.previewSeries`), so the admin sees exactly when it will go out.
 */

export type RepeatDraft = {
  frequency: 'none' | 'weekly' | 'monthly';
  weekdays: Weekday[];
  monthDay: string;
  time: string;
  startDate: string;
  endDate: string;
};
export type RepeatErrors = Partial<Record<'weekdays' | 'monthDay' | 'time' | 'startDate' | 'endDate', string>>;
type RepeatInput = RouterInputs['broadcasts']['previewSeries'];

export const noRepeat = (today: string): RepeatDraft => ({
  frequency: 'none',
  weekdays: [],
  monthDay: '',
  time: '09:00',
  startDate: today,
  endDate: '',
});

/** The draft as the server takes it, or null while something it needs is missing. */
export function repeatOf(d: RepeatDraft): RepeatInput | null {
  if (d.frequency === 'none' || !d.time || !d.startDate || !d.endDate) return null;
  if (d.frequency === 'weekly' && d.weekdays.length === 0) return null;
  const monthDay = d.frequency === 'monthly' ? Number(d.monthDay) : null;
  if (d.frequency === 'monthly' && !(Number.isInteger(monthDay) && monthDay! >= 1 && monthDay! <= 31)) return null;
  const { frequency, weekdays, time, startDate, endDate } = d;
  return { frequency, weekdays: frequency === 'weekly' ? weekdays : [], monthDay, time, startDate, endDate };
}

/** What is missing, in the server's words, for the fields a person has not filled in. */
export function repeatProblems(d: RepeatDraft): RepeatErrors {
  const e: RepeatErrors = {};
  if (d.frequency === 'weekly' && d.weekdays.length === 0) e.weekdays = 'Choose at least one day of the week';
  const day = Number(d.monthDay);
  if (d.frequency === 'monthly' && !(d.monthDay && Number.isInteger(day) && day >= 1 && day <= 31))
    e.monthDay = 'Choose a day of the month, 1 to 31';
  if (!d.time) e.time = 'Choose a time, like 17:00';
  if (!d.startDate) e.startDate = 'Choose the first date';
  if (!d.endDate) e.endDate = 'Choose the date it ends (at most a year ahead)';
  else if (d.startDate && d.endDate < d.startDate) e.endDate = 'End on or after the first date';
  return e;
}

/** "7 Dec 2027" for "2027-12-07" (a calendar date: no timezone applies). */
function calendarWords(date: string): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  return `${d} ${months[m - 1]} ${y}`;
}

/** The repeat's words and next dates from the server, asked again once the draft settles. */
export function useRepeatPreview(draft: RepeatDraft) {
  const trpc = useTRPC();
  const input = repeatOf(draft);
  const settled = useDebounced(JSON.stringify(input), 300);
  const asked = JSON.parse(settled) as RepeatInput | null;
  return useQuery(
    trpc.broadcasts.previewSeries.queryOptions(asked ?? noInput, {
      enabled: !!asked,
      placeholderData: keepPreviousData,
      retry: false,
    }),
  );
}
const dayClass =
  'flex items-center gap-1.5 rounded-lg bg-white px-2.5 py-1.5 text-sm text-slate-800 ring-1 ring-slate-300';
const noInput: RepeatInput = { frequency: 'weekly', weekdays: ['MO'], time: '09:00', startDate: '', endDate: '' };

export function RepeatFields({
  id,
  value,
  preview,
  onChange,
  errors,
  church,
}: {
  id: string;
  value: RepeatDraft;
  preview: ReturnType<typeof useRepeatPreview>;
  onChange: (next: RepeatDraft, changed: keyof RepeatDraft) => void;
  errors: RepeatErrors;
  church: { timezone: string; today: string; lastEndDate: string } | undefined;
}) {
  const set = <K extends keyof RepeatDraft>(key: K, v: RepeatDraft[K]) => onChange({ ...value, [key]: v }, key);
  // The server's refusals of a draft (an end more than a year ahead) are shown beside their fields.
  const server = preview.error ? fieldErrors(preview.error) : {};
  const shown = (key: keyof RepeatErrors) => errors[key] ?? server[key];
  const zone = church?.timezone;
  const lastEnd = church ? calendarWords(church.lastEndDate) : `${MAX_SERIES_DAYS} days ahead`;

  return (
    <div className="space-y-4">
      <div className="max-w-xs">
        <SelectField
          id={`${id}-repeat`}
          label="Repeat"
          value={value.frequency}
          onChange={(e) => set('frequency', e.target.value as RepeatDraft['frequency'])}
        >
          <option value="none">Does not repeat</option>
          <option value="weekly">Weekly, on chosen days</option>
          <option value="monthly">Monthly, on a day of the month</option>
        </SelectField>
      </div>
      {value.frequency !== 'none' && (
        <div className="space-y-4 rounded-xl bg-slate-50 px-4 py-3 ring-1 ring-slate-200">
          {value.frequency === 'weekly' ? (
            <fieldset aria-describedby={shown('weekdays') ? `${id}-weekdays-error` : undefined}>
              <legend className="text-sm font-medium text-slate-800">On</legend>
              <div className="mt-2 flex flex-wrap gap-2">
                {WEEKDAYS.map((d) => (
                  <label key={d} className={dayClass}>
                    <input
                      type="checkbox"
                      className="size-4 rounded border-slate-300"
                      checked={value.weekdays.includes(d)}
                      onChange={(e) =>
                        set(
                          'weekdays',
                          e.target.checked ? [...value.weekdays, d] : value.weekdays.filter((w) => w !== d),
                        )
                      }
                    />
                    <span aria-hidden>{weekdayNames[d].slice(0, 3)}</span>
                    <span className="sr-only">{weekdayNames[d]}</span>
                  </label>
                ))}
              </div>
              {shown('weekdays') && (
                <p id={`${id}-weekdays-error`} className="mt-1 text-xs font-medium text-red-700">
                  {shown('weekdays')}
                </p>
              )}
            </fieldset>
          ) : (
            <div className="max-w-xs">
              <TextField
                id={`${id}-month-day`}
                label="Day of the month"
                type="number"
                inputMode="numeric"
                min={1}
                max={31}
                value={value.monthDay}
                error={shown('monthDay')}
                hint="1 to 31. Days 29 to 31 go out on the last day of shorter months."
                onChange={(e) => set('monthDay', e.target.value)}
              />
            </div>
          )}
          <div className="grid gap-4 sm:grid-cols-3">
            <TextField
              id={`${id}-time`}
              label="At"
              type="time"
              value={value.time}
              error={shown('time')}
              hint={zone ? `Church time (${zone})` : 'Church time'}
              onChange={(e) => set('time', e.target.value)}
            />
            <TextField
              id={`${id}-start`}
              label="Starting"
              type="date"
              value={value.startDate}
              min={church?.today}
              max={church?.lastEndDate}
              error={shown('startDate')}
              onChange={(e) => set('startDate', e.target.value)}
            />
            <TextField
              id={`${id}-end`}
              label="Until"
              type="date"
              required
              value={value.endDate}
              min={value.startDate || church?.today}
              max={church?.lastEndDate}
              error={shown('endDate')}
              hint={`Required. At most a year ahead: on or before ${lastEnd}.`}
              onChange={(e) => set('endDate', e.target.value)}
            />
          </div>
          <RepeatPreview preview={preview} ready={!!repeatOf(value)} fieldRefused={Object.keys(server).length > 0} />
        </div>
      )}
    </div>
  );
}

function RepeatPreview({
  preview,
  ready,
  fieldRefused,
}: {
  preview: ReturnType<typeof useRepeatPreview>;
  ready: boolean;
  fieldRefused: boolean;
}) {
  if (!ready) return <p className="text-sm text-slate-500">Choose the days and dates to see when it goes out.</p>;
  if (preview.error && !fieldRefused) return <p className="text-sm text-red-700">{errorMessage(preview.error)}</p>;
  if (preview.error || !preview.data) return null;
  const { description, count, next, timezone } = preview.data;
  return (
    <div className="space-y-1 text-sm text-slate-700" aria-live="polite" data-testid="repeat-preview">
      <p>
        <strong className="font-semibold text-slate-900" data-testid="repeat-description">
          {description}
        </strong>
        {' · '}
        {count.toLocaleString()} {count === 1 ? 'date' : 'dates'}
      </p>
      <p className="text-xs text-slate-500">Next, in church time ({timezone}):</p>
      <ul className="list-inside list-disc text-sm" aria-label="Next dates">
        {next.map((n) => (
          <li key={n.at.toISOString()}>{n.label}</li>
        ))}
      </ul>
    </div>
  );
}
