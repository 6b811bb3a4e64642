'use client';

import { useMutation } from '@tanstack/react-query';
import { useRef } from 'react';
import { MERGE_FIELDS } from '@/server/messaging/merge-fields';
import { check } from '../../_components/check';
import { errorMessage, firstIssues } from '../../_components/errors';
import { FormDialog } from '../../_components/form-dialog';
import { TextField, TextareaField } from '../../_components/fields';
import { MergeFieldMenu } from '../../_components/merge-field-menu';
import { SegmentCounter } from '../../_components/segment-counter';
import { TemplateMenu } from '../../_components/template-menu';
import { useForm } from '../../_components/use-form';
import { saveHandlers } from '../../_components/save-handlers';
import { useCustomMergeKeys, useMergeCheck } from '../../_components/use-merge-check';
import { useTRPC } from '../../trpc';
import type { KeywordItem } from './types';

type Form = { keyword: string; reply: string; addTags: string };

const FIELDS = ['keyword', 'reply', 'addTags'] as const;

/** The merge fields it may use, the church's own (Settings → Member fields) among them. */
const replyHint = (custom: readonly string[]) =>
  `Merge fields: ${[...MERGE_FIELDS, ...custom].map((f) => `{${f}}`).join(', ')}, with a fallback like ` +
  '{first_name|friend}. The first reply after someone joins also gets your church’s name and “Msg frequency ' +
  'varies. Msg & data rates may apply. Reply HELP for help, STOP to opt out.” when missing, as carriers require.';

const tagsOf = (text: string) =>
  text
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean);

/**
 * Add a keyword (no `keyword`) or edit one. The server's own schemas check it as it is sent, so a reserved word
 * (STOP) or an unknown merge field is refused beside its field before anything is saved; a word already in use comes
 * back from the server and is shown there too.
 */
export function KeywordDialog({
  open,
  keyword,
  onClose,
  onSaved,
}: {
  open: boolean;
  keyword: KeywordItem | null;
  onClose: () => void;
  onSaved: (message: string) => void;
}) {
  const trpc = useTRPC();
  const replyBox = useRef<HTMLTextAreaElement>(null);
  const {
    values: form,
    errors,
    setErrors,
    set,
    bind,
  } = useForm<Form>(
    { keyword: keyword?.word ?? '', reply: keyword?.reply ?? '', addTags: keyword?.addTags.join(', ') ?? '' },
    'keyword-',
  );
  const insertReply = { textarea: replyBox, value: form.reply, onChange: (next: string) => set('reply', next) };
  const { showErrors, ...handlers } = saveHandlers({
    editing: !!keyword,
    idPrefix: 'keyword-',
    fields: FIELDS,
    conflictField: 'keyword',
    nameOf: (saved: { word: string }) => saved.word,
    setErrors,
    onSaved,
  });
  const create = useMutation(trpc.keywords.create.mutationOptions(handlers));
  const update = useMutation(trpc.keywords.update.mutationOptions(handlers));
  const pending = create.isPending || update.isPending;
  const failed = create.error ?? update.error;
  const customKeys = useCustomMergeKeys();
  const mergeProblem = useMergeCheck()(form.reply);

  const submit = async () => {
    const input = { keyword: form.keyword, reply: form.reply, addTags: tagsOf(form.addTags) };
    const parsed = keyword
      ? await check('updateKeywordInput', { id: keyword.id, ...input })
      : await check('createKeywordInput', input);
    const problems = parsed.success ? {} : firstIssues(parsed.error.issues);
    if (mergeProblem) problems.reply ??= mergeProblem;
    if (Object.keys(problems).length) return showErrors(problems);
    setErrors({});
    if (keyword) update.mutate({ id: keyword.id, ...input });
    else create.mutate(input);
  };

  return (
    <FormDialog
      open={open}
      title={keyword ? `Edit ${keyword.word}` : 'Add keyword'}
      submitLabel={keyword ? 'Save changes' : 'Add keyword'}
      pending={pending}
      error={failed && !Object.values(errors).some(Boolean) ? errorMessage(failed) : ''}
      onSubmit={submit}
      onClose={onClose}
    >
      <TextField
        {...bind('keyword')}
        label="Keyword"
        autoComplete="off"
        autoCapitalize="characters"
        spellCheck={false}
        maxLength={40}
        hint="One word of 2 to 20 letters or numbers, like JOIN. STOP, START, HELP and similar words are reserved."
      />
      <TextareaField
        {...bind('reply')}
        error={errors.reply ?? mergeProblem ?? undefined}
        ref={replyBox}
        label="Reply"
        rows={4}
        maxLength={640}
        hint={replyHint(customKeys ?? [])}
        footer={<SegmentCounter text={form.reply} />}
      />
      <div className="-mt-2 flex flex-wrap gap-3">
        <MergeFieldMenu {...insertReply} />
        <TemplateMenu {...insertReply} />
      </div>
      <TextField
        {...bind('addTags')}
        label="Tags to add (optional)"
        autoComplete="off"
        hint="Given to everyone who texts the keyword. Separate tags with commas, like: newcomer, youth"
      />
    </FormDialog>
  );
}
