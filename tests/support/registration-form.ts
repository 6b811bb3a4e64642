import type { RegistrationForm } from '@/server/registration/inputs';

/** A complete, valid registration form (the EIN is fictional), as a church's owner would fill it in. */
export const registrationForm = (more: Partial<RegistrationForm> = {}): RegistrationForm => ({
  legalName: 'Grace Community Church of Nashville',
  ein: '12-3456789',
  street: '100 Church Street',
  city: 'Nashville',
  state: 'TN',
  postalCode: '37203',
  website: 'gracenashville.org',
  contactFirstName: 'Ruth',
  contactLastName: 'Okafor',
  contactEmail: 'ruth@gracenashville.org',
  contactPhone: '(615) 555-0142',
  useCase: 'MIXED',
  description: 'Grace Church texts its members: service times, events, prayer follow-up and replies to questions.',
  samples: [
    'Grace Church: Hi Sam, thanks for visiting Sunday! Reply with prayer requests. Reply STOP to opt out.',
    'Grace Church: Reminder, community dinner Wednesday 6pm in the fellowship hall.',
  ],
  messageFlow: 'People opt in on our connect card, where an unticked box asks to receive texts, or by texting START.',
  monthlyVolume: '1,000',
  optinKeywords: 'START',
  optinMessage: 'Grace Church: you are subscribed. Msg & data rates may apply. Reply STOP to unsubscribe.',
  optoutKeywords: 'STOP,END',
  optoutMessage: 'Grace Church: you are unsubscribed and will receive no more messages.',
  helpKeywords: 'HELP',
  helpMessage: 'Grace Church: call (615) 555-0142. Reply STOP to unsubscribe.',
  ...more,
});
