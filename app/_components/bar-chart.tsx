/**
 * A small grouped bar chart in plain CSS (no chart library for one picture). The bars are hidden from assistive
 * technology; the same numbers are in a visually hidden table, which is what a screen reader user can navigate.
 */
export type BarSeries<K extends string> = { key: K; label: string; colour: string };
export type BarRow<K extends string> = { label: string; shortLabel?: string } & Record<K, number>;

export function BarChart<K extends string>({
  caption,
  rows,
  series,
  testId,
  rowHeader = 'Day',
}: {
  caption: string;
  /** What each row is, heading the table's first column ("Day", "Week"). */
  rowHeader?: string;
  rows: BarRow<K>[];
  series: BarSeries<K>[];
  testId?: string;
}) {
  const max = Math.max(1, ...rows.flatMap((r) => series.map((s) => r[s.key])));
  // Axis labels at the start, middle and end: enough to read dates without crowding a phone screen.
  const ticks = new Set([0, Math.floor((rows.length - 1) / 2), rows.length - 1]);
  const tickAlign = (i: number) => (i === 0 ? 'text-left' : i === rows.length - 1 ? 'flex justify-end' : 'text-center');
  return (
    <figure data-testid={testId}>
      <ul className="mb-3 flex flex-wrap gap-4 text-xs text-slate-600" aria-hidden>
        {series.map((s) => (
          <li key={s.key} className="flex items-center gap-1.5">
            <span className={`size-2.5 rounded-sm ${s.colour}`} />
            {s.label}
          </li>
        ))}
      </ul>
      <div aria-hidden className="flex gap-2">
        <div className="flex h-40 flex-col justify-between text-right text-[10px] leading-none text-slate-400">
          <span>{max}</span>
          <span>0</span>
        </div>
        <div className="min-w-0 flex-1">
          <div className="flex h-40 items-end gap-px border-b border-l border-slate-200 sm:gap-0.5">
            {rows.map((r) => (
              <div
                key={r.label}
                className="flex h-full min-w-0 flex-1 items-end justify-center gap-px"
                title={`${r.label}: ${series.map((s) => `${r[s.key]} ${s.label.toLowerCase()}`).join(', ')}`}
              >
                {series.map((s) => (
                  <span
                    key={s.key}
                    className={`w-full max-w-2 rounded-t-sm ${s.colour}`}
                    style={{ height: r[s.key] > 0 ? `max(2px, ${(r[s.key] / max) * 100}%)` : 0 }}
                  />
                ))}
              </div>
            ))}
          </div>
          <div className="mt-1 flex text-[10px] text-slate-500">
            {rows.map((r, i) => (
              <span key={r.label} className={`min-w-0 flex-1 overflow-visible whitespace-nowrap ${tickAlign(i)}`}>
                {ticks.has(i) ? (r.shortLabel ?? r.label) : ''}
              </span>
            ))}
          </div>
        </div>
      </div>
      {/* A table ignores sr-only's 1 px width; the box around it does not, so it never widens a phone's page. */}
      <div className="sr-only">
        <table>
          <caption>{caption}</caption>
          <thead>
            <tr>
              <th scope="col">{rowHeader}</th>
              {series.map((s) => (
                <th key={s.key} scope="col">
                  {s.label}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.label}>
                <th scope="row">{r.label}</th>
                {series.map((s) => (
                  <td key={s.key}>{r[s.key]}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </figure>
  );
}
