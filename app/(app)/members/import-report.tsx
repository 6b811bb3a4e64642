'use client';

import { useMemo, useState } from 'react';
import { Badge } from '../../_components/ui';
import type { ImportPreview, ImportResult } from './types';
import { TableHead } from '../../_components/table-head';

/** What a preview found: totals, the columns used, and each row with its problems. */

const SHOWN = 200;
const plural = (n: number, one: string, many = `${one}s`) => `${n.toLocaleString()} ${n === 1 ? one : many}`;
const columnLabel = {
  firstName: 'first name',
  lastName: 'last name',
  fullName: 'full name',
  phone: 'phone',
  email: 'email',
  branch: 'branch',
  tags: 'tags',
  notes: 'notes',
  subscribed: 'subscribed',
  firstVisit: 'first visit',
} as const;

const statusLook = {
  create: { label: 'New', tone: 'brand' },
  update: { label: 'Updates existing', tone: 'slate' },
  duplicate: { label: 'Duplicate in file', tone: 'amber' },
  error: { label: 'Problem', tone: 'amber' },
} as const;

/** "Baptism → Baptism date (member field)", "Mobile → phone". */
const usedAs = (m: ImportPreview['columns']['matched'][number]) =>
  `${m.header} → ${m.column === 'field' ? `${m.field} (member field)` : columnLabel[m.column]}`;

export function PreviewSummary({ preview }: { preview: ImportPreview }) {
  const { totals, columns } = preview;
  return (
    <div className="space-y-2 text-sm text-slate-700">
      <ul className="grid gap-1 sm:grid-cols-2" aria-label="Import totals">
        <li>{plural(totals.rows, 'row')} in the file</li>
        <li>{plural(totals.create, 'new member')}</li>
        <li>{plural(totals.update, 'existing member')} to update (same phone number)</li>
        {totals.duplicate > 0 && <li>{plural(totals.duplicate, 'duplicate row')} in the file (skipped)</li>}
        {totals.error > 0 && (
          <li className="font-medium text-red-700">{plural(totals.error, 'row')} with problems (skipped)</li>
        )}
      </ul>
      <p className="text-xs text-slate-500">
        Columns used: {columns.matched.map(usedAs).join(', ')}.
        {columns.ignored.length > 0 && ` Ignored: ${columns.ignored.join(', ')}.`}
      </p>
    </div>
  );
}

export function PreviewRows({ rows }: { rows: ImportPreview['rows'] }) {
  const problems = useMemo(() => rows.filter((r) => r.status === 'error' || r.status === 'duplicate'), [rows]);
  const [onlyProblems, setOnlyProblems] = useState(problems.length > 0);
  const list = onlyProblems ? problems : rows;
  return (
    <div className="space-y-2">
      {problems.length > 0 && (
        <label className="flex items-center gap-2 text-sm text-slate-700">
          <input
            type="checkbox"
            className="size-4"
            checked={onlyProblems}
            onChange={(e) => setOnlyProblems(e.target.checked)}
          />
          Only show rows with problems
        </label>
      )}
      <div className="overflow-x-auto rounded-lg ring-1 ring-slate-200">
        <table className="min-w-full divide-y divide-slate-200 text-left text-sm" aria-label="Rows in the file">
          <TableHead className="bg-slate-50" columns={['Row', 'Name', 'Phone', 'Branch', 'Result']} />
          <tbody className="divide-y divide-slate-100">
            {list.slice(0, SHOWN).map((r) => (
              <tr key={r.row} data-testid="import-row" data-row={r.row} data-status={r.status}>
                <td className="px-3 py-2 tabular-nums text-slate-500">{r.row}</td>
                <td className="whitespace-nowrap px-3 py-2">{r.name || <span className="text-slate-400">—</span>}</td>
                <td className="px-3 py-2 whitespace-nowrap">{r.phone}</td>
                <td className="px-3 py-2">{r.branch}</td>
                <td className="px-3 py-2">
                  <Badge tone={statusLook[r.status].tone}>{statusLook[r.status].label}</Badge>
                  {r.messages.length > 0 && (
                    <ul className="mt-1 list-disc pl-4 text-xs text-red-800">
                      {r.messages.map((m) => (
                        <li key={m}>{m}</li>
                      ))}
                    </ul>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {list.length > SHOWN && (
        <p className="text-xs text-slate-500">
          Showing the first {SHOWN} of {list.length.toLocaleString()} rows.
        </p>
      )}
    </div>
  );
}

/** After the import: the counts, and the skipped rows with a download of them for fixing in the spreadsheet. */
export function ImportOutcome({ result }: { result: ImportResult }) {
  // A data: URL is plain text derived from the result: nothing to create after mount or to revoke.
  const report = useMemo(() => `data:text/csv;charset=utf-8,${encodeURIComponent(problemsCsv(result))}`, [result]);
  return (
    <div className="space-y-3">
      <p role="status" className="rounded-lg bg-green-50 px-3 py-2 text-sm text-green-800 ring-1 ring-green-200">
        Import finished: {plural(result.created, 'new member')} added, {plural(result.updated, 'member')} updated
        {result.skipped > 0 ? `, ${plural(result.skipped, 'row')} skipped.` : '.'}
      </p>
      {result.errors.length > 0 && (
        <>
          <ul
            className="max-h-64 space-y-1 overflow-y-auto rounded-lg bg-slate-50 p-3 text-sm ring-1 ring-slate-200"
            aria-label="Skipped rows"
          >
            {result.errors.slice(0, SHOWN).map((e) => (
              <li key={e.row}>
                <span className="font-medium">Row {e.row}:</span> {e.messages.join('; ')}
              </li>
            ))}
          </ul>
          <a
            href={report}
            download="import-problems.csv"
            className="inline-block text-sm font-medium text-brand-600 underline-offset-2 hover:underline"
          >
            Download the skipped rows as CSV
          </a>
        </>
      )}
    </div>
  );
}

/** The skipped rows and their problems, as a CSV to fix in the spreadsheet. */
function problemsCsv(result: ImportResult): string {
  const quote = (s: string) => `"${s.replace(/"/g, '""')}"`;
  return ['row,problems', ...result.errors.map((e) => `${e.row},${quote(e.messages.join('; '))}`)].join('\n');
}
