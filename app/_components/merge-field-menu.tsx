'use client';

import { InsertMenu, type InsertChoice } from './insert-menu';
import { useCustomFields } from './use-merge-check';

/** What the menu inserts: the first name with a fallback, because someone who texted in first has no name yet. */
const BUILT_IN: InsertChoice[] = [
  { text: '{first_name|friend}', label: 'First name (or “friend”)' },
  { text: '{last_name}', label: 'Last name' },
  { text: '{church_name}', label: 'Church name' },
  { text: '{branch_name}', label: 'Branch name' },
].map((c) => ({ key: c.text, ...c }));

type Props = Omit<React.ComponentProps<typeof InsertMenu>, 'label' | 'choices'>;

/**
 * Inserts a merge field (server/messaging/merge-fields.ts) at the cursor: the built-in ones, then the church's own
 * member fields (Settings) by their key.
 */
export function MergeFieldMenu(props: Props) {
  const { data } = useCustomFields();
  const custom = (data ?? []).map((f) => ({ key: f.id, label: f.label, text: `{${f.key}}` }));
  return <InsertMenu label="Insert a field" choices={[...BUILT_IN, ...custom]} {...props} />;
}
