import { eq, sql } from 'drizzle-orm';
import { members } from '@/db/tenant/schema';
import type { Tx } from './consent';

/** Adds the tags the member does not have yet (ignoring case, also among `tags`), keeping theirs first. */
export async function addTags(tx: Tx, memberId: string, tags: string[]) {
  const seen = new Set<string>();
  const once = tags.filter((t) => !seen.has(t.toLowerCase()) && !!seen.add(t.toLowerCase())); // first spelling wins
  const wanted = sql`array[${sql.join(
    once.map((t) => sql`${t}`),
    sql`, `,
  )}]::text[]`;
  await tx
    .update(members)
    .set({
      tags: sql`${members.tags} || array(select t from unnest(${wanted}) t
                                          where lower(t) <> all (select lower(x) from unnest(${members.tags}) x))`,
      updatedAt: sql`now()`,
    })
    .where(eq(members.id, memberId));
}
