import { router } from '@/server/trpc';
import { accountRouter } from './account';
import { activityRouter } from './activity';
import { billingRouter } from './billing';
import { branchesRouter } from './branches';
import { broadcastsRouter } from './broadcasts';
import { churchRouter } from './church';
import { connectCardRouter } from './connectCard';
import { conversationsRouter } from './conversations';
import { customFieldsRouter } from './customFields';
import { dashboardRouter } from './dashboard';
import { keywordsRouter } from './keywords';
import { mediaRouter } from './media';
import { membersRouter } from './members';
import { notificationsRouter } from './notifications';
import { messagesRouter } from './messages';
import { onboardingRouter } from './onboarding';
import { passwordResetRouter } from './passwordReset';
import { emailVerificationRouter } from './emailVerification';
import { phoneNumbersRouter } from './phoneNumbers';
import { registrationRouter } from './registration';
import { segmentsRouter } from './segments';
import { sequencesRouter } from './sequences';
import { teamRouter } from './team';
import { templatesRouter } from './templates';
import { twoFactorRouter } from './twoFactor';

/** Every router, by domain. Add a domain here. */
export const appRouter = router({
  onboarding: onboardingRouter,
  church: churchRouter,
  account: accountRouter,
  passwordReset: passwordResetRouter,
  emailVerification: emailVerificationRouter,
  twoFactor: twoFactorRouter,
  notifications: notificationsRouter,
  team: teamRouter,
  members: membersRouter,
  branches: branchesRouter,
  conversations: conversationsRouter,
  messages: messagesRouter,
  media: mediaRouter,
  broadcasts: broadcastsRouter,
  keywords: keywordsRouter,
  templates: templatesRouter,
  sequences: sequencesRouter,
  connectCard: connectCardRouter,
  customFields: customFieldsRouter,
  segments: segmentsRouter,
  phoneNumbers: phoneNumbersRouter,
  registration: registrationRouter,
  dashboard: dashboardRouter,
  billing: billingRouter,
  activity: activityRouter,
});

export type AppRouter = typeof appRouter;
