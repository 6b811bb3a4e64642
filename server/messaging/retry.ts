import { and, eq, sql } from 'drizzle-orm';
import type { ChurchScope } from '@/db/tenant';
import { conversations, messages } from '@/db/tenant/schema';
import { requireAllowance } from '@/server/billing/allowance';
import { NotFound, Precondition } from '@/server/domain-errors';
import type { Services } from '@/server/services';
import { carrierOutcome } from './carrier-outcomes';
import { enqueueSend, writeThenRun } from './jobs';
import { recipientChecks } from './send';

type Deps = Pick<Services, 'access' | 'config' | 'messaging' | 'profiles' | 'registry'>;

/**
 * Send a failed text again, where that could work (the carrier was busy or unavailable; not a landline, spam or an
 * opt-out: carrier-outcomes.ts). The same message goes back to the queue, past the checks a new text passes.
 */
export async function retryMessage(deps: Deps, scope: ChurchScope, input: { id: string; duringQuietHours?: boolean }) {
  const { db, tenantId } = scope;
  const [row] = await db
    .select({ message: messages, memberId: conversations.memberId })
    .from(messages)
    .innerJoin(conversations, eq(conversations.id, messages.conversationId))
    .where(and(eq(messages.id, input.id), eq(messages.direction, 'outbound')));
  if (!row) throw new NotFound('That message does not exist.');
  // Not a CONFLICT: that is the question quiet hours ask (retry-button.tsx answers it with "Send anyway").
  if (row.message.status !== 'failed') throw new Precondition('That message has not failed: it is already on its way.');
  const outcome = carrierOutcome(row.message.errorCode, row.message.error);
  if (!outcome.retry) throw new Precondition(`Sending it again would not help: ${lowerFirst(outcome.reason)}.`);
  await recipientChecks(deps, scope, row.memberId, input.duringQuietHours);

  const enqueue = (runAt: Date) => enqueueSend(deps.registry, tenantId, input.id, runAt);
  const requeued = await writeThenRun(enqueue, new Date(), () =>
    db.transaction(async (tx) => {
      await requireAllowance(deps, tx, tenantId, row.message.segments); // it costs again
      const [m] = await tx
        .update(messages)
        .set({ status: 'queued', error: null, errorCode: null, providerMessageId: null, statusAt: sql`now()` })
        .where(and(eq(messages.id, input.id), eq(messages.status, 'failed')))
        .returning();
      if (!m) throw new Precondition('That message has not failed: it is already on its way.');
      // Someone on the team is texting them again: a closed thread opens, as any send opens it.
      await tx.update(conversations).set({ closedAt: null }).where(eq(conversations.id, m.conversationId));
      return m;
    }),
  );
  return requeued;
}

const lowerFirst = (s: string) => s.charAt(0).toLowerCase() + s.slice(1);
