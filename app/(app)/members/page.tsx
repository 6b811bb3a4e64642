import type { Metadata } from 'next';
import { PageHeading } from '../../_components/ui';
import { MembersManager } from './members-manager';

export const metadata: Metadata = { title: 'Members' };

export default function MembersPage() {
  return (
    <>
      <PageHeading
        title="Members"
        description="The people your church texts: search, add, edit, and import them from a spreadsheet."
      />
      <MembersManager />
    </>
  );
}
