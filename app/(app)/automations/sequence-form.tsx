'use client';

import { useMutation, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { CheckedForm } from '../../_components/checked-form';
import { errorCode, errorMessage, fieldErrors } from '../../_components/errors';
import { TextField } from '../../_components/fields';
import { useMergeCheck } from '../../_components/use-merge-check';
import { Alert, Button, Panel } from '../../_components/ui';
import { useTRPC } from '../../trpc';
import { checkSequence, preloadSequenceSchema } from './check-sequence';
import { secondaryLink, type SequenceDetail } from './labels';
import {
  controlIds,
  draftOf,
  inputOf,
  issuesByPath,
  newStep,
  rawProblems,
  type Draft,
  type Errors,
  type StepDraft,
} from './sequence-draft';
import { MAX_STEPS } from '@/server/sequences/rules';
import { StepFields } from './step-fields';
import { TriggerFields } from './trigger-fields';

const STEPS_NOTE =
  'Each text waits after the one before; the first waits after they join. Wait 0 hours to send it right away.';

/**
 * Build a sequence (no `sequence`) or edit one: its name and trigger, its steps in order, and what ends it. The
 * server's own schema checks it as it is sent, so each problem is shown beside its control before anything is saved;
 * what only the server knows (a name in use, a keyword deleted meanwhile) comes back beside its control too.
 */
export function SequenceForm({ sequence }: { sequence: SequenceDetail | null }) {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const [draft, setDraft] = useState<Draft>(() => draftOf(sequence));
  const [errors, setErrors] = useState<Errors>({});
  const mergeCheck = useMergeCheck();

  const showErrors = (found: Errors) => {
    setErrors(found);
    const first = controlIds(draft).find(([key]) => found[key]);
    if (first) document.getElementById(first[1])?.focus();
  };
  const handlers = {
    onSuccess: ({ id }: { id: string }) => {
      void queryClient.invalidateQueries({ queryKey: trpc.sequences.pathKey() });
      router.push(`/automations/${id}`);
    },
    onError: (err: unknown) =>
      showErrors(errorCode(err) === 'CONFLICT' ? { name: errorMessage(err) } : fieldErrors(err)),
  };
  const create = useMutation(trpc.sequences.create.mutationOptions(handlers));
  const update = useMutation(trpc.sequences.update.mutationOptions(handlers));
  const pending = create.isPending || update.isPending || create.isSuccess || update.isSuccess;
  const failed = create.error ?? update.error;

  /** Changes a field and clears the errors it answers. */
  const set = <K extends keyof Draft>(key: K, value: Draft[K], errorKeys: string[] = [key]) => {
    setDraft((d) => ({ ...d, [key]: value }));
    clear(errorKeys);
  };
  const clear = (keys: string[]) => setErrors((e) => (keys.some((k) => e[k]) ? omit(e, keys) : e));
  const setSteps = (steps: StepDraft[]) => {
    setDraft((d) => ({ ...d, steps }));
    // Errors are by position: once steps move, the old ones no longer point at the right step.
    setErrors((e) => Object.fromEntries(Object.entries(e).filter(([k]) => !k.startsWith('steps'))));
  };
  const move = (i: number, by: -1 | 1) => {
    const steps = [...draft.steps];
    [steps[i], steps[i + by]] = [steps[i + by]!, steps[i]!];
    setSteps(steps);
    requestAnimationFrame(() => document.getElementById(`sequence-step-${i + by}-body`)?.focus());
  };

  const submit = async () => {
    const input = inputOf(draft);
    const parsed = await checkSequence(input);
    const found: Errors = { ...(parsed.success ? {} : issuesByPath(parsed.error.issues)), ...rawProblems(draft) };
    draft.steps.forEach((s, i) => {
      const problem = mergeCheck(s.body);
      if (problem) found[`steps.${i}.body`] ??= problem;
    });
    if (Object.values(found).some(Boolean)) return showErrors(found);
    setErrors({});
    if (sequence) update.mutate({ id: sequence.id, ...input });
    else create.mutate(input);
  };

  const fieldError = Object.values(errors).some(Boolean);
  return (
    <CheckedForm className="space-y-6" onSubmit={submit} onFocus={preloadSequenceSchema} aria-label="Sequence">
      <Panel id="trigger" title="Name and trigger">
        <div className="max-w-xl space-y-4">
          <TextField
            id="sequence-name"
            label="Name"
            autoComplete="off"
            maxLength={80}
            value={draft.name}
            error={errors.name}
            hint="What your team knows it by, like “Welcome new guests”."
            onChange={(e) => set('name', e.target.value)}
          />
          <TriggerFields draft={draft} errors={errors} set={set} />
        </div>
      </Panel>

      <Panel id="steps" title="Steps" description={STEPS_NOTE}>
        <ol className="space-y-4" aria-label="Steps">
          {draft.steps.map((s, i) => (
            <StepFields
              key={s.key}
              step={s}
              index={i}
              count={draft.steps.length}
              errors={errors}
              mergeProblem={mergeCheck(s.body)}
              onChange={(patch, keys) => {
                setDraft((d) => ({ ...d, steps: d.steps.map((x) => (x.key === s.key ? { ...x, ...patch } : x)) }));
                clear(keys);
              }}
              onMove={(by) => move(i, by)}
              onRemove={() => setSteps(draft.steps.filter((x) => x.key !== s.key))}
            />
          ))}
        </ol>
        <div className="mt-4 space-y-1">
          <Button
            id="sequence-add-step"
            variant="secondary"
            size="sm"
            disabled={draft.steps.length >= MAX_STEPS}
            aria-describedby={errors.steps ? 'sequence-steps-error' : undefined}
            onClick={() => {
              setSteps([...draft.steps, newStep({ wait: '1', unit: 'days' })]);
              requestAnimationFrame(() => document.getElementById(`sequence-step-${draft.steps.length}-wait`)?.focus());
            }}
          >
            Add a step
          </Button>
          {draft.steps.length >= MAX_STEPS && (
            <p className="text-xs text-slate-500">A sequence has at most {MAX_STEPS} steps.</p>
          )}
          {errors.steps && (
            <p id="sequence-steps-error" className="text-xs font-medium text-red-700">
              {errors.steps}
            </p>
          )}
        </div>
      </Panel>

      <Panel id="options" title="Options">
        <div className="space-y-4">
          <Checkbox
            checked={draft.stopOnReply}
            onChange={(v) => set('stopOnReply', v)}
            label="Stop when they reply"
            hint="Someone who texts back leaves the sequence: a person on your team is talking to them now."
          />
          <Checkbox
            checked={draft.reenroll}
            onChange={(v) => set('reenroll', v)}
            label="They may go through it again"
            hint="Once finished (or stopped), the trigger can start it for them again. Otherwise it is once each."
          />
        </div>
      </Panel>

      {sequence && (
        <p className="text-sm text-slate-600">
          People part-way through go on from the step they are at, with the new waits and words.
        </p>
      )}
      {failed && !fieldError && <Alert>{errorMessage(failed)}</Alert>}
      {fieldError && (
        <p role="alert" className="text-sm font-medium text-red-700">
          Please fix the highlighted fields.
        </p>
      )}
      <div className="flex flex-col-reverse gap-2 sm:flex-row sm:justify-end">
        <Link href={sequence ? `/automations/${sequence.id}` : '/automations'} className={secondaryLink()}>
          Cancel
        </Link>
        <Button type="submit" disabled={pending}>
          {pending ? 'Saving…' : sequence ? 'Save changes' : 'Create sequence'}
        </Button>
      </div>
    </CheckedForm>
  );
}

const omit = (e: Errors, keys: string[]) => Object.fromEntries(Object.entries(e).filter(([k]) => !keys.includes(k)));

function Checkbox({
  checked,
  onChange,
  label,
  hint,
}: {
  checked: boolean;
  onChange: (checked: boolean) => void;
  label: string;
  hint: string;
}) {
  return (
    <label className="flex items-start gap-3 text-sm text-slate-800">
      <input
        type="checkbox"
        checked={checked}
        onChange={(e) => onChange(e.target.checked)}
        className="mt-0.5 size-5 shrink-0 rounded border-slate-300"
      />
      <span>
        {label}
        <span className="block text-xs text-slate-500">{hint}</span>
      </span>
    </label>
  );
}
