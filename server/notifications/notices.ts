import { sql, type SQL } from 'drizzle-orm';
import type { TenantDb } from '@/db/tenant';
import type { Tx } from '@/server/members/consent';
import { formatPhone } from '@/server/messaging/phone';
import type { Notice } from './compose';
import type { NotifyKind } from './kinds';

/** Reading notifications (and the digest's events) as compose.ts takes them: who, what, when, where it links. */

type Row = {
  id: string;
  kind: NotifyKind;
  excerpt: string;
  at: Date | string;
  conversation_id: string | null;
  member_id: string | null;
  first_name: string | null;
  last_name: string | null;
  phone: string | null;
};

/** Someone who texted in and has no name yet is known by their number, as the inbox shows them. */
function whoOf(r: Pick<Row, 'first_name' | 'last_name' | 'phone'>, country: string): string {
  if (!r.first_name && !r.phone) return 'Someone no longer in your members';
  if (r.first_name === 'New contact' && !r.last_name && r.phone) return formatPhone(r.phone, country);
  return [r.first_name, r.last_name].filter(Boolean).join(' ');
}

const toNotice = (r: Row, country: string): Notice & { id: string } => ({
  id: r.id,
  kind: r.kind,
  who: whoOf(r, country),
  excerpt: r.excerpt,
  at: new Date(r.at),
  conversationId: r.conversation_id,
  memberId: r.member_id,
});

/** The notifications claimed into one batch, oldest first. */
export async function batchNotices(db: TenantDb | Tx, batchId: string, country: string) {
  const rows = await db.execute<Row>(sql`
    select o.id, o.kind, o.excerpt, o.created_at as at, o.conversation_id, o.member_id, m.first_name, m.last_name,
           m.phone
      from notification_outbox o left join members m on m.id = o.member_id
     where o.batch_id = ${batchId}
     order by o.created_at, o.id`);
  return [...rows].map((r) => toNotice(r, country));
}

/** Rows of the shape above from any query of the digest (digest.ts), as notices. */
export async function noticesOf(db: TenantDb, query: SQL, country: string) {
  return [...(await db.execute<Row>(query))].map((r) => toNotice(r, country));
}
