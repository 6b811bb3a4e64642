'use client';

import { useRef } from 'react';
import { SelectField, TextField, TextareaField } from '../../_components/fields';
import { MergeFieldMenu } from '../../_components/merge-field-menu';
import { SegmentCounter } from '../../_components/segment-counter';
import { TemplateMenu } from '../../_components/template-menu';
import { Button } from '../../_components/ui';
import { minutesOf, stepWhen } from './labels';
import type { Errors, StepDraft } from './sequence-draft';

const BODY_HINT =
  'Merge fields are filled in for each person: {first_name|friend} gives their first name, or “friend” when we ' +
  'have none.';

/**
 * One step: how long it waits after the one before (hours, or days with a time of day if wanted), then its text.
 * Its own buttons move it up or down or take it out.
 */
export function StepFields({
  step,
  index,
  count,
  errors,
  mergeProblem,
  onChange,
  onMove,
  onRemove,
}: {
  step: StepDraft;
  index: number;
  count: number;
  errors: Errors;
  /** Merge fields the church does not have, named as the text is typed. */
  mergeProblem: string | null;
  onChange: (patch: Partial<StepDraft>, errorKeys: string[]) => void;
  onMove: (by: -1 | 1) => void;
  onRemove: () => void;
}) {
  const box = useRef<HTMLTextAreaElement>(null);
  const id = `sequence-step-${index}`;
  const n = index + 1;
  const err = (key: string) => errors[`steps.${index}.${key}`];
  const wait = Number(step.wait);
  const when = /^\s*\d+\s*$/.test(step.wait)
    ? stepWhen({ wait, unit: step.unit, atMinute: step.at ? minutesOf(step.at) : null }, index)
    : null;
  const insert = {
    textarea: box,
    value: step.body,
    onChange: (body: string) => onChange({ body }, [`steps.${index}.body`]),
  };
  return (
    <li>
      <fieldset className="space-y-3 rounded-xl p-4 ring-1 ring-slate-200" data-testid="step-fields">
        <legend className="px-1 text-sm font-semibold text-slate-900">Step {n}</legend>
        <div className="grid grid-cols-2 gap-3 sm:grid-cols-[7rem_9rem_9rem]">
          <TextField
            id={`${id}-wait`}
            label="Wait"
            type="number"
            inputMode="numeric"
            min={0}
            step={1}
            value={step.wait}
            error={err('wait')}
            onChange={(e) => onChange({ wait: e.target.value }, [`steps.${index}.wait`])}
          />
          <SelectField
            id={`${id}-unit`}
            label="Hours or days"
            value={step.unit}
            onChange={(e) =>
              onChange({ unit: e.target.value as StepDraft['unit'] }, [
                `steps.${index}.atMinute`,
                `steps.${index}.wait`,
              ])
            }
          >
            <option value="hours">hours</option>
            <option value="days">days</option>
          </SelectField>
          {step.unit === 'days' && (
            <div className="col-span-2 sm:col-span-1">
              <TextField
                id={`${id}-at`}
                label="At (optional)"
                type="time"
                value={step.at}
                error={err('atMinute')}
                onChange={(e) => onChange({ at: e.target.value }, [`steps.${index}.atMinute`])}
              />
            </div>
          )}
        </div>
        <p className="text-sm text-slate-600" data-testid="step-when" aria-live="polite">
          {when ? `Sends: ${lowerFirst(when)}.` : ''}
          {step.unit === 'days' && !step.at && ' With no time, at the time of day the step before went.'}
        </p>
        <TextareaField
          id={`${id}-body`}
          ref={box}
          label="Message"
          rows={3}
          maxLength={1600}
          value={step.body}
          error={err('body') ?? mergeProblem ?? undefined}
          hint={BODY_HINT}
          footer={<SegmentCounter text={step.body} />}
          onChange={(e) => insert.onChange(e.target.value)}
        />
        <div className="-mt-1 flex flex-wrap gap-3">
          <MergeFieldMenu {...insert} />
          <TemplateMenu {...insert} />
        </div>
        {count > 1 && (
          <div className="flex flex-wrap gap-2 border-t border-slate-100 pt-3">
            {index > 0 && (
              <Button size="sm" variant="secondary" onClick={() => onMove(-1)} aria-label={`Move step ${n} up`}>
                Move up
              </Button>
            )}
            {index < count - 1 && (
              <Button size="sm" variant="secondary" onClick={() => onMove(1)} aria-label={`Move step ${n} down`}>
                Move down
              </Button>
            )}
            <Button size="sm" variant="dangerOutline" onClick={onRemove} aria-label={`Remove step ${n}`}>
              Remove
            </Button>
          </div>
        )}
      </fieldset>
    </li>
  );
}

const lowerFirst = (s: string) => s[0]!.toLowerCase() + s.slice(1);
