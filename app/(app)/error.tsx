'use client';

import Link from 'next/link';
import { Button, Panel } from '../_components/ui';

/** A server hiccup (busy, database unavailable) while rendering a signed-in page: say so plainly and offer a retry. */
export default function AppError({ retry }: { error: unknown; retry: () => void }) {
  return (
    <div className="mx-auto max-w-lg py-6" role="alert">
      <Panel
        title="We could not load this page"
        description="Steeple may be busy right now. Please try again in a moment."
      >
        <div className="flex flex-wrap items-center gap-4">
          <Button onClick={() => retry()}>Try again</Button>
          <Link
            href="/dashboard"
            className="py-2 text-sm font-medium text-brand-600 underline-offset-2 hover:underline"
          >
            Go to the dashboard
          </Link>
        </div>
      </Panel>
    </div>
  );
}
