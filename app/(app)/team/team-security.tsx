'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { errorLink, errorMessage } from '../../_components/errors';
import { Alert, Notice, Panel } from '../../_components/ui';
import { useTRPC } from '../../trpc';

/** The owner's rule for the whole team: everyone signs in with two-factor, or may choose to. */
export function TeamSecurity() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const status = useQuery(trpc.twoFactor.status.queryOptions());
  const require = useMutation(
    trpc.twoFactor.requireForTeam.mutationOptions({
      onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.twoFactor.status.queryKey() }),
    }),
  );
  const required = status.data?.requiredByTeam ?? false;
  const link = errorLink(require.error);
  return (
    <Panel
      id="team-security"
      title="Sign-in security"
      description={
        'Two-factor sign-in asks for a code from a phone app at every sign-in, so a stolen password is not enough.'
      }
    >
      <label className="flex min-h-11 items-start gap-3 text-sm text-slate-800">
        <input
          type="checkbox"
          className="mt-0.5 size-5 shrink-0"
          checked={required}
          disabled={!status.data || require.isPending}
          onChange={(e) => require.mutate({ required: e.target.checked })}
        />
        <span>
          <span className="font-medium">Require two-factor sign-in for everyone on the team</span>
          <span className="block text-slate-600">
            Teammates without it are asked to set it up before they can do anything else.
          </span>
        </span>
      </label>
      <div aria-live="polite" className="mt-3 empty:hidden">
        {require.error && (
          <Alert>
            {errorMessage(require.error)}{' '}
            {link && (
              <Link href={link} className="font-medium underline">
                Go to your account
              </Link>
            )}
          </Alert>
        )}
        {require.data && (
          <Notice>
            {require.data.required
              ? require.data.withoutTwoFactor === 0
                ? 'Two-factor sign-in is now required. Everyone already uses it.'
                : `Two-factor sign-in is now required. ${require.data.withoutTwoFactor} of your team will be ` +
                  'asked to set it up.'
              : 'Two-factor sign-in is no longer required.'}
          </Notice>
        )}
      </div>
    </Panel>
  );
}
