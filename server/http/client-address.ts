import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';
import { log } from '@/server/log';

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

/**
 * IPv4 seen through an IPv6 socket (::ffff:1.2.3.4) is the IPv4 address; anything that is not an address is not
 * trusted.
 */
function normalise(address: string | undefined): string | null {
  const a = address?.trim().replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, '');
  return a && isIP(a) ? a : null;
}

/** Some proxies write the port they saw too: 203.0.113.7:5000, [2001:db8::1] or [2001:db8::1]:5000 is the address. */
function withoutPort(entry: string): string {
  const found = /^\[([^\]]+)\](?::\d{1,5})?$/.exec(entry) ?? /^(\d+\.\d+\.\d+\.\d+):\d{1,5}$/.exec(entry);
  return found ? found[1]! : entry;
}

export function clientAddress(headers: HeaderSource, trustHops: number): string {
  // Only our own front server's stamp counts: without it (a bare `next start`) the header could be anyone's.
  const peer = process.env.STEEPLE_HTTP_FRONT === '1' ? normalise(header(headers, PEER_HEADER)) : null;
  if (!peer) {
    warnOnce(
      'no-front',
      'client addresses are unknown: serve the app with `npm start` (scripts/serve.mjs), ' +
        'or every client shares one sign-in limit',
    );
    return 'unknown';
  }
  if (trustHops === 0) {
    if (header(headers, 'x-forwarded-for'))
      warnOnce(
        'hops',
        'X-Forwarded-For arrived but TRUST_PROXY_HOPS is 0: behind a proxy, set it, ' +
          'or every client has the proxy’s address',
      );
    return peer;
  }
  const forwarded = (header(headers, 'x-forwarded-for') ?? '')
    .split(',')
    .map((s) => withoutPort(s.trim()))
    .filter(Boolean);
  // The chain as the last trusted proxy saw it: [client?, …, proxy 1 saw, …], then the socket (the nearest proxy).
  const chain = [...forwarded, peer];
  return normalise(chain[Math.max(0, chain.length - 1 - trustHops)]) ?? 'unknown';
}

/**
 * The key limiters count an address under. An IPv6 address is its /64: one household or server is given a whole
 * /64, and could otherwise take a fresh address for every guess.
 */
export function addressKey(address: string): string {
  if (!ipaddr.IPv6.isValid(address) || ipaddr.IPv4.isValid(address)) return address;
  const parts = ipaddr.IPv6.parse(address).parts.slice(0, 4);
  return `${parts.map((p) => p.toString(16)).join(':')}::/64`;
}

// Said once per process: it is about how the app is deployed, not about one request.
const warned = new Set<string>();
function warnOnce(key: string, message: string) {
  if (warned.has(key)) return;
  warned.add(key);
  log.warn(message);
}
