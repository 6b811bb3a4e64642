import type { InboundEvent } from '@/db/registry/schema';
import type { InboundPicture } from '@/server/media/inbound';

/**
 * What the registry's `inbound_events` holds (see inbound-queue.ts): a received text or a delivery report, as the
 * webhook parsed it, and the row it is read back as.
 */
export type ReceivedPayload = {
  providerMessageId: string;
  from: string;
  to: string;
  text: string;
  /** A picture message's media, as Telnyx links them (fetched into our store by a job: server/media/). */
  media?: InboundPicture[];
};
export type StatusPayload = {
  providerMessageId: string;
  status: 'sent' | 'delivered' | 'failed';
  error: string | null;
  /** The carrier's error code (Telnyx's 40xxx); absent from events kept before codes were. */
  errorCode?: string | null;
};

export type NewEvent =
  | { tenantId: string; kind: 'received'; key: string; sender: string; optOut: boolean; payload: ReceivedPayload }
  | { tenantId: string; kind: 'status'; key: string; payload: StatusPayload };

export type Pending = Pick<InboundEvent, 'id' | 'tenantId' | 'kind' | 'sender' | 'attempts'> & {
  payload: ReceivedPayload | StatusPayload | null;
  receivedAt: Date;
  deliveredAt: Date | null;
};

/** An event's row as postgres.js returns it; `behind` only from `record`. */
export type Row = {
  id: string;
  tenant_id: string;
  kind: 'received' | 'status';
  sender: string | null;
  attempts: number;
  payload: Pending['payload'] | string;
  received_at: Date;
  delivered_at: Date | null;
  behind?: boolean;
};

export const toPending = (r: Row): Pending => ({
  id: Number(r.id),
  tenantId: r.tenant_id,
  kind: r.kind,
  sender: r.sender,
  attempts: r.attempts,
  // Drizzle's postgres.js driver leaves json as text (it parses json itself), and this is the same client.
  payload: typeof r.payload === 'string' ? JSON.parse(r.payload) : r.payload,
  receivedAt: new Date(r.received_at),
  deliveredAt: r.delivered_at && new Date(r.delivered_at),
});
