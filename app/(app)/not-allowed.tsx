import Link from 'next/link';
import { PageHeading, Panel } from '../_components/ui';

/** A page this person's role does not reach: said plainly, with the way back (the server refuses its data anyway). */
export function NotAllowed({ title, who }: { title: string; who: string }) {
  return (
    <>
      <PageHeading title={title} />
      <Panel title="You are not allowed to see this page" description={who}>
        <Link href="/dashboard" className="text-sm font-medium text-brand-600 underline-offset-2 hover:underline">
          Back to the dashboard
        </Link>
      </Panel>
    </>
  );
}
