'use client';

import { InsertMenu, type InsertChoice } from './insert-menu';

/** What the menu inserts: the first name with a fallback, because someone who texted in first has no name yet. */
const CHOICES: InsertChoice[] = [
  { text: '{first_name|friend}', label: 'First name (or “friend”)' },
  { text: '{last_name}', label: 'Last name' },
  { text: '{church_name}', label: 'Church name' },
  { text: '{branch_name}', label: 'Branch name' },
].map((c) => ({ key: c.text, ...c }));

type Props = Omit<React.ComponentProps<typeof InsertMenu>, 'label' | 'choices'>;

/** Inserts a merge field (server/messaging/merge-fields.ts) at the cursor. */
export function MergeFieldMenu(props: Props) {
  return <InsertMenu label="Insert a field" choices={CHOICES} {...props} />;
}
