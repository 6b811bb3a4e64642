import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorker } from '@/server/jobs/worker';
import { addTeammate, errorOf, provisionChurch, signIn, type Church, type SignedInClient } from './support/accounts';
import { until } from './support/harness';
import { createMessagingRegistry, FakeProvider, insertMembers, type MessagingRegistry } from './support/messaging';

describe('phone numbers', () => {
  let reg: MessagingRegistry;
  let first: Church;
  let second: Church;
  let owner1: SignedInClient;
  let owner2: SignedInClient;
  let admin1: SignedInClient;
  let staff1: SignedInClient;
  const fake = new FakeProvider();

  const indexRows = (e164: string) =>
    reg.services.registry.sql<{ tenant_id: string }[]>`select tenant_id from phone_number_index where e164 = ${e164}`;

  beforeAll(async () => {
    reg = await createMessagingRegistry({}, fake);
    first = await provisionChurch(reg.services, { churchName: 'First Numbers Chapel' });
    second = await provisionChurch(reg.services, { churchName: 'Second Numbers Chapel' });
    owner1 = await signIn(reg.services, first.email, first.password);
    owner2 = await signIn(reg.services, second.email, second.password);
    const a = await addTeammate(reg.services, owner1.caller, `numbers-admin-${process.pid}@example.org`, 'admin');
    const s = await addTeammate(reg.services, owner1.caller, `numbers-staff-${process.pid}@example.org`, 'staff');
    admin1 = await signIn(reg.services, a.email, a.password);
    staff1 = await signIn(reg.services, s.email, s.password);
  });
  afterAll(async () => {
    await reg?.cleanup();
  });

  it('the owner assigns a number, written nationally, and it is stored in E.164 and routes to the church', async () => {
    expect(await owner1.caller.phoneNumbers.list()).toEqual([]);
    // Each answer also says the number as the church reads it, so pages need no phone library to show it.
    expect(await owner1.caller.phoneNumbers.assign({ number: ' (202) 555-0170 ' })).toEqual({
      number: '+12025550170',
      display: '(202) 555-0170',
    });
    expect(await owner1.caller.phoneNumbers.assign({ number: '+1 202-555-0171' })).toMatchObject({
      number: '+12025550171',
    });
    const listed = await owner1.caller.phoneNumbers.list();
    expect(listed.map((n) => [n.number, n.display])).toEqual([
      ['+12025550170', '(202) 555-0170'],
      ['+12025550171', '(202) 555-0171'],
    ]);
    expect((await owner1.caller.phoneNumbers.list())[0]!.assignedAt).toBeInstanceOf(Date);
    expect(await indexRows('+12025550170')).toEqual([{ tenant_id: first.tenantId }]);
    expect(await reg.services.messaging.numbers.tenantFor('+12025550170')).toBe(first.tenantId);
    expect(await reg.services.messaging.numbers.numbersOf(first.tenantId)).toEqual(['+12025550170', '+12025550171']);

    // The same number again, in another spelling: already yours.
    const again = await errorOf(owner1.caller.phoneNumbers.assign({ number: '202.555.0170' }));
    expect(again.code).toBe('CONFLICT');
    expect(again.message).toBe('This number is already one of yours.');
  });

  it('a number belongs to one church: a second church gets CONFLICT until the first releases it', async () => {
    const number = '(202) 555-0180';
    await owner1.caller.phoneNumbers.assign({ number });
    // The second church's router has looked the number up (and cached it) before the release.
    expect(await reg.services.messaging.numbers.tenantFor('+12025550180')).toBe(first.tenantId);
    expect(await reg.services.messaging.numbers.numbersOf(second.tenantId)).toEqual([]);

    const taken = await errorOf(owner2.caller.phoneNumbers.assign({ number: '+12025550180' }));
    expect(taken.code).toBe('CONFLICT');
    expect(taken.message).toBe('This number is already in use by another account.');
    expect(taken.message).not.toContain('First Numbers Chapel'); // who has it is not disclosed
    expect(await owner2.caller.phoneNumbers.list()).toEqual([]);
    // The second church cannot release what it does not have.
    expect((await errorOf(owner2.caller.phoneNumbers.release({ number: '+12025550180' }))).code).toBe('NOT_FOUND');
    expect(await indexRows('+12025550180')).toEqual([{ tenant_id: first.tenantId }]);

    expect(await owner1.caller.phoneNumbers.release({ number })).toEqual({ ok: true });
    expect((await owner1.caller.phoneNumbers.list()).map((n) => n.number)).not.toContain('+12025550180');
    expect(await reg.services.messaging.numbers.tenantFor('+12025550180')).toBeNull();
    expect((await errorOf(owner1.caller.phoneNumbers.release({ number }))).code).toBe('NOT_FOUND');

    expect(await owner2.caller.phoneNumbers.assign({ number: '202 555 0180' })).toMatchObject({
      number: '+12025550180',
    });
    expect(await indexRows('+12025550180')).toEqual([{ tenant_id: second.tenantId }]);
    expect(await reg.services.messaging.numbers.tenantFor('+12025550180')).toBe(second.tenantId);
    expect(await reg.services.messaging.numbers.numbersOf(second.tenantId)).toEqual(['+12025550180']);

    // Texting follows the assignment: the second church can now send from it.
    const [m] = await insertMembers(reg.services, second.tenantId, [{ firstName: 'Routed' }]);
    await owner2.caller.messages.send({ memberId: m!.id, body: 'Hello from our new number' });
    const worker = await startWorker(reg.services);
    try {
      const [sent] = await until(async () => fake.to(m!.phone).length > 0 && fake.to(m!.phone));
      expect(sent).toMatchObject({ from: '+12025550180', text: 'Hello from our new number' });
    } finally {
      await worker.stop();
    }
  });

  it('two churches racing for the same number: exactly one gets it', async () => {
    const results = await Promise.allSettled([
      owner1.caller.phoneNumbers.assign({ number: '(202) 555-0190' }),
      owner2.caller.phoneNumbers.assign({ number: '+12025550190' }),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const rejected = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(rejected.reason.code).toBe('CONFLICT');
    expect(await indexRows('+12025550190')).toHaveLength(1);
  });

  it('only the owner may list, assign or release numbers', async () => {
    for (const [who, c] of [
      ['admin', admin1],
      ['staff', staff1],
    ] as const) {
      expect((await errorOf(c.caller.phoneNumbers.list())).code, `${who} list`).toBe('FORBIDDEN');
      expect((await errorOf(c.caller.phoneNumbers.assign({ number: '(202) 555-0175' }))).code, `${who} assign`).toBe(
        'FORBIDDEN',
      );
      expect((await errorOf(c.caller.phoneNumbers.release({ number: '(202) 555-0170' }))).code, `${who} release`).toBe(
        'FORBIDDEN',
      );
    }
    expect(await indexRows('+12025550175')).toEqual([]);
    expect(await indexRows('+12025550170')).toEqual([{ tenant_id: first.tenantId }]);
  });

  it('an invalid number is a BAD_REQUEST and stores nothing', async () => {
    const before = await owner1.caller.phoneNumbers.list();
    for (const number of ['hello', '123', '+1 202 555', '202-555-01701234', '+999 1234 5678', '(000) 000-0000']) {
      const err = await errorOf(owner1.caller.phoneNumbers.assign({ number }));
      expect(err.code, number).toBe('BAD_REQUEST');
    }
    expect((await errorOf(owner1.caller.phoneNumbers.assign({ number: '' }))).code).toBe('BAD_REQUEST');
    expect((await errorOf(owner1.caller.phoneNumbers.assign({ number: 'x'.repeat(40) }))).code).toBe('BAD_REQUEST');
    expect(await owner1.caller.phoneNumbers.list()).toEqual(before);
  });

  it("a number without a country code is read against the church's country", async () => {
    await owner2.caller.church.updateProfile({
      churchName: 'Second Numbers Chapel',
      timezone: 'Europe/London',
      country: 'GB',
    });
    expect(await owner2.caller.phoneNumbers.assign({ number: '020 7946 0958' })).toEqual({
      number: '+442079460958',
      display: '020 7946 0958',
    });
    expect(await owner2.caller.phoneNumbers.assign({ number: '+1 (202) 555-0191' })).toEqual({
      number: '+12025550191',
      display: '+1 202 555 0191',
    });
    // The number the church had before it moved to Britain now shows with its country code.
    expect((await owner2.caller.phoneNumbers.list()).find((n) => n.number === '+12025550180')?.display).toBe(
      '+1 202 555 0180',
    );
    // Not a UK number.
    expect((await errorOf(owner2.caller.phoneNumbers.assign({ number: '(202) 555-0192' }))).code).toBe('BAD_REQUEST');
    expect(await owner2.caller.phoneNumbers.release({ number: '020 7946 0958' })).toEqual({ ok: true });
  });
});
