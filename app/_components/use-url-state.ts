'use client';

import { useSearchParams } from 'next/navigation';
import { useCallback, useEffect, useRef, useState } from 'react';
import { useDebounced } from './use-debounced';

/**
 * A list's filters live in the page's URL, so a refresh or a shared link shows the same list. The history entry is
 * replaced rather than added (Back leaves the page, not the last filter), through the browser's own history, which
 * Next.js follows (useSearchParams updates) without asking the server for the page again.
 */

type Changes = Record<string, string | null | undefined>;

/** The current URL's query with some parameters set (or, for '' and null, removed), the others kept. */
function changedParams(changes: Changes) {
  const next = new URLSearchParams(window.location.search); // the latest, even between two quick changes
  for (const [name, value] of Object.entries(changes)) {
    if (value) next.set(name, value);
    else next.delete(name);
  }
  return next;
}

function showParams(params: URLSearchParams) {
  const query = params.toString();
  // No state of our own: Next.js adds its router's and takes the new URL (a state of its own it would ignore).
  window.history.replaceState(null, '', `${window.location.pathname}${query ? `?${query}` : ''}`);
}

/**
 * Follows the URL's `current` (a parameter, or filters as JSON). A value this page wrote is only its own write
 * arriving (the router takes a new URL a moment later, in a transition), so it is not followed, or fast typing would
 * be undone by its own earlier letters; anything else came from a link or Back and goes to `follow`. Returns `wrote`,
 * to call with each value written.
 */
function useFollowUrl(current: string, follow: (value: string) => void) {
  const written = useRef<string[]>([]);
  const followRef = useRef(follow);
  useEffect(() => {
    followRef.current = follow;
  });
  useEffect(() => {
    const at = written.current.indexOf(current);
    if (at >= 0) {
      written.current = written.current.slice(at + 1);
      return;
    }
    written.current = [];
    followRef.current(current);
  }, [current]);
  return useCallback((value: string) => void written.current.push(value), []);
}

/**
 * A search box kept in the URL as `?<name>=`: what is typed shows at once and goes to the URL as it is typed (so a
 * link followed a moment later keeps it); `settled`, trimmed once typing has paused for `ms`, is what to search for.
 * A link that changes the parameter (the menu's link to the page) changes the box too.
 */
export function useUrlText(name: string, ms = 300) {
  const inUrl = useSearchParams().get(name) ?? '';
  const [text, setTextState] = useState(inUrl);
  const settled = useDebounced(text.trim(), ms);
  const wrote = useFollowUrl(inUrl, setTextState);
  const setText = (value: string) => {
    setTextState(value);
    const next = changedParams({ [name]: value.trim() });
    wrote(next.get(name) ?? '');
    showParams(next);
  };
  return { text, setText, settled };
}

/**
 * Filters kept in the URL: `read` takes them from the query parameters, `write` gives the parameters for new ones.
 * A change shows at once (a checkbox is checked as it is clicked, while the router takes the URL in a transition),
 * and a change of the URL from elsewhere (a link, Back) is followed.
 */
export function useUrlState<T>(read: (get: (name: string) => string | null) => T, write: (value: T) => Changes) {
  const params = useSearchParams();
  const inUrl = JSON.stringify(read((name) => params.get(name)));
  const [value, setValue] = useState<T>(() => JSON.parse(inUrl) as T);
  const wrote = useFollowUrl(inUrl, (json) => setValue(JSON.parse(json) as T));
  const set = (next: T) => {
    setValue(next);
    const url = changedParams(write(next));
    wrote(JSON.stringify(read((name) => url.get(name))));
    showParams(url);
  };
  return [value, set] as const;
}
