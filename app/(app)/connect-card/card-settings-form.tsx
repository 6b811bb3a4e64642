'use client';

import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useRef, useState } from 'react';
import { check } from '../../_components/check';
import { CheckedForm } from '../../_components/checked-form';
import { fieldErrors, firstIssues } from '../../_components/errors';
import { TextField, TextareaField } from '../../_components/fields';
import { MergeFieldMenu } from '../../_components/merge-field-menu';
import { SegmentCounter } from '../../_components/segment-counter';
import { TemplateMenu } from '../../_components/template-menu';
import { Panel } from '../../_components/ui';
import { useForm } from '../../_components/use-form';
import { SaveBar } from '../../_components/save-bar';
import { useMergeCheck } from '../../_components/use-merge-check';
import { useTRPC } from '../../trpc';
import type { CardSettings } from './types';

type Form = { welcomeText: string; tags: string; firstVisitTag: string; privacyUrl: string };

const FIELDS = ['welcomeText', 'tags', 'firstVisitTag', 'privacyUrl'] as const;

const toForm = (s: CardSettings): Form => ({
  welcomeText: s.welcomeText ?? '',
  tags: s.tags.join(', '),
  firstVisitTag: s.firstVisitTag ?? '',
  privacyUrl: s.privacyUrl ?? '',
});

const tagsOf = (text: string) =>
  text
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean);

const WELCOME_HINT =
  'Texted once to each person who sends the card in and agrees to texts; leave it blank to send nothing. Merge ' +
  'fields work, like {first_name|friend}. It is the first text after they opt in, so Steeple adds your church’s ' +
  'name and “Msg frequency varies. Msg & data rates may apply. Reply HELP for help, STOP to opt out.” when missing.';

/**
 * The card's settings. Checked with the server's own schema before sending, so a bad address or an unknown merge
 * field is refused beside its field; the server's refusals land there too. Staff see the settings, unchangeable.
 */
export function CardSettingsForm({ settings, canManage }: { settings: CardSettings; canManage: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const welcomeBox = useRef<HTMLTextAreaElement>(null);
  const [saved, setSaved] = useState(false);
  const [enabled, setEnabled] = useState(settings.enabled);
  const [prayerField, setPrayerField] = useState(settings.prayerField);
  const {
    values: form,
    setValues,
    errors,
    setErrors,
    set,
    bind,
  } = useForm<Form>(
    () => toForm(settings),
    'card-',
    () => setSaved(false),
  );
  const insertWelcome = {
    textarea: welcomeBox,
    value: form.welcomeText,
    onChange: (next: string) => set('welcomeText', next),
  };

  const showErrors = (fields: Record<string, string | undefined>) => {
    setErrors(fields);
    const first = FIELDS.find((f) => fields[f]);
    if (first) document.getElementById(`card-${first}`)?.focus();
  };
  const update = useMutation(
    trpc.connectCard.update.mutationOptions({
      onError: (err) => showErrors(fieldErrors(err)),
      onSuccess: (row) => {
        setValues(toForm(row)); // as the server keeps them (tags tidied, blanks as none)
        setEnabled(row.enabled);
        setPrayerField(row.prayerField);
        setSaved(true);
        queryClient.setQueryData(trpc.connectCard.get.queryKey(), (old) => old && { ...old, settings: row });
      },
    }),
  );
  const mergeProblem = useMergeCheck()(form.welcomeText);
  const fieldError = Object.values(errors).some(Boolean) || !!mergeProblem;

  const submit = async () => {
    setSaved(false);
    const input = {
      enabled,
      prayerField,
      welcomeText: form.welcomeText.trim(),
      tags: tagsOf(form.tags),
      firstVisitTag: form.firstVisitTag.trim(),
      privacyUrl: form.privacyUrl.trim(),
    };
    const parsed = await check('connectCardSettings', input);
    const problems = parsed.success ? {} : firstIssues(parsed.error.issues);
    if (mergeProblem) problems.welcomeText ??= mergeProblem;
    if (Object.keys(problems).length) return showErrors(problems);
    setErrors({});
    update.mutate(input);
  };

  const toggle = (setter: (on: boolean) => void) => (on: boolean) => {
    setter(on);
    setSaved(false);
  };

  return (
    <Panel
      id="card-settings"
      title="Settings"
      description={
        canManage
          ? 'What the card asks, what it does for each person who sends it in, and the welcome text they get.'
          : 'Only admins and the owner can change the connect card’s settings.'
      }
    >
      <CheckedForm onSubmit={submit} className="space-y-5">
        <fieldset disabled={!canManage} className="space-y-5">
          <legend className="sr-only">Connect card settings</legend>
          <Checkbox
            id="card-enabled"
            label="Card is on"
            hint="When it is off, people who open the card see “This page is not available”."
            checked={enabled}
            onChange={toggle(setEnabled)}
          />
          <div className="space-y-2">
            <TextareaField
              {...bind('welcomeText')}
              error={errors.welcomeText ?? mergeProblem ?? undefined}
              ref={welcomeBox}
              label="Welcome text"
              rows={4}
              maxLength={640}
              hint={WELCOME_HINT}
              footer={<SegmentCounter text={form.welcomeText} />}
            />
            {canManage && (
              <div className="flex flex-wrap gap-3">
                <MergeFieldMenu {...insertWelcome} />
                <TemplateMenu {...insertWelcome} />
              </div>
            )}
          </div>
          <div className="grid gap-5 sm:grid-cols-2">
            <TextField
              {...bind('tags')}
              label="Tags for everyone"
              autoComplete="off"
              hint="Given to everyone who sends the card in. Separate tags with commas, like: guest, newcomer"
            />
            <TextField
              {...bind('firstVisitTag')}
              label="Extra tag for first-time guests"
              autoComplete="off"
              maxLength={40}
              hint="Also given to someone who says it is their first visit. Leave it blank for none."
            />
          </div>
          <Checkbox
            id="card-prayerField"
            label="Ask “How can we pray for you?”"
            hint="An optional box on the card; what people write goes into their notes."
            checked={prayerField}
            onChange={toggle(setPrayerField)}
          />
          <TextField
            {...bind('privacyUrl')}
            label="Privacy note link (optional)"
            type="url"
            inputMode="url"
            autoComplete="off"
            spellCheck={false}
            placeholder="https://"
            hint="Your church’s own privacy note, linked from the card. Leave it blank to link to Steeple’s."
          />
        </fieldset>
        {canManage && (
          <SaveBar
            saved={saved}
            error={update.error}
            fieldError={fieldError}
            pending={update.isPending}
            label="Save settings"
          />
        )}
      </CheckedForm>
    </Panel>
  );
}

function Checkbox({
  id,
  label,
  hint,
  checked,
  onChange,
}: {
  id: string;
  label: string;
  hint: string;
  checked: boolean;
  onChange: (on: boolean) => void;
}) {
  return (
    <div className="flex items-start gap-3">
      <input
        id={id}
        type="checkbox"
        className="mt-0.5 size-4 shrink-0 disabled:cursor-not-allowed"
        checked={checked}
        aria-describedby={`${id}-hint`}
        onChange={(e) => onChange(e.target.checked)}
      />
      <div className="min-w-0">
        <label htmlFor={id} className="block text-sm font-medium text-slate-800">
          {label}
        </label>
        <p id={`${id}-hint`} className="text-xs text-slate-500">
          {hint}
        </p>
      </div>
    </div>
  );
}
