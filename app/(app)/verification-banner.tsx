'use client';

import { useMutation } from '@tanstack/react-query';
import Link from 'next/link';
import { errorMessage } from '../_components/errors';
import type { Viewer } from '../_lib/viewer';
import { useTRPC } from '../trpc';

const actionClass =
  'ml-1 inline-flex min-h-11 items-center font-semibold underline underline-offset-2 hover:no-underline ' +
  'disabled:opacity-60 sm:min-h-0';

/**
 * Until the owner's email is verified the church texts only its team (server/messaging/team-only.ts): the owner is
 * asked to open the emailed link (or have it sent again); everyone else is told who can lift it.
 */
export function VerificationBanner({ viewer }: { viewer: Viewer }) {
  const trpc = useTRPC();
  const resend = useMutation(trpc.emailVerification.resend.mutationOptions());
  const { verification } = viewer;
  if (verification.verified) return null;
  const isOwner = viewer.role === 'owner';
  return (
    <div data-testid="verification-banner" className="bg-amber-50 text-amber-950 ring-1 ring-inset ring-amber-200">
      <div className="mx-auto max-w-7xl px-4 py-2.5 text-sm sm:px-6" aria-live="polite">
        {isOwner ? (
          <p>
            <strong className="font-semibold">Verify your email to text everyone.</strong> We sent a link to{' '}
            <span className="break-all">{viewer.email}</span>. Until you open it, texts go only to your team’s own
            phones (
            <Link href="/account#mobile" className="underline underline-offset-2 hover:no-underline">
              add yours in Account
            </Link>
            ).
            {resend.isSuccess ? (
              <span className="ml-1 font-semibold">
                {resend.data.alreadyVerified ? 'Already verified: reload the page.' : 'Sent — check your inbox.'}
              </span>
            ) : (
              <button type="button" className={actionClass} disabled={resend.isPending} onClick={() => resend.mutate()}>
                {resend.isPending ? 'Sending…' : 'Send the email again'}
              </button>
            )}
          </p>
        ) : (
          <p>
            <strong className="font-semibold">Texting is limited to your team for now.</strong> Until{' '}
            {verification.ownerName} (the owner) verifies their email, texts go only to your team’s own phones.
          </p>
        )}
        {resend.error && <p className="mt-1 font-semibold text-red-800">{errorMessage(resend.error)}</p>}
      </div>
    </div>
  );
}
