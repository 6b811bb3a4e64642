'use client';

import { AuthFrame, Button, Card } from './_components/ui';

/** Last-resort boundary for any page: plain words and a retry, never internals. */
export default function RootError({ retry }: { error: unknown; retry: () => void }) {
  return (
    <AuthFrame>
      <Card title="Something went wrong" subtitle="Steeple may be busy right now. Please try again in a moment.">
        <Button block onClick={() => retry()}>
          Try again
        </Button>
      </Card>
    </AuthFrame>
  );
}
