import type { SequenceTrigger } from '@/db/tenant/enums';
import { clockOf } from '@/server/messaging/clock';
import { minutesOf, type SequenceDetail } from './labels';

/**
 * A sequence as its form edits it: every control's raw value (a wait being typed, a time not chosen yet).
 * `inputOf` makes the API's input of it; the server's schema then checks that (check-sequence.ts). Pure.
 */

export type StepDraft = { key: number; wait: string; unit: 'hours' | 'days'; at: string; body: string };
export type Draft = {
  name: string;
  kind: SequenceTrigger;
  keywordId: string;
  firstVisitOnly: boolean;
  tag: string;
  fieldId: string;
  /** A date trigger's local time, "09:00". */
  at: string;
  steps: StepDraft[];
  stopOnReply: boolean;
  reenroll: boolean;
};

let nextKey = 0;
/** Steps move and go; React tells them apart by a key of their own. */
export const newStep = (s: Partial<Omit<StepDraft, 'key'>> = {}): StepDraft => ({
  key: ++nextKey,
  wait: '0',
  unit: 'hours',
  at: '',
  body: '',
  ...s,
});

export function draftOf(s: SequenceDetail | null): Draft {
  const t = s?.trigger;
  return {
    name: s?.name ?? '',
    kind: t?.kind ?? 'connect_card',
    keywordId: (t?.kind === 'keyword' && t.keywordId) || '',
    firstVisitOnly: t?.kind === 'connect_card' ? t.firstVisitOnly : true,
    tag: t?.kind === 'tag' ? t.tag : '',
    fieldId: (t?.kind === 'date' && t.fieldId) || '',
    at: t?.kind === 'date' ? clockOf(t.atMinute) : '09:00',
    steps: s
      ? s.steps.map((st) =>
          newStep({
            wait: String(st.wait),
            unit: st.unit,
            at: st.atMinute == null ? '' : clockOf(st.atMinute),
            body: st.body,
          }),
        )
      : [newStep()],
    stopOnReply: s?.stopOnReply ?? true,
    reenroll: s?.reenroll ?? false,
  };
}

function triggerOf(d: Draft) {
  switch (d.kind) {
    case 'keyword':
      return { kind: d.kind, keywordId: d.keywordId };
    case 'connect_card':
      return { kind: d.kind, firstVisitOnly: d.firstVisitOnly };
    case 'tag':
      return { kind: d.kind, tag: d.tag };
    case 'date':
      return { kind: d.kind, fieldId: d.fieldId, atMinute: minutesOf(d.at) };
    case 'manual':
      return { kind: d.kind };
  }
}

/** The API's input (sequences.create; update with the id). A time of day goes only with a wait in days. */
export const inputOf = (d: Draft) => ({
  name: d.name,
  trigger: triggerOf(d),
  steps: d.steps.map((s) => ({
    wait: s.wait.trim() === '' ? NaN : Number(s.wait),
    unit: s.unit,
    atMinute: s.unit === 'days' && s.at ? minutesOf(s.at) : null,
    body: s.body,
  })),
  stopOnReply: d.stopOnReply,
  reenroll: d.reenroll,
});

export type Errors = Record<string, string | undefined>;

/**
 * What zod cannot say in words of its own: a wait left empty or not a number, a date trigger's time not chosen. Keyed
 * as the schema's issues are (`steps.1.wait`).
 */
export function rawProblems(d: Draft): Errors {
  const e: Errors = {};
  if (d.kind === 'date' && Number.isNaN(minutesOf(d.at))) e['trigger.atMinute'] = 'Choose a time';
  d.steps.forEach((s, i) => {
    if (!/^\s*\d+\s*$/.test(s.wait)) e[`steps.${i}.wait`] = 'Enter a whole number of hours or days (0: right away)';
    if (s.unit === 'days' && s.at && Number.isNaN(minutesOf(s.at))) e[`steps.${i}.atMinute`] = 'Choose a time';
  });
  return e;
}

/** Issues by their whole path (`trigger.keywordId`, `steps.0.body`), the first of each. */
export function issuesByPath(issues: { path: PropertyKey[]; message: string }[]): Errors {
  const out: Errors = {};
  for (const issue of issues) {
    const key = issue.path.map(String).join('.');
    if (key && !(key in out)) out[key] = issue.message;
  }
  return out;
}

/** Each error's control, in the order they are on the page: the first one in error gets the focus. */
export function controlIds(d: Draft): [string, string][] {
  return [
    ['name', 'sequence-name'],
    ['trigger.keywordId', 'sequence-keyword'],
    ['trigger.tag', 'sequence-tag'],
    ['trigger.fieldId', 'sequence-field'],
    ['trigger.atMinute', 'sequence-at'],
    ['trigger', d.kind === 'date' ? 'sequence-field' : d.kind === 'keyword' ? 'sequence-keyword' : 'sequence-kind'],
    ['steps', 'sequence-add-step'],
    ...d.steps.flatMap((_, i): [string, string][] => [
      [`steps.${i}.wait`, `sequence-step-${i}-wait`],
      [`steps.${i}.atMinute`, `sequence-step-${i}-at`],
      [`steps.${i}.body`, `sequence-step-${i}-body`],
    ]),
  ];
}
