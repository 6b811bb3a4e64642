import { sql } from 'drizzle-orm';
import { z } from 'zod';
import type { TenantDb } from '@/db/tenant';
import { decodeCursorAs, encodeCursor, exactTime, exactTimeKey } from '@/server/cursor';
import { withPhoneDisplay } from './phone';
import { MATCH_END, MATCH_START } from './search-marks';

/**
 * Searching the inbox: every personal text and note whose words start with the words typed ("bapt sun" finds
 * "Baptism on Sunday?"), newest first, each with its thread and an excerpt around the match. PostgreSQL's full-text
 * search with the `simple` configuration (no stemming: the same in any language) over the GIN indexes on `body`.
 * Broadcast and sequence copies are left out: one per recipient, they would bury the replies being looked for.
 * Limits: no accent folding ("reunion" does not find "reunión"); scripts written without spaces (Chinese, Japanese,
 * Thai) are found by the start of a run of text only.
 */

const MAX_WORDS = 8;
const hitKey = z.tuple([exactTimeKey, z.string().uuid()]);

/** Something to search for: a letter or digit in any script (what is typed is split into words by PostgreSQL). */
const hasWords = (query: string) => /[\p{L}\p{N}]/u.test(query);

/** A search is a convenience: it gives up after this rather than hold the church's connections. */
const SEARCH_TIMEOUT = '5s';

type Hit = {
  kind: 'message' | 'note';
  id: string;
  conversationId: string;
  direction: 'inbound' | 'outbound' | null;
  createdAt: Date;
  sortAt: string;
  excerpt: string;
  memberId: string;
  firstName: string;
  lastName: string;
  phone: string;
};

export async function searchConversations(
  db: TenantDb,
  input: { query: string; cursor?: string | null; limit: number },
  country: string,
) {
  if (!hasWords(input.query)) return { items: [], nextCursor: null };
  const after = decodeCursorAs(hitKey, input.cursor);
  const older = after ? sql`where (h.created_at, h.id) < (${after[0]}::timestamptz, ${after[1]}::uuid)` : sql``;
  // PostgreSQL splits and lowercases what was typed exactly as it did the texts (any script), and each word becomes
  // a quoted prefix term: nothing typed reaches the query's syntax. Matches are found through the GIN indexes (the
  // messages' covers personal texts only) and ordered first; only the page's rows pay for their excerpt.
  const query = sql`
    with q as (
      -- each lexeme quoted for tsquery: its backslashes (chr 92) and quotes doubled/escaped, then a prefix mark
      select (select string_agg('''' || replace(replace(lexeme, chr(92), chr(92) || chr(92)), '''', '''''') || ''':*',
                                ' & ')
                from (select lexeme from unnest(to_tsvector('simple', ${input.query}))
                       order by positions[1] limit ${MAX_WORDS}) w)::tsquery as q
    ), hits as (
      select 'message' as kind, m.id, m.conversation_id, m.direction::text as direction, m.created_at, m.body
        from messages m, q where m.kind = 'conversation' and to_tsvector('simple', m.body) @@ q.q
      union all
      select 'note', n.id, n.conversation_id, null, n.created_at, n.body
        from conversation_notes n, q where to_tsvector('simple', n.body) @@ q.q
    ), page as (
      select * from hits h ${older} order by h.created_at desc, h.id desc limit ${input.limit + 1}
    )
    select p.kind, p.id, p.conversation_id as "conversationId", p.direction, p.created_at as "createdAt",
           ${exactTime(sql`p.created_at`)} as "sortAt",
           ts_headline('simple', p.body, q.q,
                       ${`StartSel=${MATCH_START}, StopSel=${MATCH_END}, MaxWords=24, MinWords=10, MaxFragments=1`})
             as excerpt,
           mem.id as "memberId", mem.first_name as "firstName", mem.last_name as "lastName", mem.phone
      from page p cross join q
      join conversations c on c.id = p.conversation_id
      join members mem on mem.id = c.member_id
     order by p.created_at desc, p.id desc`;
  const rows = await db.transaction(async (tx) => {
    await tx.execute(sql.raw(`set local statement_timeout = '${SEARCH_TIMEOUT}'`));
    return tx.execute<Hit>(query);
  });
  const page = rows.slice(0, input.limit);
  const last = page.at(-1);
  return {
    items: page.map(({ sortAt: _s, ...hit }) =>
      withPhoneDisplay({ ...hit, createdAt: new Date(hit.createdAt) }, country),
    ),
    nextCursor: rows.length > input.limit && last ? encodeCursor([last.sortAt, last.id]) : null,
  };
}
