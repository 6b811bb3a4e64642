import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { can, PERMISSIONS, type Action, type Role } from '@/server/auth/permissions';
import { appRouter } from '@/server/routers/_app';
import type { Meta } from '@/server/trpc';
import { addTeammate, provisionChurch, signIn, type SignedInClient } from './support/accounts';
import { createTestRegistry, type TestRegistry } from './support/harness';

/** Every procedure that needs more than being on the team, and the action it needs: read off the router itself. */
const procedures = Object.entries(
  appRouter._def.procedures as unknown as Record<string, { _def: { meta?: Meta; type: string } }>,
);
const guarded = procedures
  .filter(([, p]) => p._def.meta?.permission)
  .map(([path, p]) => ({ path, action: p._def.meta!.permission!, type: p._def.type }));

describe('permissions: one table for the server and the pages', () => {
  it('ranks owner over admin over staff, for every action', () => {
    for (const action of Object.keys(PERMISSIONS) as Action[]) {
      const allowed = (['staff', 'admin', 'owner'] as Role[]).map((r) => can(r, action));
      expect(allowed.indexOf(true), action).toBeGreaterThanOrEqual(0);
      // Once allowed, every higher role is.
      expect(allowed.slice(allowed.indexOf(true)).every(Boolean), action).toBe(true);
    }
  });

  it('each guarded procedure names its action (a new one needs a line here, and so a decision)', () => {
    expect(Object.fromEntries(guarded.map((g) => [g.path, g.action]))).toEqual({
      'members.delete': 'members.delete',
      'members.export': 'members.export',
      'members.importPreview': 'members.import',
      'members.import': 'members.import',
      'branches.create': 'branches.manage',
      'branches.update': 'branches.manage',
      'branches.delete': 'branches.manage',
      'broadcasts.create': 'broadcasts.manage',
      'broadcasts.cancel': 'broadcasts.manage',
      'broadcasts.createSeries': 'broadcasts.manage',
      'broadcasts.skipOccurrence': 'broadcasts.manage',
      'broadcasts.unskipOccurrence': 'broadcasts.manage',
      'broadcasts.stopSeries': 'broadcasts.manage',
      'keywords.create': 'keywords.manage',
      'keywords.update': 'keywords.manage',
      'keywords.delete': 'keywords.manage',
      'sequences.create': 'sequences.manage',
      'sequences.update': 'sequences.manage',
      'sequences.setPaused': 'sequences.manage',
      'sequences.delete': 'sequences.manage',
      'sequences.enroll': 'sequences.manage',
      'sequences.remove': 'sequences.manage',
      'templates.create': 'templates.manage',
      'templates.update': 'templates.manage',
      'templates.delete': 'templates.manage',
      'connectCard.update': 'connectCard.manage',
      'customFields.create': 'customFields.manage',
      'customFields.update': 'customFields.manage',
      'customFields.delete': 'customFields.manage',
      'segments.create': 'segments.manage',
      'segments.update': 'segments.manage',
      'segments.delete': 'segments.manage',
      'church.updateProfile': 'church.edit',
      'church.updateQuietHours': 'church.edit',
      'church.admins': 'team.view',
      'team.list': 'team.view',
      'activity.list': 'activity.view',
      'team.invite': 'team.manage',
      'team.revokeInvite': 'team.manage',
      'team.changeRole': 'team.manage',
      'team.remove': 'team.manage',
      'phoneNumbers.list': 'numbers.manage',
      'phoneNumbers.search': 'numbers.manage',
      'registration.get': 'registration.manage',
      'registration.submit': 'registration.manage',
      'phoneNumbers.order': 'numbers.manage',
      'phoneNumbers.release': 'numbers.manage',
      'billing.checkout': 'billing.manage',
      'billing.portal': 'billing.manage',
      'twoFactor.requireForTeam': 'team.manage',
    });
  });

  it('only these writes still work while a church is read-only (billing lapsed): the rest are refused', () => {
    const readOnlyOk = procedures
      .filter(([, p]) => p._def.type === 'mutation' && p._def.meta?.readOnlyOk)
      .map(([path]) => path);
    expect(readOnlyOk.sort()).toEqual([
      'account.changePassword',
      'account.setMobile',
      'account.signOutEverywhere',
      'billing.checkout',
      'billing.portal',
      'conversations.markRead',
      'emailVerification.resend',
      'members.importPreview',
      'notifications.subscribePush',
      'notifications.unsubscribePush',
      'notifications.update',
      'twoFactor.begin',
      'twoFactor.confirm',
      'twoFactor.disable',
      'twoFactor.newRecoveryCodes',
      'twoFactor.requireForTeam',
    ]);
  });

  describe('the matrix: every guarded procedure at every role', () => {
    let reg: TestRegistry;
    const as = {} as Record<Role, SignedInClient>;

    beforeAll(async () => {
      reg = await createTestRegistry();
      const c = await provisionChurch(reg.services, { churchName: 'Matrix Chapel' });
      as.owner = await signIn(reg.services, c.email, c.password);
      for (const role of ['admin', 'staff'] as const) {
        const m = await addTeammate(reg.services, as.owner.caller, `matrix-${role}-${process.pid}@example.org`, role);
        as[role] = await signIn(reg.services, m.email, m.password);
      }
    });
    afterAll(() => reg?.cleanup());

    // The role is checked before the input: a call with no input is FORBIDDEN below the action's role, and gets as far
    // as its input (BAD_REQUEST) or its work at or above it. Inputs are left out so nothing is changed.
    it.each(guarded.flatMap((g) => (['staff', 'admin', 'owner'] as Role[]).map((role) => ({ ...g, role }))))(
      '$path as $role',
      async ({ path, role, action, type }) => {
        const procedure = path
          .split('.')
          .reduce<unknown>((c, key) => (c as Record<string, unknown>)[key], as[role].caller) as (
          input?: unknown,
        ) => Promise<unknown>;
        const withoutInput = [
          'members.export',
          'church.admins',
          'team.list',
          'phoneNumbers.list',
          'billing.checkout',
          'billing.portal',
        ].includes(path);
        const outcome = await (withoutInput ? procedure() : procedure({})).then(
          () => 'ok',
          (e: { code?: string }) => e.code,
        );
        if (can(role, action)) expect(outcome, `${type} ${path}`).not.toBe('FORBIDDEN');
        else expect(outcome, `${type} ${path}`).toBe('FORBIDDEN');
      },
    );
  });
});
