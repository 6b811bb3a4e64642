'use client';

import { Button, Panel } from '../_components/ui';

/** A server hiccup (busy, database unavailable) while rendering a signed-in page: say so plainly and offer a retry. */
export default function AppError({ retry }: { error: unknown; retry: () => void }) {
  return (
    <div className="mx-auto max-w-lg py-6" role="alert">
      <Panel
        title="We could not load this page"
        description="Steeple may be busy right now. Please try again in a moment."
      >
        <Button onClick={() => retry()}>Try again</Button>
      </Panel>
    </div>
  );
}
