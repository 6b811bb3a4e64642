import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { churchWithOwner, churchWithStaff, errorOf, type SignedInClient } from './support/accounts';
import { createTestRegistry, type TestRegistry } from './support/harness';

/** The message library: admins keep it, everyone lists it; names are unique ignoring case; bodies are checked. */
describe('templates', () => {
  let reg: TestRegistry;
  let owner: SignedInClient;
  let staff: SignedInClient;

  beforeAll(async () => {
    reg = await createTestRegistry();
    ({ owner, staff } = await churchWithStaff(reg.services, 'Template Chapel', `tpl-staff-${process.pid}@x.org`));
  });
  afterAll(async () => {
    await reg?.cleanup();
  });

  it('are created, listed alphabetically ignoring case, edited and deleted', async () => {
    const welcome = await owner.caller.templates.create({ name: ' welcome ', body: 'Hi {first_name|friend}!' });
    expect(welcome).toMatchObject({ name: 'welcome', body: 'Hi {first_name|friend}!' });
    await owner.caller.templates.create({ name: 'Easter', body: 'Easter services at 8, 10 and 12.' });
    await owner.caller.templates.create({ name: 'Bible study', body: 'Bible study moved to Thursday.' });
    expect((await staff.caller.templates.list()).map((t) => t.name)).toEqual(['Bible study', 'Easter', 'welcome']);

    const renamed = await owner.caller.templates.update({ id: welcome.id, name: 'Welcome' });
    expect(renamed).toMatchObject({ name: 'Welcome', body: 'Hi {first_name|friend}!' });
    expect(renamed.updatedAt.getTime()).toBeGreaterThanOrEqual(welcome.updatedAt.getTime());
    await owner.caller.templates.update({ id: welcome.id, body: 'Welcome, {first_name|friend}, to {church_name}!' });
    expect((await owner.caller.templates.list()).find((t) => t.id === welcome.id)?.body).toBe(
      'Welcome, {first_name|friend}, to {church_name}!',
    );

    expect(await owner.caller.templates.delete({ id: welcome.id })).toEqual({ ok: true });
    expect((await owner.caller.templates.list()).map((t) => t.name)).toEqual(['Bible study', 'Easter']);
    const gone = await errorOf(owner.caller.templates.delete({ id: welcome.id }));
    expect([gone.code, gone.message]).toEqual(['NOT_FOUND', 'That template does not exist.']);
    const gone2 = await errorOf(owner.caller.templates.update({ id: welcome.id, name: 'Back' }));
    expect(gone2.code).toBe('NOT_FOUND');
  });

  it('refuse a name already used (ignoring case), an unknown merge field, and an empty or long text', async () => {
    await owner.caller.templates.create({ name: 'Picnic', body: 'Picnic on Saturday.' });
    const dup = await errorOf(owner.caller.templates.create({ name: 'PICNIC', body: 'Again' }));
    expect([dup.code, dup.message]).toEqual(['CONFLICT', 'You already have a template called “PICNIC”.']);
    const other = await owner.caller.templates.create({ name: 'Other', body: 'x' });
    expect((await errorOf(owner.caller.templates.update({ id: other.id, name: 'picnic' }))).code).toBe('CONFLICT');

    const unknown = await errorOf(owner.caller.templates.create({ name: 'Typo', body: 'Hi {frist_name}' }));
    expect(unknown.code).toBe('BAD_REQUEST');
    expect(unknown.message).toContain('Unknown merge field {frist_name}');
    const bad: [string, string][] = [
      ['', 'x'],
      ['Blank', '   '],
      ['Long', 'x'.repeat(1601)],
      ['x'.repeat(61), 'x'],
    ];
    for (const [name, body] of bad)
      expect((await errorOf(owner.caller.templates.create({ name, body }))).code, `${name}/${body.length}`).toBe(
        'BAD_REQUEST',
      );
  });

  it('staff use them but cannot change them; another church sees only its own', async () => {
    const [mine] = await owner.caller.templates.list();
    expect((await errorOf(staff.caller.templates.create({ name: 'Staff', body: 'x' }))).code).toBe('FORBIDDEN');
    expect((await errorOf(staff.caller.templates.update({ id: mine!.id, name: 'Staff' }))).code).toBe('FORBIDDEN');
    expect((await errorOf(staff.caller.templates.delete({ id: mine!.id }))).code).toBe('FORBIDDEN');

    const { owner: elsewhere } = await churchWithOwner(reg.services, { churchName: 'Other Template Chapel' });
    expect(await elsewhere.caller.templates.list()).toEqual([]);
    await elsewhere.caller.templates.create({ name: 'Picnic', body: 'Our own picnic.' }); // same name, other church
    expect((await errorOf(elsewhere.caller.templates.delete({ id: mine!.id }))).code).toBe('NOT_FOUND');
  });
});
