import type { Metadata } from 'next';
import { PageHeading } from '../../_components/ui';
import { Broadcasts } from './broadcasts';

export const metadata: Metadata = { title: 'Broadcasts' };

export default function BroadcastsPage() {
  return (
    <>
      <PageHeading
        title="Broadcasts"
        description="One text to many members: everyone, a branch, or everyone with a tag. Only members who opted in receive it."
      />
      <Broadcasts />
    </>
  );
}
