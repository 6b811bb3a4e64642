'use client';

import { Button } from './ui';

type Pages = { hasNextPage: boolean; isFetchingNextPage: boolean; fetchNextPage: () => Promise<unknown> };

/** "Load more" under a paged list (an infinite query): shown only while there is a next page. */
export function LoadMore({
  list,
  label = 'Load more',
  block,
  size = 'sm',
}: {
  list: Pages;
  label?: string;
  block?: boolean;
  size?: 'sm' | 'md';
}) {
  if (!list.hasNextPage) return null;
  return (
    <Button
      variant="secondary"
      size={size}
      block={block}
      disabled={list.isFetchingNextPage}
      onClick={() => void list.fetchNextPage()}
    >
      {list.isFetchingNextPage ? 'Loading…' : label}
    </Button>
  );
}
