'use client';

import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useDebounced } from '../../_components/use-debounced';
import { useTRPC } from '../../trpc';

/**
 * Finding members as someone types a name, phone or email: the first 20 matches of `query` (what was typed, settled
 * for a quarter second).
 */
export function useMemberSearch() {
  const trpc = useTRPC();
  const [search, setSearch] = useState('');
  const query = useDebounced(search.trim(), 250);
  const results = useQuery(trpc.members.list.queryOptions({ search: query || undefined, limit: 20 }));
  return { search, setSearch, query, results, items: results.data?.items ?? [] };
}
