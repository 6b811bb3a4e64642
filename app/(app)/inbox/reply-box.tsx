'use client';

import { useMutation } from '@tanstack/react-query';
import { useId, useRef, useState } from 'react';
import { unsubscribedNotice } from '@/server/members/consent-words';
import type { SubscriptionState } from '@/db/tenant/enums';
import { check } from '../../_components/check';
import { CheckedForm } from '../../_components/checked-form';
import { ConfirmDialog } from '../../_components/confirm-dialog';
import { ErrorNotice } from '../../_components/error-notice';
import { errorCode, errorMessage } from '../../_components/errors';
import { SegmentCounter } from '../../_components/segment-counter';
import { PicturePicker, type Picture } from '../../_components/picture-picker';
import { AllowanceNotice } from '../../_components/allowance-notice';
import { TextareaField } from '../../_components/fields';
import { Button } from '../../_components/ui';
import { mergeFields, mergeValuesOf } from '@/server/messaging/merge-fields';
import { MergeFieldMenu } from '../../_components/merge-field-menu';
import { TemplateMenu } from '../../_components/template-menu';
import { useCustomMergeValues, useMergeCheck } from '../../_components/use-merge-check';
import { useTRPC } from '../../trpc';
import { useViewer } from '../viewer-context';
import { useBrowserValue } from '../../_components/use-browser';
import { TOUCH } from './display';

/** Apple keyboards send with ⌘+Enter (the handler takes either key). */
const isMac = () => /Mac|iPhone|iPad/.test(navigator.platform || navigator.userAgent);

type Member = {
  id: string;
  firstName: string;
  lastName: string;
  branchName: string | null;
  subscription: SubscriptionState;
  subscriptionSource: Parameters<typeof unsubscribedNotice>[0]['subscriptionSource'];
};

/**
 * Writing to one member. Unsubscribed members cannot be texted (the server refuses too), so the box is disabled
 * and says why and how it changes; someone not opted in may be answered, and the box says they get no broadcasts.
 * A trial's daily allowance is shown when it runs low. Ctrl+Enter (⌘+Enter) sends; Enter is a new line. Merge fields
 * ({first_name|friend}) are filled in for this member, and the box shows what they will get and its segments.
 */
export function ReplyBox({ member, onSent }: { member: Member; onSent: (conversationId: string) => void }) {
  const trpc = useTRPC();
  const id = useId();
  const [body, setBody] = useState('');
  const [picture, setPicture] = useState<Picture | null>(null);
  const [invalid, setInvalid] = useState('');
  const textarea = useRef<HTMLTextAreaElement>(null);
  const onMac = useBrowserValue(isMac, false);
  const custom = useCustomMergeValues(member.id, body);
  const merged = mergeFields(body, { ...custom, ...mergeValuesOf({ ...member, churchName: useViewer().churchName }) });
  const mergeProblem = useMergeCheck()(body);
  const send = useMutation(
    trpc.messages.send.mutationOptions({
      onSuccess: (message) => {
        setBody('');
        setPicture(null);
        onSent(message.conversationId);
      },
    }),
  );
  // Inside the member's quiet hours the server asks first (CONFLICT, with the question): the writer confirms or not.
  const askFirst = errorCode(send.error) === 'CONFLICT' && !send.variables?.duringQuietHours;
  const unsubscribed = member.subscription === 'unsubscribed';
  const insertProps = {
    textarea,
    value: body,
    disabled: unsubscribed,
    onChange: (next: string) => {
      setBody(next);
      if (invalid) setInvalid('');
    },
  };

  const submit = async () => {
    // A picture may go without words.
    const parsed = await check(picture ? 'captionBody' : 'personalBody', body);
    if (!parsed.success || mergeProblem) {
      setInvalid(parsed.success ? mergeProblem! : (parsed.error.issues[0]?.message ?? 'Write a message'));
      return;
    }
    setInvalid('');
    send.mutate({ memberId: member.id, body: parsed.data, mediaId: picture?.id });
  };

  return (
    <CheckedForm
      aria-label={`Reply to ${member.firstName}`}
      className="space-y-2"
      onSubmit={() => {
        void submit();
      }}
    >
      {unsubscribed && (
        <p
          className="rounded-lg bg-amber-50 px-3 py-2 text-sm text-amber-900 ring-1 ring-amber-200"
          data-testid="unsubscribed-notice"
        >
          {unsubscribedNotice(member)} If they text START, they are subscribed again.
        </p>
      )}
      {member.subscription === 'not_opted_in' && (
        <p
          className="rounded-lg bg-slate-50 px-3 py-2 text-sm text-slate-700 ring-1 ring-slate-200"
          data-testid="not-opted-in-notice"
        >
          {member.firstName} has not opted in: you can answer them here, but they get no broadcasts until they text
          START.
        </p>
      )}
      <AllowanceNotice />
      <TextareaField
        id={`${id}-body`}
        label={`Message to ${member.firstName}`}
        rows={3}
        maxLength={1600}
        ref={textarea}
        value={body}
        disabled={unsubscribed}
        error={invalid || mergeProblem || undefined}
        onChange={(e) => {
          setBody(e.target.value);
          if (invalid) setInvalid('');
        }}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
            e.preventDefault();
            if (!send.isPending) submit();
          }
        }}
        footer={<SegmentCounter text={merged} picture={!!picture} />}
      />
      <PicturePicker picture={picture} onChange={setPicture} disabled={unsubscribed} />
      {merged !== body && (
        <p className="whitespace-pre-wrap break-words text-sm text-slate-600" data-testid="merge-preview">
          <span className="font-medium text-slate-800">{member.firstName} gets:</span> {merged}
        </p>
      )}
      <div className="flex flex-wrap items-center justify-between gap-2">
        <div className="flex flex-wrap items-center gap-3">
          <MergeFieldMenu {...insertProps} />
          <TemplateMenu {...insertProps} />
          {/* Only where there is a keyboard to press it on: wide screens with a mouse, not phones or tablets. */}
          <p className="hidden text-xs text-slate-600 md:pointer-fine:block">
            {onMac ? '⌘+Enter' : 'Ctrl+Enter'} to send
          </p>
        </div>
        <Button type="submit" className={TOUCH} disabled={unsubscribed || send.isPending}>
          {send.isPending ? 'Sending…' : 'Send'}
        </Button>
      </div>
      <div aria-live="polite" className="empty:hidden">
        {send.error && !askFirst && <ErrorNotice error={send.error} />}
      </div>
      <ConfirmDialog
        open={askFirst}
        title="Send during quiet hours?"
        tone="primary"
        confirmLabel="Send anyway"
        cancelLabel="Not now"
        pending={send.isPending}
        onCancel={() => send.reset()}
        onConfirm={() => send.variables && send.mutate({ ...send.variables, duringQuietHours: true })}
      >
        <p>{errorMessage(send.error)}</p>
      </ConfirmDialog>
    </CheckedForm>
  );
}
