'use client';

import { useQuery } from '@tanstack/react-query';
import { useTRPC } from '../trpc';
import { InsertMenu } from './insert-menu';

type Props = Omit<React.ComponentProps<typeof InsertMenu>, 'label' | 'choices'>;

/**
 * Inserts one of the church's saved templates (the Templates page) at the cursor, merge fields and all: they are
 * filled in for each recipient as it is sent. Nothing is shown until the church has a template.
 */
export function TemplateMenu(props: Props) {
  const trpc = useTRPC();
  const { data } = useQuery(trpc.templates.list.queryOptions(undefined, { staleTime: 60_000 }));
  if (!data?.length) return null;
  const choices = data.map((t) => ({ key: t.id, label: t.name, text: t.body }));
  return <InsertMenu label="Use a template" choices={choices} {...props} />;
}
