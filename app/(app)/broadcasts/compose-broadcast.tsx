'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useId, useRef, useState } from 'react';
import { emptyMergeProblem, mergeFieldsUsed } from '@/server/messaging/merge-fields';
import { useCustomMergeKeys } from '../../_components/use-merge-check';
import { ConfirmDialog } from '../../_components/confirm-dialog';
import { AllowanceNotice } from '../../_components/allowance-notice';
import { MergeFieldMenu } from '../../_components/merge-field-menu';
import { TemplateMenu } from '../../_components/template-menu';
import { SegmentCounter } from '../../_components/segment-counter';
import { PicturePicker, type Picture } from '../../_components/picture-picker';
import { fieldErrors } from '../../_components/errors';
import { fromLocalInput, fullWhen, toLocalInput } from '../../_components/time';
import { check } from '../../_components/check';
import { CheckedForm } from '../../_components/checked-form';
import { TextField, TextareaField } from '../../_components/fields';
import { Alert, Button, Panel, StatusNotice } from '../../_components/ui';
import { useBrowserTimezone } from '../../_components/use-browser';
import { useDebounced } from '../../_components/use-debounced';
import { useTRPC } from '../../trpc';
import { draftIncomplete, filterOf } from '../segments/audience-draft';
import { useCan } from '../viewer-context';
import { AudiencePicker, choose, everyone, toAudience, type AudienceChoice } from './audience-picker';
import { AudiencePreview, MergePreview, QuietHoursNote, useAudiencePreview } from './audience-preview';
import { people, usd } from './labels';
import {
  noRepeat,
  RepeatFields,
  repeatOf,
  repeatProblems,
  useRepeatPreview,
  type RepeatDraft,
  type RepeatErrors,
} from './repeat-fields';
import { SaveSegmentDialog } from './save-segment-dialog';

const messageClass =
  'max-h-32 overflow-y-auto whitespace-pre-wrap break-words rounded-lg bg-slate-50 px-3 py-2 text-slate-800';

type When = 'now' | 'later';
const UNFINISHED = 'Finish or remove the unfinished conditions above.';
type Errors = Partial<Record<'body' | 'audience' | 'empty' | 'at', string>>;
/** The fields the repeat part of the form shows a refusal beside. */
const REPEAT_KEYS: string[] = ['weekdays', 'monthDay', 'time', 'startDate', 'endDate'] satisfies (keyof RepeatErrors)[];

/** A sensible default for "later": ten minutes from now, on the minute. */
function soon(): string {
  const d = new Date(Date.now() + 10 * 60_000);
  d.setSeconds(0, 0);
  return toLocalInput(d);
}

export function ComposeBroadcast({ onDone }: { onDone: (message: string) => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const id = useId();
  const [body, setBody] = useState('');
  const [picture, setPicture] = useState<Picture | null>(null);
  const [choice, setChoice] = useState<AudienceChoice>(everyone);
  const [when, setWhen] = useState<When>('now');
  const [at, setAt] = useState('');
  const [errors, setErrors] = useState<Errors>({});
  const [confirming, setConfirming] = useState(false);
  const [savingSegment, setSavingSegment] = useState(false);
  const [segmentNote, setSegmentNote] = useState('');
  // The church's today and timezone (the repeat's dates are its own), shared with the series list.
  const church = useQuery(trpc.broadcasts.series.queryOptions()).data;
  const [repeat, setRepeat] = useState<RepeatDraft>(() => noRepeat(''));
  const [repeatErrors, setRepeatErrors] = useState<RepeatErrors>({});
  const repeating = repeat.frequency !== 'none';
  const repeatPreview = useRepeatPreview(repeat);
  const firstDate = repeating ? repeatPreview.data?.next[0] : undefined;
  const canSaveSegment = useCan('segments.manage');
  // The fields' types tell a finished condition from an unfinished one (the builder asks for them too).
  const fields = useQuery(trpc.customFields.list.queryOptions(undefined, { enabled: choice.type === 'filter' }));
  const textarea = useRef<HTMLTextAreaElement>(null);
  const audience = toAudience(choice);
  // A built audience changes as it is typed: asked again once it settles (as JSON, so an equal one is no change).
  const audienceKey = JSON.stringify(audience);
  const settledKey = useDebounced(audienceKey, 300);
  const previewed = useDebounced(body, 300);
  const preview = useAudiencePreview(
    JSON.parse(settledKey) as typeof audience,
    previewed,
    // Quiet hours are counted at the time it goes out: a repeat's first date.
    repeating ? (firstDate?.at ?? null) : when === 'later' ? fromLocalInput(at) : null,
    !!picture,
  );
  // The merged texts (and the audience's words) describe what is on screen only once the preview has caught up.
  const current = previewed === body && settledKey === audienceKey && !preview.isPlaceholderData;
  const merged = current ? preview.data : undefined;
  const typeOf = (fieldId: string) => fields.data?.find((f) => f.id === fieldId)?.type;
  const unfinished = choice.type === 'filter' && draftIncomplete(choice.draft, typeOf);
  const timezone = useBrowserTimezone();
  // With merge fields, what counts is the longest recipient's text (the server merges it for the whole audience).
  const customKeys = useCustomMergeKeys();
  const personal = mergeFieldsUsed(body, customKeys ?? []).length > 0;
  const counted = (personal && merged?.longest?.text) || body;
  const insertProps = {
    textarea,
    value: body,
    onChange: (next: string) => {
      setBody(next);
      if (errors.body) setErrors({ ...errors, body: undefined });
    },
  };

  const create = useMutation(
    trpc.broadcasts.create.mutationOptions({
      onSuccess: (b, input) => {
        setConfirming(false);
        setBody('');
        setPicture(null);
        setErrors({});
        onDone(
          input.scheduledAt
            ? `Broadcast scheduled for ${fullWhen(b.scheduledAt)}.`
            : 'Broadcast on its way. Progress shows below.',
        );
        void queryClient.invalidateQueries({ queryKey: trpc.broadcasts.list.pathKey() });
        void queryClient.invalidateQueries({ queryKey: trpc.dashboard.summary.queryKey() });
      },
    }),
  );

  const createSeries = useMutation(
    trpc.broadcasts.createSeries.mutationOptions({
      onSuccess: (series) => {
        setConfirming(false);
        setBody('');
        setPicture(null);
        setErrors({});
        setRepeat(noRepeat(church?.today ?? ''));
        onDone(`Repeating broadcast saved: ${series.description}. The first goes out ${series.firstLabel}.`);
        void queryClient.invalidateQueries({ queryKey: trpc.broadcasts.list.pathKey() });
        void queryClient.invalidateQueries({ queryKey: trpc.broadcasts.series.pathKey() });
        void queryClient.invalidateQueries({ queryKey: trpc.dashboard.summary.queryKey() });
      },
      // A field the server refused (an end more than a year ahead) is shown beside it. Any other refusal (a branch
      // or segment deleted meanwhile, a sending number gone) has no field here: the dialog stays open to show it.
      onError: (err) => {
        const fields = fieldErrors(err);
        const keys = Object.keys(fields);
        if (keys.length === 0 || !keys.every((k) => k === 'body' || REPEAT_KEYS.includes(k))) return;
        setConfirming(false);
        setRepeatErrors(fields);
        if (fields.body) setErrors((e) => ({ ...e, body: fields.body }));
      },
    }),
  );
  const saving = create.isPending || createSeries.isPending;
  // What the server said of a field the repeat part cannot show (a segment deleted meanwhile): shown in the dialog,
  // in its own words rather than "check the highlighted fields".
  const seriesFieldError = Object.entries(fieldErrors(createSeries.error)).find(
    ([k, v]) => v && k !== 'body' && !REPEAT_KEYS.includes(k),
  )?.[1];

  const problems = async (): Promise<Errors> => {
    const e: Errors = {};
    // A picture may go without words.
    const parsed = await check(picture ? 'captionBody' : 'personalBody', body);
    if (!parsed.success) e.body = parsed.error.issues[0]?.message;
    else if (merged?.mergeProblem) e.body = merged.mergeProblem;
    else if (merged?.empty.count && body.trim()) e.body = emptyMergeProblem(merged.empty);
    if (!audience) e.audience = choose[choice.type as keyof typeof choose];
    else if (unfinished) e.audience = UNFINISHED;
    else if (preview.data?.recipients === 0)
      e.empty = 'Nobody in this audience can be texted yet: choose another, or add members.';
    if (when === 'later' && !repeating) {
      const date = fromLocalInput(at);
      if (!date) e.at = 'Choose a date and time';
      else if (date.getTime() <= Date.now()) e.at = 'Choose a time in the future, or send now';
    }
    return e;
  };

  /** Only finished conditions are saved: say which are not, rather than leave them out unseen. */
  const saveSegment = () => {
    if (unfinished) setErrors({ ...errors, audience: UNFINISHED });
    else setSavingSegment(true);
  };

  const submit = () => {
    if (!audience) return;
    const series = repeating ? repeatOf(repeat) : null;
    const mediaId = picture?.id;
    if (series) return createSeries.mutate({ body: body.trim(), mediaId, audience, ...series });
    const scheduledAt = when === 'later' ? fromLocalInput(at) : null;
    create.mutate({ body: body.trim(), mediaId, audience, scheduledAt });
  };

  const recipients = preview.data?.recipients;
  const scheduledFor = when === 'later' ? fromLocalInput(at) : null;
  const title = repeating
    ? recipients === undefined
      ? 'Save this repeating broadcast?'
      : `Repeat a text to ${people(recipients)}?`
    : recipients === undefined
      ? when === 'now'
        ? 'Send this broadcast now?'
        : 'Schedule this broadcast?'
      : when === 'now'
        ? `Text ${people(recipients)} now?`
        : `Schedule a text to ${people(recipients)}?`;

  return (
    <Panel id="compose" title="New broadcast">
      <CheckedForm
        className="space-y-5"
        onSubmit={async () => {
          const found = await problems();
          const repeatFound = repeating ? repeatProblems(repeat) : {};
          setErrors(found);
          setRepeatErrors(repeatFound);
          // A repeat the server refuses (its preview failed) is not sent again until it is changed.
          const refused = repeating && (!!repeatPreview.error || !repeatPreview.data);
          if (Object.keys(found).length === 0 && Object.keys(repeatFound).length === 0 && !refused) {
            create.reset();
            createSeries.reset();
            setConfirming(true);
          }
        }}
      >
        <TextareaField
          id={`${id}-body`}
          label="Message"
          rows={4}
          maxLength={1600}
          ref={textarea}
          value={body}
          // Merge fields the church does not have, named by the server as the text is typed.
          error={errors.body ?? merged?.mergeProblem ?? undefined}
          onChange={(e) => {
            setBody(e.target.value);
            if (errors.body) setErrors({ ...errors, body: undefined });
          }}
          hint="Members can reply STOP to unsubscribe; Steeple handles that for you."
          footer={<SegmentCounter text={counted} picture={!!picture} />}
        />
        <PicturePicker picture={picture} onChange={setPicture} />
        <div className="-mt-3 flex flex-wrap items-start gap-3">
          <MergeFieldMenu {...insertProps} />
          <TemplateMenu {...insertProps} />
          {personal && <MergePreview preview={merged} />}
        </div>
        <AllowanceNotice />
        <AudiencePicker
          value={choice}
          error={errors.audience}
          checked={!!errors.audience}
          onSaveSegment={canSaveSegment ? saveSegment : undefined}
          onChange={(c) => {
            setChoice(c);
            setSegmentNote('');
            if (errors.audience || errors.empty) setErrors({ ...errors, audience: undefined, empty: undefined });
          }}
        />
        <StatusNotice message={segmentNote} />
        <div className="space-y-1 rounded-xl bg-slate-50 px-4 py-3 ring-1 ring-slate-200" aria-live="polite">
          <AudiencePreview preview={preview.data} error={preview.error} waiting={!audience} />
          <QuietHoursNote preview={preview.data} />
          {errors.empty && <p className="text-sm font-medium text-red-700">{errors.empty}</p>}
        </div>
        <RepeatFields
          id={id}
          value={repeat}
          preview={repeatPreview}
          errors={repeatErrors}
          church={church}
          onChange={(next, changed) => {
            // The first date defaults to the church's today once a repeat is chosen.
            setRepeat(next.startDate || !church ? next : { ...next, startDate: church.today });
            if (repeatErrors[changed as keyof RepeatErrors]) setRepeatErrors({ ...repeatErrors, [changed]: undefined });
          }}
        />
        <fieldset className="space-y-3" hidden={repeating}>
          <legend className="text-sm font-medium text-slate-800">When</legend>
          <div className="flex flex-wrap gap-x-5 gap-y-2">
            {(['now', 'later'] as const).map((w) => (
              <label key={w} className="flex items-center gap-2 text-sm text-slate-800">
                <input
                  type="radio"
                  name={`${id}-when`}
                  value={w}
                  checked={when === w}
                  onChange={() => {
                    setWhen(w);
                    if (w === 'later' && !at) setAt(soon());
                  }}
                  className="size-4 border-slate-300"
                />
                {w === 'now' ? 'Send now' : 'Schedule for later'}
              </label>
            ))}
          </div>
          {when === 'later' && (
            <div className="max-w-xs">
              <TextField
                id={`${id}-at`}
                label="Send at"
                type="datetime-local"
                step={1}
                value={at}
                min={toLocalInput(new Date())}
                error={errors.at}
                hint={timezone ? `Your time (${timezone})` : undefined}
                onChange={(e) => {
                  setAt(e.target.value);
                  if (errors.at) setErrors({ ...errors, at: undefined });
                }}
              />
            </div>
          )}
        </fieldset>
        <div className="flex justify-end">
          <Button type="submit" disabled={saving}>
            {repeating ? 'Schedule repeats…' : when === 'now' ? 'Send now…' : 'Schedule…'}
          </Button>
        </div>
      </CheckedForm>
      <ConfirmDialog
        open={confirming}
        title={title}
        tone="primary"
        confirmLabel={repeating ? 'Schedule repeats' : when === 'now' ? 'Send now' : 'Schedule'}
        pending={saving}
        error={repeating ? (seriesFieldError ? null : createSeries.error) : create.error}
        onCancel={() => setConfirming(false)}
        onConfirm={submit}
      >
        <dl className="space-y-2">
          <div>
            <dt className="font-medium text-slate-800">Message</dt>
            <dd className={messageClass}>
              {picture && <span className="block text-slate-600">With a picture (MMS).</span>}
              {body.trim()}
            </dd>
          </div>
          {personal && merged?.example && (
            <div>
              <dt className="font-medium text-slate-800">{merged.example.name} gets</dt>
              <dd className={messageClass}>{merged.example.text}</dd>
            </div>
          )}
          <div>
            <dt className="inline font-medium text-slate-800">To: </dt>
            <dd className="inline" data-testid="confirm-audience">
              {current && preview.data ? preview.data.audienceSummary : 'Counting…'}
              {preview.data && preview.data.skipped > 0
                ? ` (${preview.data.skipped.toLocaleString()} not opted in, skipped)`
                : ''}
            </dd>
          </div>
          {repeating && repeatPreview.data ? (
            <>
              <div>
                <dt className="inline font-medium text-slate-800">Repeats: </dt>
                <dd className="inline" data-testid="confirm-repeat">
                  {repeatPreview.data.description} ({repeatPreview.data.count.toLocaleString()}{' '}
                  {repeatPreview.data.count === 1 ? 'date' : 'dates'})
                </dd>
              </div>
              <div>
                <dt className="inline font-medium text-slate-800">First: </dt>
                <dd className="inline">
                  {firstDate?.label}, church time ({repeatPreview.data.timezone})
                </dd>
              </div>
            </>
          ) : (
            <div>
              <dt className="inline font-medium text-slate-800">When: </dt>
              <dd className="inline">{scheduledFor ? fullWhen(scheduledFor) : 'Now'}</dd>
            </div>
          )}
          {preview.data && preview.data.recipients > 0 && (
            <div>
              <dt className="inline font-medium text-slate-800">
                {repeating ? 'Estimated cost each time: ' : 'Estimated cost: '}
              </dt>
              <dd className="inline">
                {preview.data.estimatedCost > 0 ? usd(preview.data.estimatedCost) : 'under $0.01'}
              </dd>
            </div>
          )}
        </dl>
        {repeating && seriesFieldError && (
          <div className="mt-3">
            <Alert>{seriesFieldError}</Alert>
          </div>
        )}
      </ConfirmDialog>
      <SaveSegmentDialog
        key={String(savingSegment)}
        open={savingSegment}
        filter={filterOf(choice.draft)}
        summary={current && choice.type === 'filter' ? preview.data?.audienceSummary : undefined}
        onClose={() => setSavingSegment(false)}
        onSaved={(segment) => {
          setSavingSegment(false);
          setChoice({ ...choice, type: 'segment', segmentId: segment.id });
          setSegmentNote(`Saved as “${segment.name}”, and chosen for this broadcast.`);
        }}
      />
    </Panel>
  );
}
