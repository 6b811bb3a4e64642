import { eq } from 'drizzle-orm';
import type { TenantDb } from '@/db/tenant';
import { keywords } from '@/db/tenant/schema';
import { keywordCandidate } from './rules';

/** The church keyword a whole text is, or null. Only a one-word text costs a lookup (by the unique index on word). */
export async function matchKeyword(db: TenantDb, text: string) {
  const word = keywordCandidate(text);
  if (!word) return null;
  const [row] = await db.select().from(keywords).where(eq(keywords.word, word));
  return row ?? null;
}
