import { isIP } from 'node:net';

/**
 * The client's address, for every limiter and every log line. By default it is the socket's: scripts/serve.mjs
 * stamps it into x-steeple-peer, overwriting anything a client sent. Behind proxies, TRUST_PROXY_HOPS says how many
 * of them to trust, and the address is the entry that many places from the right of X-Forwarded-For (each trusted
 * proxy appended the address it saw; anything further left was written by the client and proves nothing).
 */
export const PEER_HEADER = 'x-steeple-peer';

type HeaderSource = Headers | Record<string, string | string[] | undefined> | undefined;

function header(headers: HeaderSource, name: string): string | undefined {
  if (!headers) return undefined;
  if (headers instanceof Headers) return headers.get(name) ?? undefined;
  const value = headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

/** IPv4 seen through an IPv6 socket (::ffff:1.2.3.4) is the IPv4 address; anything that is not an address is not trusted. */
function normalise(address: string | undefined): string | null {
  const a = address?.trim().replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, '');
  return a && isIP(a) ? a : null;
}

export function clientAddress(headers: HeaderSource, trustHops: number): string {
  // Only our own front server's stamp counts: without it (a bare `next start`) the header could be anyone's.
  const peer = process.env.STEEPLE_HTTP_FRONT === '1' ? normalise(header(headers, PEER_HEADER)) : null;
  if (!peer) return 'unknown';
  if (trustHops === 0) return peer;
  const forwarded = (header(headers, 'x-forwarded-for') ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  // The chain as the last trusted proxy saw it: [client?, …, proxy 1 saw, …], then the socket (the nearest proxy).
  const chain = [...forwarded, peer];
  return normalise(chain[Math.max(0, chain.length - 1 - trustHops)]) ?? 'unknown';
}
