import { sql } from 'drizzle-orm';
import type { TenantDb } from '@/db/tenant';
import { deliverMail } from '@/server/mail';
import type { Services } from '@/server/services';
import { digestOf } from './compose';
import { appUrl } from '@/server/config';
import { messageId } from './email';
import { EXCERPT_CHARS, excerpt } from './kinds';
import { noticesOf } from './notices';

/**
 * The daily digest: at the time a person chose, on the church's clock, one email summing up the last 24 hours —
 * threads still unread, connect cards, sequence replies — each with its first 80 characters and its link. Nothing to
 * say, no email. Its job (jobs.ts) is made again for the next day after each run; the day is worked out in SQL in the
 * church's timezone, so 08:00 stays 08:00 across a clock change. `digest_sent_on` (the local day) makes a retry or a
 * second job that day send nothing; it is set after the email goes (a crash in between repeats it, same Message-ID).
 */

type Deps = Pick<Services, 'config' | 'profiles'>;

const LISTED = 20;

/** The digest at `minute` (after local midnight in `timezone`) is next due: today's if still ahead, else tomorrow's. */
export async function nextDigestAt(
  db: TenantDb,
  timezone: string,
  minute: number,
  after: 'now' | 'today' = 'now',
  from?: Date, // now, unless a test asks about another moment
) {
  const now = from ? sql`${from.toISOString()}::timestamptz` : sql`now()`;
  const [row] = await db.execute<{ at: string }>(sql`
    with local as (select (${now} at time zone ${timezone})::date as day)
    select case when ${after} = 'now' and ((day + ${minute} * interval '1 minute') at time zone ${timezone}) > ${now}
                then (day + ${minute} * interval '1 minute') at time zone ${timezone}
                else ((day + 1) + ${minute} * interval '1 minute') at time zone ${timezone} end as at
      from local`);
  return new Date(row!.at);
}

/** Run one person's digest; returns when their next one is due (null: they turned it off, or left). */
export async function runDigest(deps: Deps, db: TenantDb, tenantId: string, adminId: string): Promise<Date | null> {
  const church = await deps.profiles.get(tenantId);
  const tz = church.timezone;
  type Person = { email: string; minute: number | null; day: string; sent_today: boolean; early: boolean };
  const [person] = await db.execute<Person>(sql`
    select a.email, s.digest_minute as minute, (now() at time zone ${tz})::date::text as day,
           coalesce(s.digest_sent_on >= (now() at time zone ${tz})::date, false) as sent_today,
           (((now() at time zone ${tz})::date + s.digest_minute * interval '1 minute') at time zone ${tz}) > now()
             as early
      from notification_settings s join admins a on a.id = s.admin_id
     where s.admin_id = ${adminId}`);
  if (person?.minute == null) return null;
  // Woken before today's time (the time or the church's timezone changed since it was queued): wait for it.
  if (person.early || person.sent_today) return nextDigestAt(db, tz, person.minute);
  const sections = await digestSections(db, church.country);
  if (sections.some((s) => s.total > 0)) {
    const mail = digestOf(church, sections, appUrl(deps.config), new Date());
    const id = messageId(deps.config, `digest-${adminId}-${person.day}`);
    await deliverMail(deps.config, { to: person.email, ...mail, messageId: id });
  }
  await db.execute(sql`
    update notification_settings set digest_sent_on = ${person.day}::date where admin_id = ${adminId}`);
  return nextDigestAt(db, tz, person.minute, 'today');
}

/** The last 24 hours: unread threads (their latest text), connect cards, replies to sequences (the reply). */
async function digestSections(db: TenantDb, country: string) {
  const since = sql`now() - interval '24 hours'`;
  // One character past the limit is enough for excerpt() to cut at the same place as on the whole text.
  const cut = (col: ReturnType<typeof sql>) => sql`left(${col}, ${EXCERPT_CHARS + 1})`;
  const excerpted = <T extends { excerpt: string }>(notices: T[]) =>
    notices.map((n) => ({ ...n, excerpt: excerpt(n.excerpt) }));
  const unreadWhere = sql`c.unread_count > 0 and c.closed_at is null and c.last_message_at > ${since}`;
  const unread = excerpted(
    await noticesOf(
      db,
      sql`select c.id, 'inbound' as kind, ${cut(sql`coalesce(last.body, '')`)} as excerpt, c.last_message_at as at,
               c.id as conversation_id, m.id as member_id, m.first_name, m.last_name, m.phone
          from conversations c join members m on m.id = c.member_id
          left join lateral (select body from messages x where x.conversation_id = c.id and x.direction = 'inbound'
                              order by x.created_at desc limit 1) last on true
         where ${unreadWhere} order by c.last_message_at desc limit ${LISTED}`,
      country,
    ),
  );
  const cards = await noticesOf(
    db,
    sql`select s.id, 'connect_card' as kind,
               case when s.first_visit then 'First visit.' else 'Been before.' end
                 || case when s.consented then ' Agreed to texts.' else '' end as excerpt,
               s.created_at as at, c.id as conversation_id, m.id as member_id, m.first_name, m.last_name, m.phone
          from connect_card_submissions s left join members m on m.id = s.member_id
          left join conversations c on c.member_id = m.id
         where s.created_at > ${since} order by s.created_at desc limit ${LISTED}`,
    country,
  );
  const replies = excerpted(
    await noticesOf(
      db,
      sql`select e.id, 'sequence_reply' as kind, ${cut(sql`coalesce(reply.body, '')`)} as excerpt, r.created_at as at,
               c.id as conversation_id, m.id as member_id, m.first_name, m.last_name, m.phone
          from sequence_replies r join sequence_enrollments e on e.id = r.enrollment_id
          join members m on m.id = e.member_id left join conversations c on c.member_id = m.id
          left join lateral (select body from messages x
                              where x.conversation_id = c.id and x.direction = 'inbound'
                                and x.created_at <= r.created_at
                              order by x.created_at desc limit 1) reply on true
         where r.created_at > ${since} order by r.created_at desc limit ${LISTED}`,
      country,
    ),
  );
  const [counts] = await db.execute<{ unread: number; cards: number; replies: number }>(sql`
    select (select count(*)::int from conversations c where ${unreadWhere}) as unread,
           (select count(*)::int from connect_card_submissions where created_at > ${since}) as cards,
           (select count(*)::int from sequence_replies where created_at > ${since}) as replies`);
  return [
    { title: 'Unread conversations', notices: unread, total: counts!.unread },
    { title: 'Connect cards', notices: cards, total: counts!.cards },
    { title: 'Replies to sequences', notices: replies, total: counts!.replies },
  ];
}
