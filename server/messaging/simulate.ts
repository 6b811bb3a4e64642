import { eq } from 'drizzle-orm';
import type { ChurchScope } from '@/db/tenant';
import { conversations, members } from '@/db/tenant/schema';
import { NotFound, Precondition, TryAgain } from '@/server/domain-errors';
import { log } from '@/server/log';
import type { Services } from '@/server/services';
import { requireSendingNumber } from './send';
import { signWebhook } from './signature';
import { telnyxReceivedEvent } from './telnyx-events';
import { handleTelnyxWebhook } from './webhook';

/**
 * The local outbox's stand-in for a person texting back: a Telnyx-shaped `message.received` event, signed with the
 * deployment's local key and posted to our own webhook route, so the whole inbound path runs as it would for real.
 */

/** The parts of Services this module uses. */
type Deps = Pick<Services, 'config' | 'connections' | 'messaging' | 'profiles' | 'registry'>;

async function simulateInbound(services: Deps, opts: { from: string; to: string; text: string }): Promise<number> {
  const key = services.messaging.signingKey;
  if (!key) throw new Error('simulated replies need local texting (no TELNYX_API_KEY)');
  const body = telnyxReceivedEvent(opts);
  const init = { method: 'POST', headers: { 'content-type': 'application/json', ...signWebhook(key, body) }, body };
  const base = services.config.NEXTAUTH_URL;
  // Over HTTP when we know our own address (the app); in-process otherwise (integration tests have no server).
  const res = base
    ? await fetch(new URL('/api/webhooks/telnyx', base), { ...init, signal: AbortSignal.timeout(10_000) })
    : await handleTelnyxWebhook(new Request('http://local/api/webhooks/telnyx', init), services);
  return res.status;
}

/** Local outbox only: pretend the member texted back, through the real signed webhook. */
export async function simulateReply(
  services: Deps,
  { db, tenantId }: ChurchScope,
  conversationId: string,
  text: string,
) {
  if (!services.messaging.signingKey)
    throw new Precondition('Simulated replies are only available without a Telnyx account.');
  const [thread] = await db
    .select({ phone: members.phone, churchNumber: conversations.churchNumber })
    .from(conversations)
    .innerJoin(members, eq(members.id, conversations.memberId))
    .where(eq(conversations.id, conversationId));
  if (!thread) throw new NotFound('That conversation does not exist.');
  const to = thread.churchNumber ?? (await requireSendingNumber(services, tenantId));
  const status = await simulateInbound(services, { from: thread.phone, to, text });
  if (status !== 200) {
    log.warn('simulated reply was not accepted by the webhook', { status });
    throw new TryAgain('The reply could not be delivered. Please try again.');
  }
  return { ok: true };
}
