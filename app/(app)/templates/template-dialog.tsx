'use client';

import { useMutation } from '@tanstack/react-query';
import { useRef } from 'react';
import { check } from '../../_components/check';
import { errorMessage, firstIssues } from '../../_components/errors';
import { FormDialog } from '../../_components/form-dialog';
import { TextField, TextareaField } from '../../_components/fields';
import { MergeFieldMenu } from '../../_components/merge-field-menu';
import { SegmentCounter } from '../../_components/segment-counter';
import { useForm } from '../../_components/use-form';
import { useMergeCheck } from '../../_components/use-merge-check';
import { saveHandlers } from '../../_components/save-handlers';
import { useTRPC } from '../../trpc';
import type { TemplateItem } from './types';

type Form = { name: string; body: string };

const FIELDS = ['name', 'body'] as const;

const BODY_HINT =
  'Merge fields are filled in for each person: {first_name|friend} gives their first name, or “friend” when we have ' +
  'none.';

/**
 * Add a template (no `template`) or edit one. The server's own schemas check it as it is sent, so an unknown merge
 * field is refused beside the message before anything is saved; a name already in use comes back from the server and
 * is shown beside the name.
 */
export function TemplateDialog({
  open,
  template,
  onClose,
  onSaved,
}: {
  open: boolean;
  template: TemplateItem | null;
  onClose: () => void;
  onSaved: (message: string) => void;
}) {
  const trpc = useTRPC();
  const textarea = useRef<HTMLTextAreaElement>(null);
  const {
    values: form,
    errors,
    setErrors,
    set,
    bind,
  } = useForm<Form>({ name: template?.name ?? '', body: template?.body ?? '' }, 'template-');
  const { showErrors, ...handlers } = saveHandlers({
    editing: !!template,
    idPrefix: 'template-',
    fields: FIELDS,
    conflictField: 'name',
    nameOf: (saved: { name: string }) => saved.name,
    setErrors,
    onSaved,
  });
  const create = useMutation(trpc.templates.create.mutationOptions(handlers));
  const update = useMutation(trpc.templates.update.mutationOptions(handlers));
  const pending = create.isPending || update.isPending;
  const failed = create.error ?? update.error;
  const mergeProblem = useMergeCheck()(form.body);

  const submit = async () => {
    const input = { name: form.name, body: form.body };
    const parsed = template
      ? await check('updateTemplateInput', { id: template.id, ...input })
      : await check('createTemplateInput', input);
    const problems = parsed.success ? {} : firstIssues(parsed.error.issues);
    if (mergeProblem) problems.body ??= mergeProblem;
    if (Object.keys(problems).length) return showErrors(problems);
    setErrors({});
    if (template) update.mutate({ id: template.id, ...input });
    else create.mutate(input);
  };

  return (
    <FormDialog
      open={open}
      title={template ? `Edit ${template.name}` : 'Add template'}
      submitLabel={template ? 'Save changes' : 'Add template'}
      pending={pending}
      error={failed && !Object.values(errors).some(Boolean) ? errorMessage(failed) : ''}
      onSubmit={submit}
      onClose={onClose}
    >
      <TextField
        {...bind('name')}
        label="Name"
        autoComplete="off"
        maxLength={80}
        hint="What the team picks it by, like “Welcome” or “Sunday reminder”."
      />
      <div className="space-y-2">
        <TextareaField
          {...bind('body')}
          error={errors.body ?? mergeProblem ?? undefined}
          ref={textarea}
          label="Message"
          rows={5}
          maxLength={1600}
          hint={BODY_HINT}
          footer={<SegmentCounter text={form.body} />}
        />
        <MergeFieldMenu
          textarea={textarea}
          value={form.body}
          disabled={pending}
          onChange={(next) => set('body', next)}
        />
      </div>
    </FormDialog>
  );
}
