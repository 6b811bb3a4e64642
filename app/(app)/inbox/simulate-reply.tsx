'use client';

import { useMutation } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { check } from '../../_components/check';
import { CheckedForm } from '../../_components/checked-form';
import { errorMessage } from '../../_components/errors';
import { TextField } from '../../_components/fields';
import { Alert, Button } from '../../_components/ui';
import { useTRPC } from '../../trpc';

/**
 * Local mode only (no Telnyx account, nothing leaves the machine): type what the member would text back. It goes
 * through the real signed webhook, so keywords (STOP, START, HELP) behave exactly as they would from a phone.
 */
export function SimulateReply({
  conversationId,
  name,
  onDone,
}: {
  conversationId: string;
  name: string;
  onDone: () => void;
}) {
  const trpc = useTRPC();
  const id = useId();
  const [text, setText] = useState('');
  const [invalid, setInvalid] = useState('');
  const simulate = useMutation(
    trpc.messages.simulateReply.mutationOptions({
      onSuccess: () => {
        setText('');
        onDone();
      },
    }),
  );
  return (
    <section aria-labelledby={`${id}-title`} className="rounded-xl border border-dashed border-slate-300 p-3">
      <h3 id={`${id}-title`} className="text-sm font-semibold text-slate-800">
        Testing: simulate a reply
      </h3>
      <p className="mt-0.5 text-xs text-slate-600">
        Texting is in practice mode, so nothing reaches a phone. Type what {name} texts back; STOP, START and HELP work
        as from a phone.
      </p>
      <CheckedForm
        className="mt-2 flex flex-col gap-2 sm:flex-row sm:items-start"
        onSubmit={async () => {
          const parsed = await check('messageBody', text);
          if (!parsed.success) return setInvalid(parsed.error.issues[0]?.message ?? 'Write a message');
          setInvalid('');
          simulate.mutate({ conversationId, body: parsed.data });
        }}
      >
        <div className="flex-1">
          <TextField
            id={`${id}-text`}
            label={`Reply from ${name}`}
            value={text}
            error={invalid}
            maxLength={1600}
            autoComplete="off"
            onChange={(e) => {
              setText(e.target.value);
              if (invalid) setInvalid('');
            }}
          />
        </div>
        <div className="sm:pt-6">
          <Button type="submit" variant="secondary" disabled={simulate.isPending}>
            {simulate.isPending ? 'Delivering…' : 'Simulate reply'}
          </Button>
        </div>
      </CheckedForm>
      <div aria-live="polite" className="mt-2 empty:hidden">
        {simulate.error && <Alert>{errorMessage(simulate.error)}</Alert>}
      </div>
    </section>
  );
}
