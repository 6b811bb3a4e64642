'use client';

import { useEffect } from 'react';
import { AuthFrame, Button, Card } from '../_components/ui';
import { signOutToLogin } from '../_components/sign-out';

/** Shown instead of the workspace while an operator has it suspended, moving or upgrading; checks again every 30 s. */
export function Maintenance({ message }: { message: string }) {
  useEffect(() => {
    const timer = setInterval(() => window.location.reload(), 30_000);
    return () => clearInterval(timer);
  }, []);
  return (
    <AuthFrame>
      <Card title="Back soon" subtitle={message}>
        <p className="mb-6 text-sm text-slate-600">
          Texts sent to your church are still received and will be waiting for you. This page checks again every 30
          seconds.
        </p>
        <div className="flex gap-3">
          <Button onClick={() => window.location.reload()}>Check now</Button>
          <Button variant="secondary" onClick={() => void signOutToLogin()}>
            Sign out
          </Button>
        </div>
      </Card>
    </AuthFrame>
  );
}
