import { randomUUID } from 'node:crypto';
import { TRPCError } from '@trpc/server';
import { and, desc, eq, inArray, lt, or, sql } from 'drizzle-orm';
import { z } from 'zod';
import { branches, broadcasts, messages } from '@/db/tenant/schema';
import { broadcastRefusal } from '@/server/billing/allowance';
import { countAudience, type Audience } from '@/server/messaging/audience';
import { audience, broadcastInput, cursorInput, type AudienceInput } from '@/server/messaging/inputs';
import { enqueueBroadcast, writeThenRun } from '@/server/messaging/jobs';
import { countSegments } from '@/server/messaging/segments';
import { permittedProcedure, router, tenantProcedure, type TenantContext } from '@/server/trpc';
import { decodeCursorAs, encodeCursor, exactTime, exactTimeKey } from './cursor';

const id = z.object({ id: z.string().uuid() });

// Composing and cancelling broadcasts is for admins and owners: one click texts the whole church.
export const broadcastsRouter = router({
  list: tenantProcedure.input(cursorInput).query(async ({ ctx, input }) => {
    const after = decodeCursorAs(z.tuple([exactTimeKey, z.string().uuid()]), input.cursor);
    const rows = await ctx.db
      .select({ broadcast: broadcasts, branchName: branches.name, sortAt: exactTime(broadcasts.createdAt) })
      .from(broadcasts)
      .leftJoin(branches, eq(branches.id, broadcasts.branchId))
      .where(
        after
          ? or(
              lt(broadcasts.createdAt, sql`${after[0]}::timestamptz`),
              and(eq(broadcasts.createdAt, sql`${after[0]}::timestamptz`), lt(broadcasts.id, after[1])),
            )
          : undefined,
      )
      .orderBy(desc(broadcasts.createdAt), desc(broadcasts.id))
      .limit(input.limit + 1);
    const page = rows.slice(0, input.limit);
    const counts = await deliveryCounts(
      ctx,
      page.map((r) => r.broadcast.id),
    );
    const last = page.at(-1);
    return {
      items: page.map((r) => ({
        ...r.broadcast,
        branchName: r.branchName,
        ...(counts.get(r.broadcast.id) ?? emptyCounts),
      })),
      nextCursor: rows.length > input.limit && last ? encodeCursor([last.sortAt, last.broadcast.id]) : null,
    };
  }),

  get: tenantProcedure.input(id).query(async ({ ctx, input }) => {
    const [row] = await ctx.db
      .select({ broadcast: broadcasts, branchName: branches.name })
      .from(broadcasts)
      .leftJoin(branches, eq(branches.id, broadcasts.branchId))
      .where(eq(broadcasts.id, input.id));
    if (!row) throw new TRPCError({ code: 'NOT_FOUND', message: 'That broadcast does not exist.' });
    const counts = await deliveryCounts(ctx, [input.id]);
    return { ...row.broadcast, branchName: row.branchName, ...(counts.get(input.id) ?? emptyCounts) };
  }),

  /** Who would receive it, how many are skipped (unsubscribed), and what it costs: for the compose form. */
  preview: tenantProcedure
    .input(z.object({ audience, body: z.string().max(1600).default('') }))
    .query(async ({ ctx, input }) => {
      const who = await countAudience(ctx.db, toAudience(input.audience));
      const seg = countSegments(input.body);
      return {
        ...who,
        ...seg,
        estimatedCost:
          Math.round(who.recipients * seg.segments * ctx.services.config.SMS_PRICE_PER_SEGMENT * 100) / 100,
      };
    }),

  create: permittedProcedure('broadcasts.manage')
    .input(broadcastInput)
    .mutation(async ({ ctx, input }) => {
      const now = new Date();
      const scheduledAt = input.scheduledAt ?? now;
      if (scheduledAt.getTime() < now.getTime() - 60_000)
        throw new TRPCError({ code: 'BAD_REQUEST', message: 'Choose a time in the future, or send now.' });
      if (scheduledAt.getTime() > now.getTime() + 366 * 86_400_000)
        throw new TRPCError({ code: 'BAD_REQUEST', message: 'Choose a time within the next year.' });
      if (input.audience.type === 'branch') {
        const [branch] = await ctx.db
          .select({ id: branches.id })
          .from(branches)
          .where(eq(branches.id, input.audience.branchId));
        if (!branch) throw new TRPCError({ code: 'BAD_REQUEST', message: 'That branch no longer exists.' });
      }
      const [numbers] = await ctx.services.messaging.numbers.numbersOf(ctx.tenantId);
      if (!numbers)
        throw new TRPCError({
          code: 'PRECONDITION_FAILED',
          message: 'Add a sending phone number in Settings before sending a broadcast.',
        });
      const a = toAudience(input.audience);
      const { recipients } = await countAudience(ctx.db, a);
      const refusal = await broadcastRefusal(
        ctx.services,
        ctx.db,
        ctx.tenantId,
        recipients * countSegments(input.body).segments,
        scheduledAt,
      );
      if (refusal) throw new TRPCError({ code: 'TOO_MANY_REQUESTS', message: refusal });
      const id = randomUUID();
      const enqueue = (runAt: Date) => enqueueBroadcast(ctx.services.registry, ctx.tenantId, id, runAt);
      const [b] = await writeThenRun(enqueue, scheduledAt, () =>
        ctx.db
          .insert(broadcasts)
          .values({ id, body: input.body, ...a, scheduledAt, createdBy: ctx.admin.id })
          .returning(),
      );
      return b!;
    }),

  /** Stops a scheduled or running broadcast; messages already sent stay sent, the rest are dropped. */
  cancel: permittedProcedure('broadcasts.manage')
    .input(id)
    .mutation(async ({ ctx, input }) => {
      return ctx.db.transaction(async (tx) => {
        const [b] = await tx
          .update(broadcasts)
          .set({ state: 'canceled', finishedAt: sql`now()` })
          .where(and(eq(broadcasts.id, input.id), inArray(broadcasts.state, ['scheduled', 'sending'])))
          .returning();
        if (!b) {
          const [exists] = await tx.select({ id: broadcasts.id }).from(broadcasts).where(eq(broadcasts.id, input.id));
          if (!exists) throw new TRPCError({ code: 'NOT_FOUND', message: 'That broadcast does not exist.' });
          throw new TRPCError({
            code: 'BAD_REQUEST',
            message: 'Only a scheduled or sending broadcast can be cancelled.',
          });
        }
        await tx.delete(messages).where(and(eq(messages.broadcastId, input.id), eq(messages.status, 'queued')));
        return b;
      });
    }),
});

function toAudience(a: AudienceInput): Audience {
  return { audience: a.type, branchId: a.type === 'branch' ? a.branchId : null, tag: a.type === 'tag' ? a.tag : null };
}

const emptyCounts = { sent: 0, delivered: 0, failed: 0, pending: 0 };

/** Progress counts come from the messages themselves, so they can never drift from what happened. */
async function deliveryCounts(ctx: TenantContext, ids: string[]) {
  const out = new Map<string, typeof emptyCounts>();
  if (ids.length === 0) return out;
  const rows = await ctx.db
    .select({
      id: messages.broadcastId,
      // "sent" counts everything that left us (sent or delivered); "delivered" is the carrier's confirmation.
      sent: sql<number>`count(*) filter (where ${messages.status} in ('sent', 'delivered'))::int`,
      delivered: sql<number>`count(*) filter (where ${messages.status} = 'delivered')::int`,
      failed: sql<number>`count(*) filter (where ${messages.status} = 'failed')::int`,
      pending: sql<number>`count(*) filter (where ${messages.status} in ('queued', 'sending'))::int`,
    })
    .from(messages)
    .where(inArray(messages.broadcastId, ids))
    .groupBy(messages.broadcastId);
  for (const r of rows) out.set(r.id!, { sent: r.sent, delivered: r.delivered, failed: r.failed, pending: r.pending });
  return out;
}
