import { useEffect, useState } from 'react';

/** `value`, once it has stopped changing for `ms` (so a search runs when the typing pauses, not per keystroke). */
export function useDebouncedValue<T>(value: T, ms = 300): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return settled;
}
