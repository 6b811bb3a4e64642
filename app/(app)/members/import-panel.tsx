'use client';

import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useRef, useState } from 'react';
import { MAX_IMPORT_BYTES } from '@/server/members/rules';
import { errorMessage, fieldErrors } from '../../_components/errors';
import { TextareaField } from '../../_components/fields';
import { Alert, Button, Panel } from '../../_components/ui';
import { useTRPC } from '../../trpc';
import { ImportOutcome, PreviewRows, PreviewSummary } from './import-report';

const importHelp =
  'One member per line, with a header line. We recognise columns like first_name, last_name, phone (or mobile, ' +
  'cell), email, branch, tags (separated by ; or |), notes, subscribed (yes, no or “not opted in”; empty means ' +
  'yes) and first_visit (YYYY-MM-DD). Your member fields can be columns too, headed by their name or merge-field ' +
  'key (like baptism_date); an empty cell leaves a member’s value as it is. People are imported as subscribed only ' +
  'if you confirm below that they agreed to receive texts; nobody who opted out is ever subscribed again.';

const fileInputClass =
  'block w-full text-sm text-slate-700 file:mr-3 file:rounded-lg file:border-0 file:bg-brand-50 file:px-3 ' +
  'file:py-2 file:text-sm file:font-medium file:text-brand-700';

const pasteClass =
  'block w-full rounded-lg border border-slate-300 bg-white px-3 py-2 font-mono text-sm shadow-sm ' +
  'focus:border-brand-600 disabled:bg-slate-50';

/** Choose or paste a CSV → preview each row → import the good ones → the outcome, with the skipped rows. */
export function ImportPanel({ onClose }: { onClose: () => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [file, setFile] = useState<{ name: string; text: string } | null>(null);
  const [pasted, setPasted] = useState('');
  const [fileError, setFileError] = useState('');
  const [consentConfirmed, setConsentConfirmed] = useState(false);
  const fileInput = useRef<HTMLInputElement>(null);
  const clearFile = () => {
    setFile(null);
    if (fileInput.current) fileInput.current.value = '';
  };
  const preview = useMutation(trpc.members.importPreview.mutationOptions());
  const commit = useMutation(
    trpc.members.import.mutationOptions({
      onSuccess: () => {
        void queryClient.invalidateQueries({ queryKey: trpc.members.pathKey() });
        void queryClient.invalidateQueries({ queryKey: trpc.branches.list.queryKey() });
      },
    }),
  );
  const csv = file?.text ?? pasted;
  const restart = () => {
    preview.reset();
    commit.reset();
  };
  const startOver = () => {
    restart();
    clearFile();
    setPasted('');
  };
  const failure = preview.error ?? commit.error;
  const failureText = failure ? (fieldErrors(failure).csv ?? errorMessage(failure)) : '';
  const importable = preview.data ? preview.data.totals.create + preview.data.totals.update : 0;

  return (
    <Panel id="import" title="Import members from a CSV file" description={importHelp}>
      <div className="space-y-4">
        {commit.data ? (
          <>
            <ImportOutcome result={commit.data} />
            <div className="flex flex-wrap gap-2">
              <Button variant="secondary" onClick={startOver}>
                Import another file
              </Button>
              <Button variant="ghost" onClick={onClose}>
                Close
              </Button>
            </div>
          </>
        ) : preview.data ? (
          <>
            <PreviewSummary preview={preview.data} />
            <PreviewRows rows={preview.data.rows} />
            {failureText && <Alert>{failureText}</Alert>}
            <div className="flex flex-wrap gap-2">
              <Button
                disabled={importable === 0 || commit.isPending}
                onClick={() => commit.mutate({ csv, consentConfirmed })}
              >
                {commit.isPending
                  ? 'Importing…'
                  : `Import ${importable.toLocaleString()} ${importable === 1 ? 'member' : 'members'}`}
              </Button>
              <Button variant="secondary" disabled={commit.isPending} onClick={restart}>
                Back
              </Button>
            </div>
          </>
        ) : (
          <form
            noValidate
            className="space-y-4"
            onSubmit={(e) => {
              e.preventDefault();
              if (csv.trim()) preview.mutate({ csv, consentConfirmed });
              else setFileError('Choose a CSV file or paste its contents first.');
            }}
          >
            <div className="space-y-1">
              <label htmlFor="import-file" className="block text-sm font-medium text-slate-800">
                Choose a CSV file
              </label>
              <input
                ref={fileInput}
                id="import-file"
                type="file"
                accept=".csv,.tsv,.txt,text/csv,text/plain"
                aria-describedby={fileError ? 'import-file-error' : undefined}
                className={fileInputClass}
                onChange={async (e) => {
                  const chosen = e.target.files?.[0];
                  setFileError('');
                  if (!chosen) return setFile(null);
                  if (chosen.size > MAX_IMPORT_BYTES) {
                    setFile(null);
                    return setFileError(
                      'The file is larger than 5 MB. Split it into smaller files and import each one.',
                    );
                  }
                  setFile({ name: chosen.name, text: await chosen.text() });
                  setPasted('');
                }}
              />
              {file && (
                <Button size="sm" variant="ghost" onClick={clearFile}>
                  Remove {file.name}
                </Button>
              )}
              {fileError && (
                <p id="import-file-error" className="text-xs font-medium text-red-700">
                  {fileError}
                </p>
              )}
            </div>
            <TextareaField
              id="import-paste"
              label="Or paste the CSV here"
              rows={5}
              value={pasted}
              disabled={!!file}
              hint={file ? `Using ${file.name}. Remove it to paste instead.` : 'first_name,last_name,phone,email'}
              placeholder={'first_name,last_name,phone\nMary,Smith,(202) 555-0123'}
              className={pasteClass}
              onChange={(e) => {
                setPasted(e.target.value);
                setFileError('');
              }}
            />
            <label className="flex items-start gap-2 text-sm text-slate-800">
              <input
                type="checkbox"
                className="mt-1"
                checked={consentConfirmed}
                onChange={(e) => setConsentConfirmed(e.target.checked)}
                aria-describedby="import-consent-hint"
              />
              <span>
                The people this file marks as subscribed (everyone, if it has no subscribed column) agreed to receive
                texts from us.
                <span id="import-consent-hint" className="block text-xs text-slate-500">
                  Without this they are imported as not opted in: you can answer them one to one, but they get no
                  broadcasts until they opt in. Your confirmation is kept in each one’s consent history.
                </span>
              </span>
            </label>
            {failureText && <Alert>{failureText}</Alert>}
            <div className="flex flex-wrap gap-2">
              <Button type="submit" disabled={preview.isPending}>
                {preview.isPending ? 'Checking the file…' : 'Preview import'}
              </Button>
              <Button variant="ghost" onClick={onClose}>
                Cancel
              </Button>
            </div>
          </form>
        )}
      </div>
    </Panel>
  );
}
