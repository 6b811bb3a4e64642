import { PERMISSIONS, ROLE_LABELS, type Action, type Role } from '@/server/auth/permissions';
import { Panel } from '../../_components/ui';

/**
 * Each permission in plain words. Typed against the permission table, so a new action cannot be left unexplained;
 * which role gets it comes from that table alone (server/auth/permissions.ts).
 */
const ABILITY: Record<Action, string> = {
  'members.delete': 'Delete members',
  'members.import': 'Import members from a spreadsheet',
  'members.export': 'Export members',
  'branches.manage': 'Add and change branches',
  'broadcasts.manage': 'Send, schedule and cancel broadcasts',
  'keywords.manage': 'Set up keywords',
  'sequences.manage': 'Set up automations',
  'inboxNotes.deleteAny': "Delete anyone's note in the inbox",
  'templates.manage': 'Write and change templates',
  'connectCard.manage': 'Set up the connect card',
  'customFields.manage': 'Add member fields',
  'segments.manage': 'Save and change segments',
  'church.edit': "Change the church's settings and quiet hours",
  'team.view': 'See the team',
  'activity.view': 'See the activity log',
  'team.manage': 'Invite people, change their roles, remove them, and require two-factor sign-in',
  'numbers.manage': 'Buy and release sending numbers',
  'registration.manage': 'Register the church with carriers',
  'billing.manage': 'Choose the plan and pay',
};

/** What everyone on the team can do: anything the table does not reserve. */
const EVERYONE = [
  'Text people one to one and answer the inbox',
  'Add members and change their details',
  'See broadcasts, keywords, templates and automations',
];

const abilitiesOf = (role: Role) =>
  (Object.keys(PERMISSIONS) as Action[]).filter((a) => PERMISSIONS[a] === role).map((a) => ABILITY[a]);

const ROLES: { role: Role; intro: string; items: string[] }[] = [
  { role: 'staff', intro: 'Everyone on the team can:', items: EVERYONE },
  { role: 'admin', intro: 'Everything staff can, and:', items: abilitiesOf('admin') },
  { role: 'owner', intro: 'Everything admins can, and:', items: abilitiesOf('owner') },
];

/** The three roles side by side, so choosing one in an invitation is an informed choice. */
export function RoleAbilities() {
  return (
    <Panel id="roles" title="What each role can do">
      <div className="grid gap-6 md:grid-cols-3">
        {ROLES.map(({ role, intro, items }) => (
          <section key={role} aria-labelledby={`role-${role}`} data-testid={`role-${role}`}>
            <h3 id={`role-${role}`} className="text-sm font-semibold text-slate-900">
              {ROLE_LABELS[role]}
            </h3>
            <p className="mt-1 text-sm text-slate-600">{intro}</p>
            <ul className="mt-2 list-disc space-y-1 pl-5 text-sm text-slate-700">
              {items.map((item) => (
                <li key={item}>{item}</li>
              ))}
            </ul>
          </section>
        ))}
      </div>
    </Panel>
  );
}
