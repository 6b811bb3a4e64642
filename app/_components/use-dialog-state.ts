'use client';

import { useState } from 'react';

/**
 * Which item an add/edit dialog shows (null: adding) and whether it is open. Each `show` bumps `key`: pass it as the
 * dialog's React key so the form starts fresh every time it opens; `close` keeps the item, so the title stays as it
 * closes.
 */
export function useDialogState<T>() {
  const [state, setState] = useState<{ open: boolean; item: T | null; key: number }>({
    open: false,
    item: null,
    key: 0,
  });
  return {
    ...state,
    show: (item: T | null) => setState((d) => ({ open: true, item, key: d.key + 1 })),
    close: () => setState((d) => ({ ...d, open: false })),
  };
}
