'use client';

import { useMutation } from '@tanstack/react-query';
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { CheckedForm } from '../../_components/checked-form';
import { errorMessage, fieldErrors } from '../../_components/errors';
import { TextField } from '../../_components/fields';
import { Alert, Button, Notice, Panel } from '../../_components/ui';
import { useTRPC } from '../../trpc';
import { useViewer } from '../viewer-context';

/**
 * Their own mobile: a member with this number is on the team, so it can be texted (a test broadcast, a reply to
 * yourself) before the owner's email is verified. Optional; empty removes it.
 */
export function MobileNumber() {
  const trpc = useTRPC();
  const router = useRouter();
  const viewer = useViewer();
  const [phone, setPhone] = useState(viewer.phone?.display ?? '');
  const [saved, setSaved] = useState('');
  const save = useMutation(trpc.account.setMobile.mutationOptions());
  const fieldError = save.error ? fieldErrors(save.error).phone : undefined;
  return (
    <Panel
      id="mobile"
      title="Your mobile number"
      description={
        'Optional. Texts to it count as texts to your team, which is all a church can text before its owner ' +
        'verifies their email.'
      }
    >
      <CheckedForm
        className="space-y-4"
        onSubmit={() => {
          setSaved('');
          save.mutate(
            { phone },
            {
              onSuccess: (mobile) => {
                setPhone(mobile?.display ?? '');
                setSaved(mobile ? `Saved: ${mobile.display}.` : 'Removed.');
                router.refresh(); // the layout's viewer carries the number
              },
            },
          );
        }}
      >
        <TextField
          id="mobile-number"
          label="Mobile number"
          type="tel"
          autoComplete="tel"
          inputMode="tel"
          value={phone}
          onChange={(e) => setPhone(e.target.value)}
          error={fieldError}
        />
        <div aria-live="polite" className="empty:hidden">
          {save.error && !fieldError && <Alert>{errorMessage(save.error)}</Alert>}
          {saved && <Notice>{saved}</Notice>}
        </div>
        <Button type="submit" disabled={save.isPending}>
          {save.isPending ? 'Saving…' : 'Save number'}
        </Button>
      </CheckedForm>
    </Panel>
  );
}
