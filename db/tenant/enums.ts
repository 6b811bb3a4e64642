/**
 * The values of the church database's enums, in a file with no imports: the schema builds its pgEnums from them and
 * the zod inputs build their enums from them, so each list is written once. Pages import the labels from here too.
 */
export const ADMIN_ROLES = ['owner', 'admin', 'staff'] as const;

/** See `subscription` in schema.ts for what each state means. */
export const SUBSCRIPTION_STATES = ['subscribed', 'unsubscribed', 'not_opted_in'] as const;
export type SubscriptionState = (typeof SUBSCRIPTION_STATES)[number];
/** How each state reads on every page. */
export const SUBSCRIPTION_LABELS: Record<SubscriptionState, string> = {
  subscribed: 'Subscribed',
  unsubscribed: 'Unsubscribed',
  not_opted_in: 'Not opted in',
};

/** The kinds of custom field a church may define (server/custom-fields/rules.ts: how each is stored and matched). */
export const CUSTOM_FIELD_TYPES = ['text', 'number', 'date', 'yes_no', 'choice'] as const;
export type CustomFieldType = (typeof CUSTOM_FIELD_TYPES)[number];
export const CUSTOM_FIELD_TYPE_LABELS: Record<CustomFieldType, string> = {
  text: 'Text',
  number: 'Number',
  date: 'Date',
  yes_no: 'Yes / no',
  choice: 'One of a list',
};

/** What enrolls a member in a sequence (server/sequences/): see `sequences` in schema.ts. */
export const SEQUENCE_TRIGGERS = ['keyword', 'connect_card', 'tag', 'date', 'manual'] as const;
export type SequenceTrigger = (typeof SEQUENCE_TRIGGERS)[number];
export const SEQUENCE_TRIGGER_LABELS: Record<SequenceTrigger, string> = {
  keyword: 'Texts a keyword',
  connect_card: 'Fills in the connect card',
  tag: 'Gets a tag',
  date: 'A date every year',
  manual: 'Added by hand',
};

/** A step waits hours or days after the previous one (days may name a time of day). */
export const STEP_UNITS = ['hours', 'days'] as const;

export const ENROLLMENT_STATES = ['active', 'finished', 'stopped'] as const;
/** Why an enrollment stopped before its last step. */
export const STOP_REASONS = ['opted_out', 'not_opted_in', 'deleted', 'replied', 'removed'] as const;
export type StopReason = (typeof STOP_REASONS)[number];
export const STOP_REASON_LABELS: Record<StopReason, string> = {
  opted_out: 'Opted out',
  not_opted_in: 'Not opted in',
  deleted: 'Member deleted',
  replied: 'Replied',
  removed: 'Removed by an admin',
};

/**
 * What the activity log records (server/activity/), each action in one group the log page filters by. A new action is
 * a line here and a sentence in app/(app)/activity/describe.ts.
 */
export const ACTIVITY_GROUPS = [
  'signins',
  'team',
  'broadcasts',
  'exports',
  'numbers',
  'settings',
  'billing',
  'security',
] as const;
export type ActivityGroup = (typeof ACTIVITY_GROUPS)[number];
export const ACTIVITY_GROUP_LABELS: Record<ActivityGroup, string> = {
  signins: 'Sign-ins',
  team: 'Team',
  broadcasts: 'Broadcasts',
  exports: 'Exports',
  numbers: 'Numbers',
  settings: 'Settings',
  billing: 'Billing',
  security: 'Security',
};
export const ACTIVITY_ACTIONS = {
  'signin.succeeded': 'signins',
  'signin.failed': 'signins',
  'team.invited': 'team',
  'team.invite_revoked': 'team',
  'team.joined': 'team',
  'team.role_changed': 'team',
  'team.removed': 'team',
  'broadcast.sent': 'broadcasts',
  'broadcast.scheduled': 'broadcasts',
  'broadcast.canceled': 'broadcasts',
  'series.created': 'broadcasts',
  'series.date_skipped': 'broadcasts',
  'series.date_restored': 'broadcasts',
  'series.stopped': 'broadcasts',
  'members.exported': 'exports',
  'number.bought': 'numbers',
  'number.released': 'numbers',
  'registration.submitted': 'numbers',
  'church.profile_changed': 'settings',
  'church.quiet_hours_changed': 'settings',
  'billing.checkout_completed': 'billing',
  'billing.subscription_changed': 'billing',
  'billing.payment_failed': 'billing',
  'billing.invoice_paid': 'billing',
  'security.two_factor_on': 'security',
  'security.two_factor_off': 'security',
  'security.recovery_codes_renewed': 'security',
  'security.team_two_factor': 'security',
  'security.password_changed': 'security',
  'security.password_reset': 'security',
  'security.email_verified': 'security',
  'security.phone_changed': 'security',
} as const satisfies Record<string, ActivityGroup>;
export type ActivityAction = keyof typeof ACTIVITY_ACTIONS;
export const ACTIVITY_ACTION_NAMES = Object.keys(ACTIVITY_ACTIONS) as [ActivityAction, ...ActivityAction[]];
/** The actions of a group, for the log's filter. */
export const actionsOf = (group: ActivityGroup) =>
  ACTIVITY_ACTION_NAMES.filter((action) => ACTIVITY_ACTIONS[action] === group);
