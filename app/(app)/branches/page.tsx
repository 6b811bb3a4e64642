import type { Metadata } from 'next';
import { PageHeading } from '../../_components/ui';
import { BranchesManager } from './branches-manager';

export const metadata: Metadata = { title: 'Branches' };

export default function BranchesPage() {
  return (
    <>
      <PageHeading
        title="Branches"
        description="Your church’s campuses or sites. Each member can belong to one, so you can text a branch on its own."
      />
      <BranchesManager />
    </>
  );
}
