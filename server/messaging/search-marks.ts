/**
 * How a search excerpt marks each match: between these private-use characters, which no one types. The server's
 * ts_headline puts them in; the inbox page turns them into <mark>. No imports: client components read it.
 */
export const MATCH_START = '\uE000';
export const MATCH_END = '\uE001';

/** An excerpt as plain and matched pieces, in order. */
export function excerptParts(excerpt: string): { text: string; match: boolean }[] {
  return excerpt
    .split(MATCH_START)
    .flatMap((chunk, i) => {
      if (i === 0) return [{ text: chunk, match: false }];
      const [matched = '', rest = ''] = chunk.split(MATCH_END);
      return [
        { text: matched, match: true },
        { text: rest, match: false },
      ];
    })
    .filter((p) => p.text);
}
