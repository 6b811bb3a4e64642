import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ZodError } from 'zod';
import { addTeammate, errorOf, provisionChurch, signIn, type Church, type SignedInClient } from './support/accounts';
import { createTestRegistry, type TestRegistry } from './support/harness';

describe('branches', () => {
  let reg: TestRegistry;
  let church: Church;
  let owner: SignedInClient;
  let admin: SignedInClient;
  let staff: SignedInClient;

  beforeAll(async () => {
    reg = await createTestRegistry();
    church = await provisionChurch(reg.services, { churchName: 'Branches Chapel' }); // timezone Europe/London
    owner = await signIn(reg.services, church.email, church.password);
    const a = await addTeammate(reg.services, owner.caller, `admin-${process.pid}@example.org`, 'admin');
    const s = await addTeammate(reg.services, owner.caller, `staff-${process.pid}@example.org`, 'staff');
    admin = await signIn(reg.services, a.email, a.password);
    staff = await signIn(reg.services, s.email, s.password);
  });
  afterAll(() => reg?.cleanup());

  it('creates (church’s timezone by default), lists by name with counts, updates partially and deletes', async () => {
    expect(await owner.caller.branches.list()).toEqual([]);
    const north = await owner.caller.branches.create({ name: ' North Campus ', address: '1 High St' });
    expect(north).toMatchObject({ name: 'North Campus', address: '1 High St', timezone: 'Europe/London' });
    const east = await admin.caller.branches.create({ name: 'east side', timezone: 'America/Chicago', address: '' });
    expect(east).toMatchObject({ name: 'east side', address: null, timezone: 'America/Chicago' });

    await owner.caller.members.create({ firstName: 'One', phone: '(202) 555-0101', branchId: north.id });
    await owner.caller.members.create({ firstName: 'Two', phone: '(202) 555-0102', branchId: north.id });
    await owner.caller.members.create({ firstName: 'Three', phone: '(202) 555-0103', branchId: east.id });
    await owner.caller.members.create({ firstName: 'Four', phone: '(202) 555-0104' });
    const listed = await staff.caller.branches.list();
    expect(listed.map((b) => [b.name, b.memberCount])).toEqual([
      ['east side', 1],
      ['North Campus', 2],
    ]);

    const renamed = await owner.caller.branches.update({ id: east.id, name: 'East Side' });
    expect(renamed).toMatchObject({ name: 'East Side', timezone: 'America/Chicago', address: null });
    const moved = await admin.caller.branches.update({
      id: east.id,
      timezone: 'America/Denver',
      address: '9 River Rd',
    });
    expect(moved).toMatchObject({ name: 'East Side', timezone: 'America/Denver', address: '9 River Rd' });
    expect(moved.updatedAt.getTime()).toBeGreaterThanOrEqual(renamed.updatedAt.getTime());
    expect((await owner.caller.members.list({ branchId: east.id })).items.map((m) => m.branchName)).toEqual([
      'East Side',
    ]);

    expect(await owner.caller.branches.delete({ id: east.id })).toEqual({ ok: true });
    expect((await owner.caller.branches.list()).map((b) => b.name)).toEqual(['North Campus']);
    expect((await errorOf(owner.caller.branches.delete({ id: east.id }))).code).toBe('NOT_FOUND');
    expect((await errorOf(owner.caller.branches.update({ id: east.id, name: 'Back' }))).code).toBe('NOT_FOUND');
  });

  it('names are unique ignoring case, on create and on rename (CONFLICT with a clear message)', async () => {
    const hill = await owner.caller.branches.create({ name: 'Hill' });
    const vale = await owner.caller.branches.create({ name: 'Vale' });
    for (const name of ['Hill', 'HILL', ' hill ']) {
      const err = await errorOf(owner.caller.branches.create({ name }));
      expect(err.code, name).toBe('CONFLICT');
      expect(err.message).toBe(`There is already a branch called “${name.trim()}”. Choose another name.`);
    }
    expect((await errorOf(owner.caller.branches.update({ id: vale.id, name: 'hill' }))).code).toBe('CONFLICT');
    // Its own name, recased.
    expect((await owner.caller.branches.update({ id: hill.id, name: 'HILL' })).name).toBe('HILL');
    expect((await owner.caller.branches.list()).filter((b) => b.name.toLowerCase() === 'hill')).toHaveLength(1);
  });

  it('bad input is a field error: empty name, unknown timezone', async () => {
    // US/Pacific-New: Intl still formats in it, PostgreSQL (where the church's day is computed) no longer knows it.
    for (const input of [
      { name: '  ' },
      { name: 'Somewhere', timezone: 'Mars/Olympus' },
      { name: 'Somewhere', timezone: 'US/Pacific-New' },
    ]) {
      const err = await errorOf(owner.caller.branches.create(input));
      expect(err.code).toBe('BAD_REQUEST');
      expect((err.cause as ZodError).issues[0]!.path).toEqual([input.timezone ? 'timezone' : 'name']);
    }
  });

  it('a timezone known by another name is accepted (Asia/Kolkata, which Intl lists as Asia/Calcutta)', async () => {
    const b = await owner.caller.branches.create({ name: 'Chennai', timezone: 'Asia/Kolkata' });
    expect(b.timezone).toBe('Asia/Kolkata');
    expect((await owner.caller.branches.update({ id: b.id, timezone: 'Asia/Calcutta' })).timezone).toBe(
      'Asia/Calcutta',
    );
    const profile = await owner.caller.church.updateProfile({
      churchName: 'Branches Chapel',
      timezone: 'Asia/Kolkata',
      country: 'US',
    });
    expect(profile.timezone).toBe('Asia/Kolkata');
    await owner.caller.church.updateProfile({
      churchName: 'Branches Chapel',
      timezone: 'Europe/London',
      country: 'US',
    });
  });

  it('the church profile reports every problem at once, each on its field (phone read by country)', async () => {
    const bad = await errorOf(
      owner.caller.church.updateProfile({
        churchName: '',
        timezone: 'Europe/London',
        country: 'US',
        contactPhone: 'not a phone',
        contactEmail: 'nope',
      }),
    );
    expect(bad).toMatchObject({ code: 'BAD_REQUEST' });
    const { issues } = bad.cause as ZodError;
    expect(Object.fromEntries(issues.map((i) => [i.path[0], i.message]))).toEqual({
      churchName: 'Enter the church name',
      contactPhone: 'Enter a valid phone number',
      contactEmail: 'Enter a valid email address',
    });
    // A British number is valid once the country says so.
    const gb = await owner.caller.church.updateProfile({
      churchName: 'Branches Chapel',
      timezone: 'Europe/London',
      country: 'GB',
      contactPhone: '020 7946 0018',
    });
    expect(gb.contactPhone).toBe('+442079460018');
    await owner.caller.church.updateProfile({
      churchName: 'Branches Chapel',
      timezone: 'Europe/London',
      country: 'US',
    });
  });

  it('deleting a branch keeps its members, without a branch', async () => {
    const doomed = await owner.caller.branches.create({ name: 'Closing Soon' });
    const a = await owner.caller.members.create({
      firstName: 'Stays',
      lastName: 'Here',
      phone: '(202) 555-0111',
      branchId: doomed.id,
    });
    const b = await owner.caller.members.create({
      firstName: 'Also',
      lastName: 'Here',
      phone: '(202) 555-0112',
      branchId: doomed.id,
    });
    await owner.caller.branches.delete({ id: doomed.id });
    for (const m of [a, b])
      expect(await owner.caller.members.get({ id: m.id })).toMatchObject({
        id: m.id,
        branchId: null,
        branchName: null,
      });
    expect((await errorOf(owner.caller.members.update({ id: a.id, branchId: doomed.id }))).code).toBe('BAD_REQUEST');
  });

  it('staff can list branches but not add, change or delete them', async () => {
    const kept = await owner.caller.branches.create({ name: 'Protected' });
    for (const [name, call] of Object.entries({
      create: () => staff.caller.branches.create({ name: 'Staff Branch' }),
      update: () => staff.caller.branches.update({ id: kept.id, name: 'Renamed' }),
      delete: () => staff.caller.branches.delete({ id: kept.id }),
    })) {
      expect((await errorOf(call())).code, name).toBe('FORBIDDEN');
    }
    const names = (await staff.caller.branches.list()).map((b) => b.name);
    expect(names).toContain('Protected');
    expect(names).not.toContain('Staff Branch');
    expect(names).not.toContain('Renamed');
  });

  it('a church never sees or changes another church’s branches', async () => {
    const mine = await owner.caller.branches.create({ name: 'Only Ours' });
    const other = await provisionChurch(reg.services);
    const them = await signIn(reg.services, other.email, other.password);
    expect(await them.caller.branches.list()).toEqual([]);
    expect((await errorOf(them.caller.branches.update({ id: mine.id, name: 'Stolen' }))).code).toBe('NOT_FOUND');
    expect((await errorOf(them.caller.branches.delete({ id: mine.id }))).code).toBe('NOT_FOUND');
    expect((await them.caller.branches.create({ name: 'Only Ours' })).name).toBe('Only Ours'); // names are per church
    expect((await owner.caller.branches.list()).find((b) => b.id === mine.id)?.name).toBe('Only Ours');
  });
});
