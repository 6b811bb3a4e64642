'use client';

import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { downloadBlob } from '../../_components/download';
import { errorMessage } from '../../_components/errors';
import { Alert, Button } from '../../_components/ui';
import { useTRPC } from '../../trpc';

/**
 * Admins and the owner download every member as a CSV (the columns the import reads). A query, not a write, so it
 * works while the workspace is read-only — the way a church takes its data with it.
 */
export function ExportButton() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<unknown>(null);

  const download = async () => {
    setPending(true);
    setError(null);
    try {
      const { filename, csv } = await queryClient.fetchQuery(
        trpc.members.export.queryOptions(undefined, { staleTime: 0, gcTime: 0 }),
      );
      downloadBlob(new Blob([csv], { type: 'text/csv;charset=utf-8' }), filename);
    } catch (err) {
      setError(err);
    } finally {
      setPending(false);
    }
  };

  return (
    <>
      <Button variant="secondary" disabled={pending} onClick={() => void download()}>
        {pending ? 'Preparing CSV…' : 'Download CSV'}
      </Button>
      {!!error && (
        <div className="basis-full">
          <Alert>{errorMessage(error)}</Alert>
        </div>
      )}
    </>
  );
}
