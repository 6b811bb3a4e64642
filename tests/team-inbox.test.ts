import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TenantDb } from '@/db/tenant';
import { conversationNotes, conversations, messages, type Member } from '@/db/tenant/schema';
import { MATCH_END, MATCH_START } from '@/server/messaging/search-marks';
import { addTeammate, errorOf, provisionChurch, signIn, type SignedInClient } from './support/accounts';
import {
  createMessagingRegistry,
  FakeProvider,
  insertMembers,
  readyNumber,
  type MessagingRegistry,
} from './support/messaging';
import { postSigned, received } from './support/webhooks';

/**
 * The team inbox (server/messaging/conversations.ts, conversation-notes.ts, conversation-search.ts): whose threads a
 * filter shows, closing and reopening, marking unread, internal notes that are never sent, and searching what was
 * said — all through the procedures, with texts coming in through the signed webhook.
 */
describe('the team inbox', () => {
  let reg: MessagingRegistry;
  const fake = new FakeProvider();
  let tenantId: string;
  let number: string;
  let owner: SignedInClient;
  let staff: SignedInClient;
  let ann: Member, bob: Member, cid: Member;
  const thread: Record<string, string> = {};

  const inChurch = <T>(fn: (db: TenantDb) => Promise<T>) => reg.services.connections.withTenant(tenantId, fn);
  const textIn = async (from: string, body: string) =>
    expect((await postSigned(reg.services, received(from, number, body).body)).status).toBe(200);
  const listIds = async (
    who: SignedInClient,
    input: Parameters<SignedInClient['caller']['conversations']['list']>[0],
  ) => (await who.caller.conversations.list({ limit: 100, ...input })).items.map((i) => i.id).sort();
  const ids = (...names: string[]) => names.map((n) => thread[n]!).sort();

  beforeAll(async () => {
    reg = await createMessagingRegistry({}, fake);
    const church = await provisionChurch(reg.services, { churchName: 'Team Inbox Chapel' });
    tenantId = church.tenantId;
    owner = await signIn(reg.services, church.email, church.password);
    number = await readyNumber(reg.services, owner);
    const s = await addTeammate(reg.services, owner.caller, `staff-${Date.now()}@example.org`, 'staff');
    staff = await signIn(reg.services, s.email, s.password);
    [ann, bob, cid] = (await insertMembers(reg.services, tenantId, [
      { firstName: 'Ann', lastName: 'Antioch' },
      { firstName: 'Bob', lastName: 'Berea' },
      { firstName: 'Cid', lastName: 'Corinth' },
    ])) as [Member, Member, Member];
    await textIn(ann!.phone, 'Is the Baptism on Sunday? I would like to come');
    await textIn(bob!.phone, 'See you at the picnic');
    await textIn(cid!.phone, 'Thanks for praying for my mum');
    for (const [name, m] of [
      ['ann', ann],
      ['bob', bob],
      ['cid', cid],
    ] as const)
      thread[name] = (await owner.caller.conversations.forMember({ memberId: m!.id }))!.id;
  });
  afterAll(async () => {
    await reg?.cleanup();
  });

  it('filters: everyone’s, mine and unassigned, each as its caller sees them', async () => {
    await owner.caller.conversations.assign({ id: thread.ann!, adminId: owner.session.adminId });
    await staff.caller.conversations.assign({ id: thread.bob!, adminId: staff.session.adminId });
    expect(await listIds(owner, {})).toEqual(ids('ann', 'bob', 'cid'));
    expect(await listIds(owner, { assigned: 'all' })).toEqual(ids('ann', 'bob', 'cid'));
    expect(await listIds(owner, { assigned: 'mine' })).toEqual(ids('ann'));
    expect(await listIds(staff, { assigned: 'mine' })).toEqual(ids('bob'));
    expect(await listIds(staff, { assigned: 'unassigned' })).toEqual(ids('cid'));
    expect(await listIds(owner, { assigned: 'unassigned', unreadOnly: true })).toEqual(ids('cid'));
    expect((await errorOf(owner.caller.conversations.list({ assigned: 'theirs' as 'all' }))).code).toBe('BAD_REQUEST');
  });

  it('closing takes a thread out of the open inbox, read; their next text or ours opens it again', async () => {
    expect((await owner.caller.conversations.list({})).unreadThreads).toBe(3);
    expect(await staff.caller.conversations.setClosed({ id: thread.cid!, closed: true })).toEqual({ ok: true });
    expect(await listIds(owner, {})).toEqual(ids('ann', 'bob'));
    expect(await listIds(owner, { state: 'closed' })).toEqual(ids('cid'));
    const closed = await owner.caller.conversations.get({ id: thread.cid! });
    expect(closed.conversation).toMatchObject({ unreadCount: 0, closedAt: expect.any(Date) });
    expect((await owner.caller.conversations.list({})).unreadThreads).toBe(2);

    // Cid texts again: open, and unread.
    await textIn(cid!.phone, 'One more thing: can I bring a friend?');
    expect(await listIds(owner, { state: 'closed' })).toEqual([]);
    expect((await owner.caller.conversations.get({ id: thread.cid! })).conversation).toMatchObject({
      unreadCount: 1,
      closedAt: null,
    });

    // Closed again, then someone on the team texts him: open again (and read, as any send leaves it).
    await owner.caller.conversations.setClosed({ id: thread.cid!, closed: true });
    await owner.caller.messages.send({ memberId: cid!.id, body: 'Of course, bring them along!' });
    expect((await owner.caller.conversations.get({ id: thread.cid! })).conversation.closedAt).toBeNull();

    // A text that came in after the one the closer was shown stops the close: nobody closes away a text unseen.
    const shown = (await owner.caller.conversations.get({ id: thread.cid! })).conversation.lastMessageAt!;
    await textIn(cid!.phone, 'Oh, and what time?');
    const stale = await errorOf(
      owner.caller.conversations.setClosed({ id: thread.cid!, closed: true, seenLastMessageAt: shown }),
    );
    expect(stale).toMatchObject({ code: 'CONFLICT', message: expect.stringContaining('A new message just came in') });
    const now = (await owner.caller.conversations.get({ id: thread.cid! })).conversation;
    expect(now).toMatchObject({ closedAt: null, unreadCount: 1 });
    await owner.caller.conversations.setClosed({ id: thread.cid!, closed: true, seenLastMessageAt: now.lastMessageAt });
    expect((await owner.caller.conversations.get({ id: thread.cid! })).conversation.closedAt).not.toBeNull();

    // A carrier word (STOP) goes through the keyword path: it opens the thread too.
    await textIn(cid!.phone, 'STOP');
    expect((await owner.caller.conversations.get({ id: thread.cid! })).conversation.closedAt).toBeNull();
    await textIn(cid!.phone, 'START');

    // Reopened by hand.
    await owner.caller.conversations.setClosed({ id: thread.cid!, closed: true });
    await owner.caller.conversations.setClosed({ id: thread.cid!, closed: false });
    expect(await listIds(owner, {})).toEqual(ids('ann', 'bob', 'cid'));
    expect((await errorOf(owner.caller.conversations.setClosed({ id: crypto.randomUUID(), closed: true }))).code).toBe(
      'NOT_FOUND',
    );
  });

  it('a teammate who leaves hands their threads back: they show as unassigned', async () => {
    const t = await addTeammate(reg.services, owner.caller, `leaver-${Date.now()}@example.org`, 'staff');
    await owner.caller.conversations.assign({ id: thread.cid!, adminId: t.adminId });
    expect(await listIds(owner, { assigned: 'unassigned' })).not.toContain(thread.cid);
    await owner.caller.team.remove({ adminId: t.adminId });
    expect((await owner.caller.conversations.get({ id: thread.cid! })).conversation.assignedAdminId).toBeNull();
    expect(await listIds(owner, { assigned: 'unassigned' })).toContain(thread.cid);
  });

  it('mark as unread: bold again for the whole team, and open again if it was closed', async () => {
    await owner.caller.conversations.markRead({ id: thread.bob! });
    expect(await listIds(owner, { unreadOnly: true })).not.toContain(thread.bob);
    expect(await staff.caller.conversations.markUnread({ id: thread.bob! })).toEqual({ ok: true });
    expect(await listIds(owner, { unreadOnly: true })).toContain(thread.bob);
    // Unread twice is still one: it says "look again", it does not invent messages.
    await staff.caller.conversations.markUnread({ id: thread.bob! });
    expect((await owner.caller.conversations.get({ id: thread.bob! })).conversation.unreadCount).toBe(1);

    await owner.caller.conversations.setClosed({ id: thread.bob!, closed: true });
    await owner.caller.conversations.markUnread({ id: thread.bob! });
    expect((await owner.caller.conversations.get({ id: thread.bob! })).conversation).toMatchObject({
      unreadCount: 1,
      closedAt: null,
    });
    expect((await errorOf(owner.caller.conversations.markUnread({ id: crypto.randomUUID() }))).code).toBe('NOT_FOUND');
  });

  it('notes: shown in the thread with their author, never sent, deleted by their author or an admin', async () => {
    const sentBefore = fake.calls.length;
    const previewBefore = (await owner.caller.conversations.get({ id: thread.ann! })).conversation;
    const note = await staff.caller.conversations.addNote({
      id: thread.ann!,
      body: '  Called her back: baptism class is Thursday  ',
    });
    expect(note.body).toBe('Called her back: baptism class is Thursday');

    const seen = await owner.caller.conversations.get({ id: thread.ann! });
    expect(seen.notes).toEqual([
      expect.objectContaining({
        id: note.id,
        body: note.body,
        adminId: staff.session.adminId,
        author: expect.stringMatching(/^Member staff-/),
      }),
    ]);
    // Nothing about the thread's messages changed: no text, no preview, nothing to send.
    expect(seen.conversation.lastMessagePreview).toBe(previewBefore.lastMessagePreview);
    expect(seen.conversation.lastMessageAt).toEqual(previewBefore.lastMessageAt);
    const texts = await inChurch((db) => db.select().from(messages).where(eq(messages.conversationId, thread.ann!)));
    expect(texts.map((m) => m.body)).not.toContain(note.body);
    await new Promise((r) => setTimeout(r, 200));
    expect(fake.calls.slice(sentBefore).map((c) => c.text)).not.toContain(note.body);

    expect((await errorOf(owner.caller.conversations.addNote({ id: thread.ann!, body: '   ' }))).code).toBe(
      'BAD_REQUEST',
    );
    expect((await errorOf(owner.caller.conversations.addNote({ id: thread.ann!, body: 'x'.repeat(2001) }))).code).toBe(
      'BAD_REQUEST',
    );
    expect((await errorOf(owner.caller.conversations.addNote({ id: crypto.randomUUID(), body: 'hi' }))).code).toBe(
      'NOT_FOUND',
    );

    // Staff cannot delete the owner's note; the owner (an admin) can delete staff's; anyone deletes their own.
    const ownerNote = await owner.caller.conversations.addNote({ id: thread.ann!, body: 'She prefers texts to calls' });
    const refused = await errorOf(staff.caller.conversations.deleteNote({ id: ownerNote.id }));
    expect(refused).toMatchObject({ code: 'FORBIDDEN', message: 'Only its author or an admin can delete a note.' });
    expect(await owner.caller.conversations.deleteNote({ id: note.id })).toEqual({ ok: true });
    // An admin (not only the owner) may delete someone else's.
    const a = await addTeammate(reg.services, owner.caller, `admin-${Date.now()}@example.org`, 'admin');
    const admin = await signIn(reg.services, a.email, a.password);
    const staffNote = await staff.caller.conversations.addNote({ id: thread.ann!, body: 'Left by staff' });
    expect(await admin.caller.conversations.deleteNote({ id: staffNote.id })).toEqual({ ok: true });
    const mine = await staff.caller.conversations.addNote({ id: thread.ann!, body: 'Mine to take back' });
    await staff.caller.conversations.deleteNote({ id: mine.id });
    expect((await owner.caller.conversations.get({ id: thread.ann! })).notes.map((n) => n.id)).toEqual([ownerNote.id]);
    expect((await errorOf(owner.caller.conversations.deleteNote({ id: note.id }))).code).toBe('NOT_FOUND');
  });

  it('notes come with the window of messages they were written in', async () => {
    const [dan] = await insertMembers(reg.services, tenantId, [{ firstName: 'Dan', lastName: 'Derbe' }]);
    await textIn(dan!.phone, 'first');
    const id = (await owner.caller.conversations.forMember({ memberId: dan!.id }))!.id;
    const early = await owner.caller.conversations.addNote({ id, body: 'written after the first text' });
    await textIn(dan!.phone, 'second');
    await textIn(dan!.phone, 'third');
    const late = await owner.caller.conversations.addNote({ id, body: 'written after the third text' });
    // Make the times unambiguous: the early note sits between the first and second texts.
    await inChurch(async (db) => {
      await db.execute(sql`update messages set created_at = now() - interval '3 minutes' where body = 'first'`);
      await db
        .update(conversationNotes)
        .set({ createdAt: sql`now() - interval '150 seconds'` })
        .where(eq(conversationNotes.id, early.id));
      await db.execute(sql`update messages set created_at = now() - interval '2 minutes' where body = 'second'`);
      await db.execute(sql`update messages set created_at = now() - interval '1 minute' where body = 'third'`);
    });

    const latest = await owner.caller.conversations.get({ id, limit: 2 });
    expect(latest.messages.map((m) => m.body)).toEqual(['second', 'third']);
    expect(latest.notes.map((n) => n.id)).toEqual([late.id]);
    const older = await owner.caller.conversations.get({ id, limit: 2, before: latest.olderCursor });
    expect(older.messages.map((m) => m.body)).toEqual(['first']);
    expect(older.notes.map((n) => n.id)).toEqual([early.id]);
    expect((await owner.caller.conversations.get({ id, limit: 10 })).notes.map((n) => n.id)).toEqual([
      early.id,
      late.id,
    ]);
  });

  describe('search', () => {
    const search = (query: string, more: { limit?: number; cursor?: string | null } = {}) =>
      staff.caller.conversations.search({ query, ...more });

    it('finds messages and notes by the start of their words, newest first, with an excerpt', async () => {
      const note = await owner.caller.conversations.addNote({ id: thread.cid!, body: 'Asked about the baptism class' });
      const hits = await search('bapt');
      // The staff note about Ann's baptism class was deleted: only what is there is found.
      expect(hits.items.map((h) => [h.kind, h.conversationId])).toEqual([
        ['note', thread.cid],
        ['message', thread.ann],
      ]);
      const message = hits.items.find((h) => h.kind === 'message')!;
      expect(message).toMatchObject({ firstName: 'Ann', lastName: 'Antioch', direction: 'inbound', phone: ann!.phone });
      expect(message.excerpt).toContain(`${MATCH_START}Baptism${MATCH_END}`);
      expect(hits.items[0]).toMatchObject({ id: note.id, direction: null });

      // Every word must match (in any order, any case); a word no one wrote finds nothing.
      expect((await search('SUNDAY bapt')).items.map((h) => h.id)).toEqual([message.id]);
      expect((await search('picnic')).items.map((h) => h.conversationId)).toEqual([thread.bob]);
      expect((await search('pray mum')).items.map((h) => h.conversationId)).toEqual([thread.cid]);
      expect((await search('potluck')).items).toEqual([]);
    });

    it('what is typed cannot break the query; too little is a clear 400', async () => {
      for (const q of [`bapt & | ! :* ( ) ' "`, "bapt' |", '(bapt:*)', '\\bapt', 'bapt <-> !']) {
        expect(
          (await search(q)).items.map((h) => h.kind),
          q,
        ).toContain('message');
      }
      expect((await search('!! ??')).items).toEqual([]);
      expect((await search('Baptism, baptism!  SUNDAY')).items.map((h) => h.kind)).toEqual(['message']);
      const short = await errorOf(search('b'));
      expect(short).toMatchObject({ code: 'BAD_REQUEST' });
      expect(short.message).toContain('Type at least two letters');
    });

    it('any script: split as PostgreSQL split the texts (combining marks, no spaces, dotted capitals)', async () => {
      const texts = ['नमस्ते दोस्तों', 'สวัสดีครับ', 'İstanbul’dan geliyorum', 'Привет всем', 'Στον δρόμος'];
      const people = await insertMembers(
        reg.services,
        tenantId,
        texts.map((_, i) => ({ firstName: `Script${i}`, lastName: 'Test' })),
      );
      for (const [i, text] of texts.entries()) await textIn(people[i]!.phone, text);
      const found = async (q: string) => (await search(q)).items.map((h) => h.memberId);
      expect(await found('नमस्ते')).toEqual([people[0]!.id]);
      expect(await found('दोस्')).toEqual([people[0]!.id]);
      expect(await found('สวัสดี')).toEqual([people[1]!.id]); // the start of a run of Thai
      expect(await found('İstanbul')).toEqual([people[2]!.id]);
      expect(await found('Привет')).toEqual([people[3]!.id]);
      expect(await found('δρόμος')).toEqual([people[4]!.id]);
      expect(await found('🙏🏽 🎉')).toEqual([]);
    });

    it('leaves out broadcast and sequence copies: one per recipient, they would bury the replies', async () => {
      await inChurch((db) =>
        db.insert(messages).values(
          [thread.ann!, thread.bob!, thread.cid!].map((conversationId, i) => ({
            conversationId,
            direction: 'outbound' as const,
            kind: i === 2 ? ('sequence' as const) : ('broadcast' as const),
            body: 'Picnic reminder: bring a chair',
            segments: 1,
            status: 'sent' as const,
          })),
        ),
      );
      expect((await search('picnic')).items.map((h) => [h.kind, h.conversationId])).toEqual([['message', thread.bob]]);
    });

    it('pages with a cursor, and a tampered cursor is a 400', async () => {
      const [eve] = await insertMembers(reg.services, tenantId, [{ firstName: 'Eve', lastName: 'Ephesus' }]);
      for (let i = 0; i < 5; i++) await textIn(eve!.phone, `Hymn number ${i}`);
      const all = (await search('hymn', { limit: 100 })).items.map((h) => h.id);
      expect(all).toHaveLength(5);
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const page: Awaited<ReturnType<typeof search>> = await search('hymn', { limit: 2, cursor });
        seen.push(...page.items.map((h) => h.id));
        cursor = page.nextCursor;
      } while (cursor);
      expect(seen).toEqual(all);
      expect((await errorOf(search('hymn', { cursor: 'forged' }))).code).toBe('BAD_REQUEST');
    });

    it('finds nothing in another church', async () => {
      const other = await provisionChurch(reg.services, { churchName: 'Other Inbox Chapel' });
      const otherOwner = await signIn(reg.services, other.email, other.password);
      expect((await otherOwner.caller.conversations.search({ query: 'baptism' })).items).toEqual([]);
      const [theirs] = await inChurch((db) => db.select({ id: conversations.id }).from(conversations).limit(1));
      expect((await errorOf(otherOwner.caller.conversations.addNote({ id: theirs!.id, body: 'hi' }))).code).toBe(
        'NOT_FOUND',
      );
    });
  });
});
