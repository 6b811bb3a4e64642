import Link from 'next/link';
import { Panel } from './ui';

const homeClass =
  'inline-flex min-h-11 items-center rounded-lg bg-brand-600 px-4 text-sm font-medium text-white hover:bg-brand-700';

/** What a missing page says, inside the app's shell or on its own: plain words and a way home. */
export function NotFoundPanel({ home, homeLabel }: { home: string; homeLabel: string }) {
  return (
    <div className="mx-auto max-w-lg py-6">
      <Panel
        title="Page not found"
        description="There is no page at this address. It may have moved, or the link may be mistyped."
      >
        <Link href={home} className={homeClass}>
          {homeLabel}
        </Link>
      </Panel>
    </div>
  );
}
