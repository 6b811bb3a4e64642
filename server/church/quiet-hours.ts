import { eq, sql } from 'drizzle-orm';
import type { z } from 'zod';
import type { TenantDb } from '@/db/tenant';
import { quietHours } from '@/db/tenant/schema';
import { record } from '@/server/activity/record';
import type { quietHoursInput } from '@/server/messaging/inputs';

/** Settings → quiet hours (read by server/messaging/quiet-hours.ts), saved with its activity log row. */
export function saveQuietHours(db: TenantDb, by: string, input: z.output<typeof quietHoursInput>) {
  return db.transaction(async (tx) => {
    const [row] = await tx
      .update(quietHours)
      .set({ ...input, updatedAt: sql`now()` })
      .where(eq(quietHours.id, 1))
      .returning();
    await record(tx, {
      action: 'church.quiet_hours_changed',
      by: { adminId: by },
      details: { enabled: input.enabled, startMinute: input.startMinute, endMinute: input.endMinute },
    });
    return row!;
  });
}
