import Redis from 'ioredis';
import { log } from './log';

export type RedisState = 'disabled' | 'ok' | 'degraded';

/**
 * Optional Redis. Everything works without it; when set, it speeds things up (rate-limit counters, instant
 * revocation broadcast). When it is unreachable or lost, commands fail at once (no offline queue) so callers fall
 * back to PostgreSQL; reconnection goes on forever with capped exponential backoff, and only changes of state
 * are logged — one line each, no spam.
 */
export class RedisLink {
  readonly client: Redis | null;
  private subscriber: Redis | null = null;
  private current: RedisState;
  private handlers = new Map<string, (message: string) => void>();
  private closing = false;

  constructor(
    private url: string | undefined,
    private name = 'redis',
  ) {
    this.current = url ? 'degraded' : 'disabled';
    this.client = url ? this.connect(url, 'commands') : null;
  }

  get state(): RedisState {
    return this.current;
  }

  /** Deliver messages on `channel` to `handler`; re-subscribed after every reconnect. */
  subscribe(channel: string, handler: (message: string) => void) {
    if (!this.url) return;
    this.handlers.set(channel, handler);
    if (!this.subscriber) {
      this.subscriber = this.connect(this.url, 'subscriber');
      this.subscriber.on('message', (ch, message) => this.handlers.get(ch)?.(message));
      this.subscriber.on('ready', () => void this.subscriber!.subscribe(...this.handlers.keys()).catch(() => {}));
    }
    if (this.subscriber.status === 'ready') void this.subscriber.subscribe(channel).catch(() => {});
  }

  /** Best effort: a broadcast lost while Redis is down is covered by the PostgreSQL poll. */
  async publish(channel: string, message: string) {
    if (this.current !== 'ok' || !this.client) return false;
    return this.client.publish(channel, message).then(
      () => true,
      () => false,
    );
  }

  async close() {
    this.closing = true;
    await Promise.all([this.client, this.subscriber].map((c) => c?.quit().catch(() => c.disconnect())));
  }

  private connect(url: string, role: 'commands' | 'subscriber') {
    const client = new Redis(url, {
      enableOfflineQueue: role === 'subscriber', // commands fail fast while disconnected; callers fall back
      maxRetriesPerRequest: role === 'subscriber' ? null : 1,
      connectTimeout: 2_000,
      commandTimeout: role === 'subscriber' ? undefined : 500,
      retryStrategy: (attempt) => Math.min(100 * 2 ** Math.min(attempt, 12), 15_000), // never gives up
      lazyConnect: false,
    });
    if (role === 'commands') {
      client.on('ready', () => this.transition('ok'));
      client.on('close', () => this.transition('degraded'));
    }
    client.on('error', (err) => {
      if (role === 'commands' && this.current === 'ok') this.transition('degraded', err);
    });
    return client;
  }

  private transition(next: RedisState, err?: Error) {
    if (next === this.current || this.closing) return;
    const previous = this.current;
    this.current = next;
    if (next === 'ok') log.info(`${this.name} connected`, { previous });
    else
      log.warn(`${this.name} unavailable: falling back to PostgreSQL and reconnecting in the background`, {
        err: err?.message,
      });
  }
}
