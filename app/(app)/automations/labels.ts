import { clockOf } from '@/server/messaging/clock';
import type { Tone } from '../../_components/tone-badge';
import type { RouterOutputs } from '../../_lib/router-types';

/**
 * How sequences read on the automations pages and the member form: triggers and steps in words, states and their
 * badges. Plain functions (no zod, no React), so no page loads the input schemas just to show a list.
 */

export type SequenceItem = RouterOutputs['sequences']['list'][number];
export type SequenceDetail = RouterOutputs['sequences']['get'];
export type Trigger = SequenceItem['trigger'];
export type Enrollment = SequenceDetail['people'][number];

/** "21:30" (a time input's value) → 1290; NaN when empty or not a time. */
export function minutesOf(value: string): number {
  const m = /^(\d{2}):(\d{2})$/.exec(value);
  return m ? Number(m[1]) * 60 + Number(m[2]) : NaN;
}

/** The names a trigger points at by id: the church's keywords and date fields. */
export type TriggerNames = {
  keywords?: { id: string; word: string }[];
  fields?: { id: string; label: string }[];
};

/** "When someone texts WELCOME", "Every year on Birthday at 09:00", "Added by hand". */
export function triggerWords(t: Trigger, names: TriggerNames): string {
  switch (t.kind) {
    case 'keyword': {
      if (!t.keywordId) return 'When someone texts a keyword (deleted: choose another)';
      const word = names.keywords?.find((k) => k.id === t.keywordId)?.word;
      return `When someone texts ${word ?? 'a keyword'}`;
    }
    case 'connect_card':
      return `When someone fills in the connect card${t.firstVisitOnly ? ' (first-time guests)' : ''}`;
    case 'tag':
      return `When someone gets the tag ${t.tag}`;
    case 'date': {
      if (!t.fieldId) return 'Every year on a date field (deleted: choose another)';
      const label = names.fields?.find((f) => f.id === t.fieldId)?.label;
      return `Every year on ${label ?? 'a date field'} at ${clockOf(t.atMinute)}`;
    }
    case 'manual':
      return 'Added by hand';
  }
}

type Step = { wait: number; unit: 'hours' | 'days'; atMinute?: number | null };

const units = (n: number, unit: 'hours' | 'days') => `${n} ${n === 1 ? unit.slice(0, -1) : unit}`;

/**
 * When step `index` (from 0) goes out, in words: "Right away", "2 days after step 1, at 10:00". A first step counts
 * from when the person joins (for a date trigger, the date's time that day).
 */
export function stepWhen(step: Step, index: number): string {
  const after = index === 0 ? 'they join' : `step ${index}`;
  const at = step.unit === 'days' && step.atMinute != null ? clockOf(step.atMinute) : null;
  if (step.wait === 0 && at) return `${index === 0 ? 'The day they join' : `The day of step ${index}`}, at ${at}`;
  if (step.wait === 0) return index === 0 ? 'Right away' : `Right after step ${index}`;
  return `${units(step.wait, step.unit)} after ${after}${at ? `, at ${at}` : ''}`;
}

export const ENROLLMENT_STATE: Record<Enrollment['state'], { text: string; tone: Tone }> = {
  active: { text: 'Active', tone: 'brand' },
  finished: { text: 'Finished', tone: 'green' },
  stopped: { text: 'Stopped', tone: 'slate' },
};

export const stepsCount = (n: number) => `${n} ${n === 1 ? 'step' : 'steps'}`;

/** A link that looks like the primary button (a way to another page, not an action here). */
export const buttonLink =
  'inline-flex items-center justify-center rounded-lg bg-brand-600 px-4 py-2.5 text-sm font-medium text-white ' +
  'shadow-sm hover:bg-brand-700';

/** A link that looks like the secondary button (Edit, Cancel); `sm` as a row of small buttons. */
export const secondaryLink = (size: 'sm' | 'md' = 'md') =>
  `inline-flex items-center justify-center rounded-lg bg-white ${size === 'sm' ? 'px-3 py-1.5' : 'px-4 py-2.5'} ` +
  'text-sm font-medium text-slate-800 shadow-sm ring-1 ring-inset ring-slate-300 hover:bg-slate-50';

export const textLink = 'font-medium text-brand-600 underline-offset-2 hover:underline';
