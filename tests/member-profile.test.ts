import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { branches, broadcasts, conversations } from '@/db/tenant/schema';
import { UPCOMING_BROADCASTS } from '@/server/members/profile';
import { churchWithOwner, churchWithStaff, errorOf, type Church, type SignedInClient } from './support/accounts';
import { createTestRegistry, type TestRegistry } from './support/harness';
import { insertMembers } from './support/messaging';

/** members.profile: the member page's data, for every role, only within the caller's church. */
describe('member profile', () => {
  let reg: TestRegistry;
  let church: Church;
  let owner: SignedInClient;
  let staff: SignedInClient;

  const inDays = (days: number) => new Date(Date.now() + days * 86_400_000);
  type NewBroadcast = Partial<typeof broadcasts.$inferInsert> & { body: string };
  const addBroadcasts = (tenantId: string, rows: NewBroadcast[]) =>
    reg.services.connections.withTenant(tenantId, (db) =>
      db
        .insert(broadcasts)
        .values(rows.map((r) => ({ audience: 'all' as const, scheduledAt: inDays(1), createdBy: randomUUID(), ...r })))
        .returning({ id: broadcasts.id }),
    );

  beforeAll(async () => {
    reg = await createTestRegistry();
    ({ church, owner, staff } = await churchWithStaff(
      reg.services,
      'Profile Chapel',
      `staff-${process.pid}@example.org`,
    ));
  });
  afterAll(async () => {
    await reg?.cleanup();
  });

  it('gives staff the member, their fields by name, the phone as the church reads it, no thread yet', async () => {
    const field = await owner.caller.customFields.create({ label: 'Baptism date', type: 'date' });
    await owner.caller.customFields.create({ label: 'Volunteer', type: 'yes_no' });
    const ada = await owner.caller.members.create({
      firstName: 'Ada',
      lastName: 'Lovelace',
      phone: '(202) 555-0142',
      tags: ['choir'],
      fields: { [field.id]: '2024-03-31' },
    });
    const profile = await staff.caller.members.profile({ id: ada.id });
    expect(profile.member).toMatchObject({ id: ada.id, firstName: 'Ada', phoneDisplay: '(202) 555-0142' });
    expect(profile.fields).toEqual([
      { id: field.id, label: 'Baptism date', value: 'March 31, 2024' },
      { id: expect.any(String), label: 'Volunteer', value: null },
    ]);
    expect(profile.conversationId).toBeNull();
    expect(profile.scheduled).toEqual([]);

    const [conversation] = await reg.services.connections.withTenant(church.tenantId, (db) =>
      db.insert(conversations).values({ memberId: ada.id }).returning({ id: conversations.id }),
    );
    expect((await owner.caller.members.profile({ id: ada.id })).conversationId).toBe(conversation!.id);
  });

  it('lists the scheduled broadcasts whose audience includes them, soonest first, by the audience logic', async () => {
    const { church: own, owner: pastor } = await churchWithOwner(reg.services, { churchName: 'Audience Chapel' });
    const [north, south] = await reg.services.connections.withTenant(own.tenantId, (db) =>
      db
        .insert(branches)
        .values([
          { name: 'North', timezone: 'America/New_York' },
          { name: 'South', timezone: 'America/New_York' },
        ])
        .returning({ id: branches.id }),
    );
    const [ruth] = await insertMembers(reg.services, own.tenantId, [
      { firstName: 'Ruth', branchId: north!.id, tags: ['choir'] },
    ]);
    const [everyone, choir, , , filtered] = await addBroadcasts(own.tenantId, [
      { body: 'Everyone', scheduledAt: inDays(3) },
      { body: 'Choir', audience: 'tag', tag: 'choir', scheduledAt: inDays(1) },
      { body: 'South', audience: 'branch', branchId: south!.id },
      { body: 'Youth', audience: 'tag', tag: 'youth' },
      {
        body: 'North choir',
        audience: 'filter',
        filter: { branchId: north!.id, tagsAll: ['choir'] },
        segmentName: 'NC',
        scheduledAt: inDays(2), // after Choir's: the same millisecond would leave their order to their random ids
      },
      { body: 'Already sent', state: 'sent', scheduledAt: inDays(-1) },
      { body: 'Cancelled', state: 'canceled', scheduledAt: inDays(2) },
    ]);
    const profile = await pastor.caller.members.profile({ id: ruth!.id });
    expect(profile.scheduled.map((b) => b.id)).toEqual([choir!.id, filtered!.id, everyone!.id]);
    expect(profile.scheduled[1]).toMatchObject({ body: 'North choir', segmentName: 'NC', repeats: false });

    // Only the next UPCOMING_BROADCASTS are looked at: one after them is not listed.
    await addBroadcasts(
      own.tenantId,
      Array.from({ length: UPCOMING_BROADCASTS }, (_, i) => ({ body: `Soon ${i}`, scheduledAt: inDays(0.5) })),
    );
    const busy = await pastor.caller.members.profile({ id: ruth!.id });
    expect(busy.scheduled).toHaveLength(UPCOMING_BROADCASTS);
    expect(busy.scheduled.every((b) => b.body.startsWith('Soon'))).toBe(true);
  });

  it("refuses another church's member as not found, and a malformed id as a bad request", async () => {
    const { church: other } = await churchWithOwner(reg.services, { churchName: 'Other Chapel' });
    const [stranger] = await insertMembers(reg.services, other.tenantId, [{ firstName: 'Stranger' }]);
    const foreign = await errorOf(owner.caller.members.profile({ id: stranger!.id }));
    expect(foreign.code).toBe('NOT_FOUND');
    expect(foreign.message).not.toContain('Stranger');
    expect((await errorOf(staff.caller.members.profile({ id: randomUUID() }))).code).toBe('NOT_FOUND');
    expect((await errorOf(owner.caller.members.profile({ id: 'not-an-id' }))).code).toBe('BAD_REQUEST');
  });
});
