/**
 * How much one request may carry: shared by the route handlers (which enforce it) and the browser's tRPC client
 * (which stays within it). Constants only, so client components may import this file.
 */
export const LIMITS = {
  /** Telnyx and Stripe events are a few kilobytes. */
  webhook: 256 * 1024,
  /** Every tRPC call (a batch of at most MAX_BATCH_SIZE), but the CSV import's. */
  trpc: 1024 * 1024,
  /** members.importPreview / members.import: a 5 MB file, which JSON escaping (quotes, newlines) can at most double. */
  trpcImport: 11 * 1024 * 1024,
  /** media.upload: one picture of at most 5 MB, as raw bytes (a little more, so the procedure can say why). */
  trpcPicture: 5 * 1024 * 1024 + 64 * 1024,
  /** A sign-in form. */
  auth: 16 * 1024,
} as const;

/** Procedure calls one tRPC request may batch; more are refused with 400. */
export const MAX_BATCH_SIZE = 10;

/** The client keeps a batched GET's URL under this (Node refuses request heads over 16 KB). */
export const MAX_URL_LENGTH = 8_000;
