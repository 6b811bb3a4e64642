import type { TenantDb } from '@/db/tenant';
import type { ChurchProfile } from '@/server/church/profile';
import { storeWithKeyword } from './inbound-keyword';
import { storePlain } from './inbound-plain';
import type { InboundResult, InboundText } from './inbound-text';
import { keywordOf } from './keywords';
import { matchKeyword } from '@/server/keywords/match';
import { noteInboundPictures } from '@/server/media/inbound';

/**
 * Storing an inbound text in the church's own database. Most texts are plain, and one statement stores them
 * (inbound-plain.ts); keywords (the carriers' STOP/START/HELP, then the church's own, server/keywords/) take a
 * transaction that acts on the keyword and queues its reply atomically (inbound-keyword.ts). `church` is read only for
 * keywords (the replies name the church): plain texts never wait on the registry.
 */
export async function storeInbound(
  db: TenantDb,
  msg: InboundText,
  church: () => Promise<ChurchProfile>,
): Promise<InboundResult> {
  const result = await storeText(db, msg, church);
  // Noted on a replay too (once: inbound.ts), so a crash between the text and its pictures loses neither.
  if (msg.media?.length) result.pictures = await noteInboundPictures(db, result.messageId, msg.media);
  return result;
}

async function storeText(db: TenantDb, msg: InboundText, church: () => Promise<ChurchProfile>) {
  const carrier = keywordOf(msg.text);
  if (carrier) return storeWithKeyword(db, msg, { carrier }, await church());
  const keyword = await matchKeyword(db, msg.text);
  if (keyword) return storeWithKeyword(db, msg, { church: keyword }, await church());
  return (await storePlain(db, msg)) ?? storeWithKeyword(db, msg, null, null);
}
