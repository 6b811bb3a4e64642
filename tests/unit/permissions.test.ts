import { describe, expect, it } from 'vitest';
import { can, PERMISSIONS, ROLE_LABELS, type Action, type Role } from '@/server/auth/permissions';

const ROLES: Role[] = ['staff', 'admin', 'owner']; // lowest first

// Written out, not derived from PERMISSIONS: a change to who may do what must change this table too.
const EXPECTED: Record<Action, Record<Role, boolean>> = {
  'members.delete': { staff: false, admin: true, owner: true },
  'members.import': { staff: false, admin: true, owner: true },
  'members.export': { staff: false, admin: true, owner: true },
  'branches.manage': { staff: false, admin: true, owner: true },
  'broadcasts.manage': { staff: false, admin: true, owner: true },
  'keywords.manage': { staff: false, admin: true, owner: true },
  'sequences.manage': { staff: false, admin: true, owner: true },
  'inboxNotes.deleteAny': { staff: false, admin: true, owner: true },
  'templates.manage': { staff: false, admin: true, owner: true },
  'connectCard.manage': { staff: false, admin: true, owner: true },
  'customFields.manage': { staff: false, admin: true, owner: true },
  'segments.manage': { staff: false, admin: true, owner: true },
  'church.edit': { staff: false, admin: true, owner: true },
  'team.view': { staff: false, admin: true, owner: true },
  'activity.view': { staff: false, admin: true, owner: true },
  'team.manage': { staff: false, admin: false, owner: true },
  'numbers.manage': { staff: false, admin: false, owner: true },
  'registration.manage': { staff: false, admin: false, owner: true },
  'billing.manage': { staff: false, admin: false, owner: true },
};

describe('can', () => {
  it('the table has exactly the actions this test knows', () => {
    expect(Object.keys(PERMISSIONS).sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  const cases = (Object.keys(EXPECTED) as Action[]).flatMap((action) =>
    ROLES.map((role) => [action, role, EXPECTED[action][role]] as const),
  );
  it.each(cases)('%s as %s → %s', (action, role, allowed) => {
    expect(can(role, action)).toBe(allowed);
  });

  it('roles are ordered: whatever a role may do, every higher role may do too', () => {
    for (const action of Object.keys(PERMISSIONS) as Action[]) {
      const allowed = ROLES.map((role) => can(role, action));
      // Once allowed, allowed for every role above: the list is some falses, then trues.
      expect(allowed.slice(allowed.indexOf(true))).not.toContain(false);
      expect(allowed.at(-1)).toBe(true); // the owner may do everything
    }
  });

  it('staff may do nothing in the table; the owner everything', () => {
    const actions = Object.keys(PERMISSIONS) as Action[];
    expect(actions.filter((a) => can('staff', a))).toEqual([]);
    expect(actions.filter((a) => can('owner', a))).toEqual(actions);
  });

  it('every role has its label', () => {
    expect(ROLE_LABELS).toEqual({ owner: 'Owner', admin: 'Admin', staff: 'Staff' });
  });
});
