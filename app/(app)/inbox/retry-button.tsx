'use client';

import { useMutation } from '@tanstack/react-query';
import { ErrorLink } from '../../_components/error-notice';
import { errorCode, errorMessage } from '../../_components/errors';
import { Button } from '../../_components/ui';
import { useTRPC } from '../../trpc';
import { TOUCH } from './display';
import { useInboxRefresh } from './use-inbox-refresh';

/** "Send again" under a failed text whose failure was passing (a busy carrier); inside quiet hours it asks first. */
export function RetryButton({
  messageId,
  conversationId,
  body,
}: {
  messageId: string;
  conversationId: string;
  body: string;
}) {
  const trpc = useTRPC();
  const refresh = useInboxRefresh();
  const retry = useMutation(trpc.messages.retry.mutationOptions({ onSuccess: () => void refresh(conversationId) }));
  const askFirst = errorCode(retry.error) === 'CONFLICT' && !retry.variables?.duringQuietHours;
  return (
    <span className="flex flex-wrap items-center justify-end gap-2">
      {retry.error && (
        <span role="alert">
          {errorMessage(retry.error)} <ErrorLink error={retry.error} />
        </span>
      )}
      <Button
        size="sm"
        variant="secondary"
        className={TOUCH}
        disabled={retry.isPending}
        aria-label={`${askFirst ? 'Send anyway' : 'Send again'}: ${body.length > 40 ? `${body.slice(0, 40)}…` : body}`}
        onClick={() => retry.mutate({ id: messageId, duringQuietHours: askFirst || undefined })}
      >
        {retry.isPending ? 'Sending…' : askFirst ? 'Send anyway' : 'Send again'}
      </Button>
    </span>
  );
}
