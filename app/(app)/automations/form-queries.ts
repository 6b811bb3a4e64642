import { trpc } from '../../_lib/trpc-server';

/** What the sequence form asks for first: the keywords, date fields and tags a trigger chooses from, and templates. */
export const formQueries = () => [
  trpc.keywords.list.queryOptions(),
  trpc.customFields.list.queryOptions(),
  trpc.members.tags.queryOptions(),
  trpc.templates.list.queryOptions(),
];
